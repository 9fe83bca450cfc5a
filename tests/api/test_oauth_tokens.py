"""Bearer tokens that do not work (RFC 6750 §3.1): unknown, expired, revoked or malformed
ones get 401 with ``WWW-Authenticate: Bearer error="invalid_token"`` on /fhir/ and /api/,
never a 500; and the SMART configuration document (App Launch 2.x)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from cit.clinic.integrations.actions import do_revoke_integration
from tests.api.oauth_helpers import (
    assertion,
    assertion_token_request,
    bearer,
    public_set,
    register,
    rsa_key,
)

pytestmark = pytest.mark.django_db

PATHS = ["/fhir/Patient", "/api/patients", "/fhir/$export"]


@pytest.fixture
def admin(clinic: Any, make_user: Any) -> Any:
    return make_user("clinic_admin", clinic)


@pytest.fixture
def backend(clinic: Any, admin: Any) -> tuple[Any, str]:
    key = rsa_key()
    integration = register(admin, clinic, jwks=public_set(key)).integration
    answer = assertion_token_request(Client(), assertion(key, integration.client_id))
    return integration, str(answer.json()["access_token"])


def _is_invalid_token(response: Any) -> bool:
    return (
        response.status_code == 401
        and 'error="invalid_token"' in response["WWW-Authenticate"]
        and response["WWW-Authenticate"].startswith("Bearer")
    )


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-token",
        "Bearer ",
        "Bearer " + "a" * 5000,
        "Bearer é",
        "Bearer ' OR 1=1 --",
        "bearer \t x",
        "Bearer a b c",
    ],
)
@pytest.mark.parametrize("path", PATHS)
def test_bad_tokens_are_401_invalid_token(clinic: Any, header: str, path: str) -> None:
    response = Client().get(path, HTTP_AUTHORIZATION=header)
    assert _is_invalid_token(response), (response.status_code, response.content[:200])


@pytest.mark.parametrize("path", PATHS)
def test_no_credentials_ask_for_a_bearer_token_or_log_in(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 401
    assert "Bearer" in response["WWW-Authenticate"]
    assert "error=" not in response["WWW-Authenticate"]


@pytest.mark.parametrize("path", PATHS)
def test_an_expired_token_is_refused(backend: tuple[Any, str], path: str) -> None:
    _integration, token = backend
    AccessToken.objects.update(expires=timezone.now() - datetime.timedelta(seconds=1))
    assert _is_invalid_token(Client().get(path, **bearer(token)))


def test_revoking_ends_live_tokens_and_new_ones(
    admin: Any, backend: tuple[Any, str], make_patient: Any, clinic: Any
) -> None:
    make_patient(clinic)
    integration, token = backend
    assert Client().get("/fhir/Patient", **bearer(token)).status_code == 200
    assert do_revoke_integration(actor=admin, integration=integration) == 1
    assert _is_invalid_token(Client().get("/fhir/Patient", **bearer(token)))
    assert _is_invalid_token(Client().get("/api/patients", **bearer(token)))
    key = rsa_key()
    integration.jwks = public_set(key)
    integration.save()
    again = assertion_token_request(Client(), assertion(key, integration.client_id))
    assert again.status_code == 401
    assert again.json()["error"] == "invalid_client"


def test_a_backend_token_exports_the_clinic(backend: tuple[Any, str]) -> None:
    _integration, token = backend
    kick_off = Client().get("/fhir/$export", HTTP_PREFER="respond-async", **bearer(token))
    assert kick_off.status_code == 202
    status_url = kick_off["Content-Location"]
    assert Client().get(status_url, **bearer(token)).status_code in (200, 202)


def test_export_needs_the_clinic_wide_scope(clinic: Any, admin: Any) -> None:
    key = rsa_key()
    integration = register(
        admin, clinic, jwks=public_set(key), scopes="system/Patient.rs"
    ).integration
    answer = assertion_token_request(
        Client(), assertion(key, integration.client_id), "system/Patient.rs"
    )
    token = answer.json()["access_token"]
    refused = Client().get("/fhir/$export", HTTP_PREFER="respond-async", **bearer(token))
    assert refused.status_code == 403
    assert refused.json()["resourceType"] == "OperationOutcome"


def test_smart_configuration() -> None:
    response = Client().get("/.well-known/smart-configuration")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["token_endpoint"] == "http://testserver/oauth/token/"
    assert body["authorization_endpoint"] == "http://testserver/oauth/authorize/"
    assert set(body["grant_types_supported"]) == {"authorization_code", "client_credentials"}
    assert "private_key_jwt" in body["token_endpoint_auth_methods_supported"]
    assert "client_secret_basic" in body["token_endpoint_auth_methods_supported"]
    assert set(body["token_endpoint_auth_signing_alg_values_supported"]) == {"RS384", "ES384"}
    assert body["code_challenge_methods_supported"] == ["S256"]
    for scope in ("system/*.rs", "user/*.rs", "patient/*.rs", "launch/patient"):
        assert scope in body["scopes_supported"]
    assert "patient/Observation.rs" in body["scopes_supported"]
    for capability in (
        "launch-standalone",
        "client-public",
        "client-confidential-symmetric",
        "client-confidential-asymmetric",
        "permission-v2",
        "permission-patient",
        "permission-user",
        "context-standalone-patient",
    ):
        assert capability in body["capabilities"]
    # It holds no patient data and is read by browser apps before they sign in.
    assert response["Access-Control-Allow-Origin"] == "*"


def test_capability_statement_names_smart() -> None:
    body = Client().get("/fhir/metadata").json()
    security = body["rest"][0]["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"


def test_openapi_declares_the_oauth_scheme() -> None:
    document = Client().get("/api/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerTokenAuth"] == {"type": "http", "scheme": "bearer"}
    flows = schemes["OAuth2"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == "/oauth/token/"
    assert flows["authorizationCode"]["authorizationUrl"] == "/oauth/authorize/"
    assert set(flows["authorizationCode"]["scopes"]) == {"user/*.rs", "patient/*.rs"}
    me = document["paths"]["/api/me"]["get"]["security"]
    assert {"OAuth2": []} in me
    assert {"SessionAuth": []} in me
