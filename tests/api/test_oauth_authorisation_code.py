"""Authorisation code with PKCE (RFC 6749 §4.1, RFC 7636 S256) for apps used by people: the
token acts as the person who allowed it, with their role's rules (staff: user/ scopes) or
only their own record (a patient: patient/ scopes, and launch/patient names them)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api.oauth_helpers import (
    REDIRECT,
    authorise,
    bearer,
    code_from,
    exchange_code,
    pkce_pair,
    register_app,
    tokens_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(clinic: Any, make_user: Any) -> Any:
    return make_user("clinic_admin", clinic)


@pytest.fixture
def app(clinic: Any, admin: Any) -> Any:
    return register_app(admin, clinic, "user/*.rs patient/*.rs launch/patient")


def test_staff_token_follows_the_role(
    clinic: Any, app: Any, make_user: Any, make_patient: Any
) -> None:
    ada = make_patient(clinic)
    desk = make_user("front_desk", clinic)
    body = tokens_for(desk, app.client_id, "user/*.rs")
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "user/*.rs"
    assert "refresh_token" in body
    client = Client()
    found = client.get("/fhir/Patient", **bearer(body["access_token"]))
    assert found.status_code == 200
    assert [e["resource"]["id"] for e in found.json()["entry"]] == [str(ada.pk)]
    # The front desk may not read clinical notes on pages: nor with a token.
    assert client.get("/fhir/Procedure", **bearer(body["access_token"])).status_code == 403
    me = client.get("/api/me", **bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["username"] == desk.username


def test_patient_token_reads_only_their_own_record(
    clinic: Any, app: Any, make_user: Any, make_patient: Any
) -> None:
    portal_user = make_user("patient", clinic)
    own = make_patient(clinic, portal_user=portal_user)
    other = make_patient(clinic, given_name="Grace", family_name="Hopper")
    body = tokens_for(portal_user, app.client_id, "patient/*.rs launch/patient")
    # SMART launch context: the patient the token is about.
    assert body["patient"] == str(own.pk)
    token = body["access_token"]
    client = Client()
    assert client.get(f"/fhir/Patient/{own.pk}", **bearer(token)).status_code == 200
    assert client.get(f"/fhir/Patient/{other.pk}", **bearer(token)).status_code == 404
    listing = client.get("/fhir/Patient", **bearer(token)).json()
    assert [e["resource"]["id"] for e in listing["entry"]] == [str(own.pk)]
    assert client.get("/api/patients", **bearer(token)).status_code == 403


def test_patient_scopes_give_staff_nothing(clinic: Any, app: Any, make_user: Any) -> None:
    # A patient/ scope is about one patient's record; staff have no launch to pick one.
    body = tokens_for(make_user("physician", clinic), app.client_id, "patient/*.rs")
    assert Client().get("/fhir/Patient", **bearer(body["access_token"])).status_code == 403


def test_a_wrong_code_verifier_is_refused(clinic: Any, app: Any, make_user: Any) -> None:
    _verifier, challenge = pkce_pair()
    redirect = authorise(make_user("physician", clinic), app.client_id, "user/*.rs", challenge)
    other_verifier, _ = pkce_pair()
    answer = exchange_code(app.client_id, code_from(redirect), other_verifier)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_pkce_is_required(clinic: Any, app: Any, make_user: Any) -> None:
    browser = Client()
    browser.force_login(make_user("physician", clinic))
    page = browser.get(
        "/oauth/authorize/",
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": REDIRECT,
            "scope": "user/*.rs",
            "state": "s",
        },
    )
    # RFC 6749 §4.1.2.1: the error goes back to the app's redirect address.
    assert page.status_code == 302
    assert "error=invalid_request" in page["Location"]


def test_people_of_another_clinic_cannot_allow_the_app(
    other_clinic: Any, app: Any, make_user: Any
) -> None:
    _verifier, challenge = pkce_pair()
    answer = authorise(make_user("physician", other_clinic), app.client_id, "user/*.rs", challenge)
    assert answer.status_code == 403


def test_a_code_works_once(clinic: Any, app: Any, make_user: Any) -> None:
    verifier, challenge = pkce_pair()
    redirect = authorise(make_user("physician", clinic), app.client_id, "user/*.rs", challenge)
    code = code_from(redirect)
    assert exchange_code(app.client_id, code, verifier).status_code == 200
    assert exchange_code(app.client_id, code, verifier).json()["error"] == "invalid_grant"


def test_refusing_on_the_consent_screen_gives_no_code(
    clinic: Any, app: Any, make_user: Any
) -> None:
    _verifier, challenge = pkce_pair()
    browser = Client()
    browser.force_login(make_user("physician", clinic))
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": "user/*.rs",
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = browser.get("/oauth/authorize/", params)
    assert page.status_code == 200
    assert "Allow Skin diary app to read your records?" in page.content.decode()
    refused = browser.post("/oauth/authorize/", params)
    assert refused.status_code == 302
    assert "error=access_denied" in refused["Location"]


def test_logged_out_people_are_sent_to_log_in(app: Any) -> None:
    page = Client().get("/oauth/authorize/", {"client_id": app.client_id})
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/")


def test_a_token_stops_when_its_person_leaves_the_clinic(
    clinic: Any, other_clinic: Any, app: Any, make_user: Any
) -> None:
    nurse = make_user("registered_nurse", clinic)
    token = tokens_for(nurse, app.client_id, "user/*.rs")["access_token"]
    assert Client().get("/fhir/Patient", **bearer(token)).status_code == 200
    nurse.clinic = other_clinic
    nurse.save()
    assert Client().get("/fhir/Patient", **bearer(token)).status_code == 401
    nurse.clinic, nurse.is_active = clinic, False
    nurse.save()
    assert Client().get("/fhir/Patient", **bearer(token)).status_code == 401


@pytest.mark.parametrize(
    "params",
    [
        {"client_id": "x" * 5000, "response_type": "code"},
        {"client_id": "", "response_type": "code"},
        {"response_type": "token", "redirect_uri": "javascript:alert(1)"},
        {"response_type": "code", "redirect_uri": "https://evil.example/cb"},
        {"response_type": "code", "scope": "system/*.rs"},
        {"response_type": "code", "scope": "patient/*.cruds"},
        {"response_type": "code", "scope": "☃ \x7f"},
    ],
)
def test_hostile_authorisation_requests_are_refused_cleanly(
    clinic: Any, app: Any, make_user: Any, params: dict[str, str]
) -> None:
    _verifier, challenge = pkce_pair()
    browser = Client()
    browser.force_login(make_user("physician", clinic))
    query = {
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": "user/*.rs",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **params,
    }
    page = browser.get("/oauth/authorize/", query)
    assert page.status_code in (302, 400)
    if page.status_code == 302:
        # Never sent to an address the app did not register, and never with a code.
        assert page["Location"].startswith(REDIRECT + "?error=")
    assert "code=" not in page.get("Location", "")


@pytest.mark.parametrize(
    "body",
    [
        {"grant_type": "client_credentials", "client_id": "x" * 5000},
        {"grant_type": "authorization_code", "code": "nope", "client_id": "nope"},
        {"grant_type": "password", "username": "a", "password": "b"},
        {"grant_type": "☃"},
        {},
    ],
)
def test_hostile_token_requests_are_refused_cleanly(app: Any, body: dict[str, str]) -> None:
    answer = Client().post("/oauth/token/", body)
    assert answer.status_code in (400, 401)
    assert "access_token" not in answer.json()


def _refresh(client_id: str, refresh_token: str) -> Any:
    return Client().post(
        "/oauth/token/",
        {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id},
    )


def test_refresh_tokens_rotate_and_stop_with_the_person(
    clinic: Any, app: Any, make_user: Any
) -> None:
    nurse = make_user("registered_nurse", clinic)
    first = tokens_for(nurse, app.client_id, "user/*.rs")
    second = _refresh(app.client_id, first["refresh_token"])
    assert second.status_code == 200
    renewed = second.json()
    assert renewed["refresh_token"] != first["refresh_token"]
    assert Client().get("/fhir/Patient", **bearer(renewed["access_token"])).status_code == 200
    nurse.is_active = False
    nurse.save()
    refused = _refresh(app.client_id, renewed["refresh_token"])
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_a_used_refresh_token_is_refused_and_ends_its_family(
    clinic: Any, app: Any, make_user: Any
) -> None:
    first = tokens_for(make_user("physician", clinic), app.client_id, "user/*.rs")
    renewed = _refresh(app.client_id, first["refresh_token"]).json()
    # RFC 9700 §4.14.2: a replayed refresh token means theft; the whole chain ends.
    assert _refresh(app.client_id, first["refresh_token"]).status_code == 400
    assert _refresh(app.client_id, renewed["refresh_token"]).status_code == 400


def test_plain_pkce_is_refused_and_tokens_are_not_kept_in_clear(
    clinic: Any, app: Any, make_user: Any
) -> None:
    from oauth2_provider.models import AccessToken

    physician = make_user("physician", clinic)
    browser = Client()
    browser.force_login(physician)
    page = browser.get(
        "/oauth/authorize/",
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": REDIRECT,
            "scope": "user/*.rs",
            "code_challenge": "a" * 43,
            "code_challenge_method": "plain",
        },
    )
    assert "code=" not in page.get("Location", "")
    # RFC 9700 §4: only a checksum of the token is kept.
    token = tokens_for(physician, app.client_id, "user/*.rs")["access_token"]
    stored = AccessToken.objects.get()
    assert token not in (stored.token, stored.token_checksum)
