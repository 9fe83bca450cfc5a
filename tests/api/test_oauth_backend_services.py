"""SMART Backend Services: a backend client authenticates with a JWT signed by its own key
(RFC 7523 ``private_key_jwt``; RS384 or ES384) or with its secret, gets a short-lived token
for the scopes it was registered with, and reads only its clinic, read-only."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditEvent
from cit.clinic.integrations.assertion import REGISTERED_KEY_SETS
from tests.api.oauth_helpers import (
    assertion,
    assertion_token_request,
    bearer,
    ec_key,
    public_set,
    register,
    rsa_key,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(clinic: Any, make_user: Any) -> Any:
    return make_user("clinic_admin", clinic)


@pytest.fixture
def patients(clinic: Any, other_clinic: Any, make_patient: Any) -> dict[str, Any]:
    return {
        "ada": make_patient(clinic),
        "grace": make_patient(clinic, given_name="Grace", family_name="Hopper"),
        "foreign": make_patient(other_clinic, given_name="Alan", family_name="Turing"),
    }


def _token(client: Client, key: Any, client_id: str, scope: str = "system/*.rs", **kw: Any) -> str:
    response = assertion_token_request(client, assertion(key, client_id, **kw), scope)
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def test_signed_assertion_gets_a_token_that_reads_the_clinic(
    clinic: Any, admin: Any, patients: dict[str, Any]
) -> None:
    key = rsa_key()
    client_id = register(admin, clinic, jwks=public_set(key)).integration.client_id
    answer = assertion_token_request(Client(), assertion(key, client_id))
    assert answer.status_code == 200
    body = answer.json()
    # RFC 6749 §5.1 and SMART: bearer, at most five minutes, the granted scope.
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["scope"] == "system/*.rs"
    assert "refresh_token" not in body
    client = Client()
    listing = client.get("/fhir/Patient", **bearer(body["access_token"]))
    assert listing.status_code == 200
    ids = {entry["resource"]["id"] for entry in listing.json()["entry"]}
    assert ids == {str(patients["ada"].pk), str(patients["grace"].pk)}
    # Another clinic's patient is not there for it.
    foreign = client.get(f"/fhir/Patient/{patients['foreign'].pk}", **bearer(body["access_token"]))
    assert foreign.status_code == 404


def test_es384_key_works_too(clinic: Any, admin: Any, patients: dict[str, Any]) -> None:
    key = ec_key()
    client_id = register(admin, clinic, jwks=public_set(key)).integration.client_id
    token = _token(Client(), key, client_id, alg="ES384")
    assert Client().get("/fhir/Patient", **bearer(token)).status_code == 200


def test_a_replayed_assertion_is_refused(clinic: Any, admin: Any) -> None:
    key = rsa_key()
    client_id = register(admin, clinic, jwks=public_set(key)).integration.client_id
    signed = assertion(key, client_id)
    assert assertion_token_request(Client(), signed).status_code == 200
    again = assertion_token_request(Client(), signed)
    assert again.status_code == 401
    assert again.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "https://elsewhere.example/token"},
        {"exp": int(time.time()) - 300},
        {"exp": int(time.time()) + 3600},  # more than five minutes ahead
        {"exp": None},
        {"jti": None},
        {"sub": "someone-else"},
        {"alg": "RS256"},  # SMART: RS384 or ES384 only
        {"alg": "PS384"},
    ],
    ids=["aud", "expired", "exp-far", "no-exp", "no-jti", "sub", "rs256", "ps384"],
)
def test_bad_assertions_are_refused(clinic: Any, admin: Any, change: dict[str, Any]) -> None:
    key = rsa_key()
    client_id = register(admin, clinic, jwks=public_set(key)).integration.client_id
    answer = assertion_token_request(Client(), assertion(key, client_id, **change))
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert "access_token" not in answer.json()


def test_a_key_not_registered_is_refused(clinic: Any, admin: Any) -> None:
    registered, intruder = rsa_key("same-kid"), rsa_key("same-kid")
    client_id = register(admin, clinic, jwks=public_set(registered)).integration.client_id
    answer = assertion_token_request(Client(), assertion(intruder, client_id))
    assert answer.status_code == 401


def test_keys_from_the_registered_url(clinic: Any, admin: Any, monkeypatch: Any) -> None:
    key = rsa_key()
    fetched: list[str] = []

    def fake_fetch(url: str) -> Any:
        fetched.append(url)
        return public_set(key)

    monkeypatch.setattr("cit.clinic.integrations.assertion.fetch_key_set", fake_fetch)
    integration = register(admin, clinic, jwks_url="https://ehr.example/jwks.json").integration
    _token(Client(), key, integration.client_id)
    assert fetched == ["https://ehr.example/jwks.json"]
    # Kept: the next token request does not read the URL again...
    _token(Client(), key, integration.client_id)
    assert len(fetched) == 1
    # ...unless the client signs with a key not in the set it gave (it rotated its keys).
    rotated = rsa_key("rsa-2")

    def fetch_rotated(url: str) -> Any:
        fetched.append(url)
        return public_set(rotated)

    monkeypatch.setattr("cit.clinic.integrations.assertion.fetch_key_set", fetch_rotated)
    monkeypatch.setattr(REGISTERED_KEY_SETS, "min_refetch", 0.0)
    _token(Client(), rotated, integration.client_id)
    assert len(fetched) == 2


@pytest.mark.parametrize(
    "hostile",
    ["", "x", "a.b.c", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", "." * 5000, "é☃\u202e", "null"],
)
def test_hostile_assertions_are_a_clean_refusal(clinic: Any, admin: Any, hostile: str) -> None:
    register(admin, clinic, jwks=public_set(rsa_key()))
    answer = assertion_token_request(Client(), hostile)
    assert answer.status_code in (400, 401)
    assert "error" in answer.json()


def test_client_secret_flow(clinic: Any, admin: Any, patients: dict[str, Any]) -> None:
    registered = register(admin, clinic, client_auth="client_secret")
    client_id, secret = registered.integration.client_id, registered.client_secret
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    answer = Client().post(
        "/oauth/token/",
        {"grant_type": "client_credentials", "scope": "system/Patient.rs"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert answer.status_code == 200
    assert answer.json()["scope"] == "system/Patient.rs"
    token = answer.json()["access_token"]
    assert Client().get("/fhir/Patient", **bearer(token)).status_code == 200
    wrong = base64.b64encode(f"{client_id}:not-the-secret".encode()).decode()
    refused = Client().post(
        "/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {wrong}",
    )
    assert refused.status_code == 401


def test_a_key_client_cannot_use_a_secret_nor_a_secret_client_an_assertion(
    clinic: Any, admin: Any
) -> None:
    key = rsa_key()
    by_key = register(admin, clinic, jwks=public_set(key)).integration
    by_key.application.client_secret = "guessable"
    by_key.application.save()
    basic = base64.b64encode(f"{by_key.client_id}:guessable".encode()).decode()
    answer = Client().post(
        "/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert answer.status_code == 401
    by_secret = register(admin, clinic, client_auth="client_secret").integration
    signed = assertion(key, by_secret.client_id)
    assert assertion_token_request(Client(), signed).status_code == 401


def test_scopes_beyond_the_registration_are_refused(clinic: Any, admin: Any) -> None:
    key = rsa_key()
    client_id = register(
        admin, clinic, jwks=public_set(key), scopes="system/Patient.rs"
    ).integration.client_id
    for scope in ("system/*.rs", "system/Observation.rs", "system/Patient.cruds", "user/*.rs"):
        answer = assertion_token_request(Client(), assertion(key, client_id), scope)
        assert answer.status_code == 400, scope
        assert answer.json()["error"] == "invalid_scope"


def test_scope_enforced_per_type(clinic: Any, admin: Any, patients: dict[str, Any]) -> None:
    key = rsa_key()
    client_id = register(
        admin, clinic, jwks=public_set(key), scopes="system/Patient.rs system/Location.r"
    ).integration.client_id
    token = _token(Client(), key, client_id, scope="system/Patient.rs system/Location.r")
    client = Client()
    assert client.get("/fhir/Patient", **bearer(token)).status_code == 200
    refused = client.get("/fhir/Practitioner", **bearer(token))
    assert refused.status_code == 403
    assert refused.json()["resourceType"] == "OperationOutcome"
    assert refused.json()["issue"][0]["code"] == "forbidden"
    # Location.r reads one but does not search (SMART v2: r read, s search).
    assert client.get("/fhir/Location", **bearer(token)).status_code == 403


def test_backend_token_is_read_only_and_works_on_the_api(
    clinic: Any, admin: Any, patients: dict[str, Any]
) -> None:
    key = rsa_key()
    client_id = register(admin, clinic, jwks=public_set(key)).integration.client_id
    token = _token(Client(), key, client_id)
    client = Client(enforce_csrf_checks=True)
    listing = client.get("/api/patients", **bearer(token))
    assert listing.status_code == 200
    assert len(listing.json()["items"]) == 2
    write = client.post(
        "/api/patients",
        {"given_name": "Mary", "family_name": "Shelley"},
        content_type="application/json",
        **bearer(token),
    )
    assert write.status_code == 403


def test_every_token_use_is_audited_with_the_client(
    clinic: Any, admin: Any, patients: dict[str, Any]
) -> None:
    key = rsa_key()
    integration = register(admin, clinic, jwks=public_set(key)).integration
    token = _token(Client(), key, integration.client_id)
    issued = AuditEvent.objects.filter(action="login", channel="oauth").get()
    assert issued.actor == integration.service_user
    assert issued.detail["oauth_client"] == integration.client_id
    before = AuditEvent.objects.count()
    Client().get(f"/fhir/Patient/{patients['ada'].pk}", **bearer(token))
    Client().get("/api/me", **bearer(token))
    Client().get("/fhir/Practitioner/1", **bearer(token))  # found nothing: 404
    Client().post("/api/patients", {}, content_type="application/json", **bearer(token))
    rows = list(AuditEvent.objects.order_by("pk")[before:])
    assert [row.action for row in rows] == ["view", "view", "view", "denied"]
    assert rows[2].detail["status"] == 404
    assert rows[3].detail["status"] == 403
    assert rows[0].patient == patients["ada"]
    assert all(row.detail["oauth_client"] == integration.client_id for row in rows)
    assert all(row.actor == integration.service_user for row in rows)
    # Neither the token nor the secret is written anywhere in the audit.
    assert not AuditEvent.objects.filter(detail__icontains=token).exists()
