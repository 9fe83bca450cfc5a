"""OpenID Connect for SMART apps (App Launch 2.x, scopes ``openid fhirUser``): with ``openid``
the token response carries an id_token signed with CIT's published key, whose ``iss`` is the
issuer the SMART configuration names, ``aud`` the app, ``sub`` the person; with ``fhirUser``
it also names the FHIR resource the person is, a URL the token can read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from jwcrypto import jwk, jwt

from tests.api.oauth_helpers import (
    REDIRECT,
    authorise,
    authorise_params,
    bearer,
    pkce_pair,
    register,
    register_app,
    tokens_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(clinic: Any, make_user: Any) -> Any:
    return make_user("clinic_admin", clinic)


@pytest.fixture
def app(clinic: Any, admin: Any) -> Any:
    return register_app(admin, clinic, "openid fhirUser user/*.rs patient/*.rs launch/patient")


def _claims(id_token: str) -> dict[str, Any]:
    """The id_token's claims, its signature checked with the keys CIT publishes."""
    configuration = Client().get("/.well-known/smart-configuration").json()
    keys_url = configuration["jwks_uri"].removeprefix("http://testserver")
    keys = jwk.JWKSet.from_json(Client().get(keys_url).content.decode())
    verified = jwt.JWT(jwt=id_token, key=keys, algs=["RS256"])
    claims: dict[str, Any] = json.loads(verified.claims)
    assert claims["iss"] == configuration["issuer"]
    return claims


def test_a_practitioner_is_told_apart_by_their_practitioner_resource(
    clinic: Any, app: Any, make_user: Any, settings: Any
) -> None:
    settings.SITE_URL = "http://testserver"
    nurse = make_user("registered_nurse", clinic)
    body = tokens_for(nurse, app.client_id, "openid fhirUser user/*.rs")
    claims = _claims(body["id_token"])
    assert claims["aud"] == app.client_id
    assert claims["sub"] == str(nurse.pk)
    assert claims["fhirUser"] == f"http://testserver/fhir/Practitioner/{nurse.provider.pk}"
    # The app can read the resource it was pointed to with the token it got.
    resource = Client().get(
        claims["fhirUser"].removeprefix("http://testserver"), **bearer(body["access_token"])
    )
    assert resource.status_code == 200
    assert resource.json()["resourceType"] == "Practitioner"
    assert resource.json()["id"] == str(nurse.provider.pk)


def test_a_patient_is_their_patient_resource(
    clinic: Any, app: Any, make_user: Any, make_patient: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://cit.example"
    portal_user = make_user("patient", clinic)
    own = make_patient(clinic, portal_user=portal_user)
    body = tokens_for(portal_user, app.client_id, "openid fhirUser patient/*.rs launch/patient")
    claims = _claims(body["id_token"])
    assert claims["fhirUser"] == f"https://cit.example/fhir/Patient/{own.pk}"
    assert body["patient"] == str(own.pk)


def test_staff_who_do_not_treat_have_no_fhir_user_and_openid_alone_names_no_resource(
    clinic: Any, app: Any, make_user: Any
) -> None:
    desk = make_user("front_desk", clinic)
    claims = _claims(tokens_for(desk, app.client_id, "openid fhirUser user/*.rs")["id_token"])
    assert claims["sub"] == str(desk.pk)
    assert "fhirUser" not in claims
    nurse = make_user("registered_nurse", clinic)
    claims = _claims(tokens_for(nurse, app.client_id, "openid user/*.rs")["id_token"])
    assert claims["sub"] == str(nurse.pk)
    assert "fhirUser" not in claims


def test_without_openid_there_is_no_id_token(clinic: Any, app: Any, make_user: Any) -> None:
    body = tokens_for(make_user("registered_nurse", clinic), app.client_id, "user/*.rs")
    assert "id_token" not in body


def test_an_app_not_registered_for_openid_cannot_ask_for_it(
    clinic: Any, admin: Any, make_user: Any
) -> None:
    plain = register(
        admin, clinic, kind="app", client_auth="none", scopes="user/*.rs", redirect_uris=REDIRECT
    ).integration
    _verifier, challenge = pkce_pair()
    refused = authorise(make_user("registered_nurse", clinic), plain.client_id, "openid", challenge)
    assert refused.status_code in (302, 400)
    assert "code=" not in refused.get("Location", "")


def test_a_backend_service_is_not_a_person_and_gets_no_openid(clinic: Any, admin: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        register(admin, clinic, client_auth="client_secret", scopes="system/*.rs openid")
    assert "scopes" in refused.value.message_dict


def test_the_consent_screen_says_what_openid_and_fhir_user_tell_the_app(
    clinic: Any, app: Any, make_user: Any
) -> None:
    browser = Client()
    browser.force_login(make_user("registered_nurse", clinic))
    _verifier, challenge = pkce_pair()
    page = browser.get(
        "/oauth/authorize/", authorise_params(app.client_id, "openid fhirUser user/*.rs", challenge)
    ).content.decode()
    assert "Know that it is you who signed in" in page
    assert "Know which record in CIT is you" in page


def test_smart_configuration_offers_openid_connect() -> None:
    body = Client().get("/.well-known/smart-configuration").json()
    assert "sso-openid-connect" in body["capabilities"]
    assert {"openid", "fhirUser"} <= set(body["scopes_supported"])
    assert body["issuer"] == "http://testserver/oauth"
    keys = Client().get(body["jwks_uri"].removeprefix("http://testserver"))
    assert keys.status_code == 200
    assert all(key["kty"] == "RSA" and "d" not in key for key in keys.json()["keys"])
    discovery = Client().get("/oauth/.well-known/openid-configuration").json()
    assert discovery["issuer"] == body["issuer"]
    assert discovery["response_types_supported"] == ["code"]


def test_a_hybrid_flow_is_refused(clinic: Any, app: Any, make_user: Any) -> None:
    browser = Client()
    browser.force_login(make_user("registered_nurse", clinic))
    _verifier, challenge = pkce_pair()
    hybrid = authorise_params(
        app.client_id, "openid", challenge, response_type="code id_token", nonce="n"
    )
    answer = browser.get("/oauth/authorize/", hybrid)
    assert "id_token=" not in answer.get("Location", "")
    assert "code=" not in answer.get("Location", "")
