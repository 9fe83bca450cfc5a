"""The clinic admin's integrations page: register a client (a secret is shown once and kept
only hashed), list the clinic's clients, revoke one (its live tokens end); nobody else may."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken

from cit.clinic.audit.models import AuditEvent
from cit.clinic.integrations.models import Integration
from tests.api.oauth_helpers import (
    assertion,
    assertion_token_request,
    bearer,
    public_set,
    register,
    rsa_key,
)

pytestmark = pytest.mark.django_db
PAGE = "/clinic/integrations/"


@pytest.fixture
def admin(clinic: Any, make_user: Any) -> Any:
    return make_user("clinic_admin", clinic)


def _browser(user: Any) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_register_a_backend_with_its_public_keys(clinic: Any, admin: Any) -> None:
    key = rsa_key()
    page = _browser(admin).post(
        PAGE,
        {
            "name": "Acme EHR",
            "kind": "backend",
            "client_auth": "private_key_jwt",
            "scopes": "system/*.rs",
            "jwks": json.dumps(public_set(key)),
        },
    )
    assert page.status_code == 200
    integration = Integration.objects.get()
    assert integration.clinic == clinic
    assert integration.scopes == "system/*.rs"
    text = page.content.decode()
    assert integration.client_id in text
    assert 'data-testid="client-secret"' not in text
    assert "no-store" in page["Cache-Control"]
    # The account it acts as never logs in and is not listed as staff.
    assert not integration.service_user.is_active
    assert not integration.service_user.has_usable_password()
    overview = _browser(admin).get("/clinic/").content.decode()
    assert integration.service_user.username not in overview
    # It works: a signed assertion gets a token.
    answer = assertion_token_request(Client(), assertion(key, integration.client_id))
    assert answer.status_code == 200
    created = AuditEvent.objects.get(action="create", object_type="integrations.Integration")
    assert created.actor == admin
    assert created.detail["oauth_client"] == integration.client_id


def test_a_secret_is_shown_once_and_kept_hashed(clinic: Any, admin: Any) -> None:
    browser = _browser(admin)
    page = browser.post(
        PAGE,
        {
            "name": "Reporting job",
            "kind": "backend",
            "client_auth": "client_secret",
            "scopes": "system/Patient.rs system/Appointment.rs",
        },
    )
    assert page.status_code == 200
    integration = Integration.objects.get()
    text = page.content.decode()
    start = text.index('data-testid="client-secret">') + len('data-testid="client-secret">')
    secret = text[start : text.index("</code>", start)]
    assert len(secret) >= 32
    assert secret not in integration.application.client_secret  # stored as a hash
    assert secret not in browser.get(PAGE).content.decode()
    assert not AuditEvent.objects.filter(detail__icontains=secret).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"scopes": "system/*.cruds"}, "scopes"),
        ({"scopes": "system/Unicorn.rs"}, "scopes"),
        ({"scopes": "user/*.rs"}, "scopes"),  # a backend gets system scopes
        ({"jwks": "{not json"}, "jwks"),
        ({"jwks": json.dumps({"keys": []})}, "jwks"),
        ({"jwks": "PRIVATE"}, "jwks"),
        ({"jwks": "", "jwks_url": "http://ehr.example/jwks"}, "jwks_url"),
        ({"jwks": ""}, "jwks"),
    ],
)
def test_bad_registrations_change_nothing(admin: Any, fields: dict[str, str], field: str) -> None:
    key = rsa_key()
    data = {
        "name": "Acme EHR",
        "kind": "backend",
        "client_auth": "private_key_jwt",
        "scopes": "system/*.rs",
        "jwks": json.dumps(public_set(key)),
        **fields,
    }
    if data["jwks"] == "PRIVATE":  # a private key must never be handed over
        data["jwks"] = json.dumps({"keys": [json.loads(key.export_private())]})
    page = _browser(admin).post(PAGE, data)
    assert page.status_code == 422
    assert f'data-field="{field}"' in page.content.decode()
    assert not Integration.objects.exists()


def test_register_an_app_needs_a_redirect_address(admin: Any) -> None:
    data = {"name": "Diary", "kind": "app", "client_auth": "none", "scopes": "patient/*.rs"}
    assert _browser(admin).post(PAGE, data).status_code == 422
    ok = _browser(admin).post(PAGE, {**data, "redirect_uris": "https://diary.example/cb"})
    assert ok.status_code == 200
    assert Integration.objects.get().application.client_type == "public"


def test_revoke_from_the_page_ends_live_tokens(clinic: Any, admin: Any) -> None:
    key = rsa_key()
    integration = register(admin, clinic, jwks=public_set(key)).integration
    token = assertion_token_request(Client(), assertion(key, integration.client_id)).json()[
        "access_token"
    ]
    browser = _browser(admin)
    answer = browser.post(f"{PAGE}{integration.pk}/revoke/", follow=True)
    assert answer.status_code == 200
    assert "1 live access token(s) ended" in answer.content.decode()
    integration.refresh_from_db()
    assert integration.revoked_at is not None
    assert integration.revoked_by == admin
    assert not AccessToken.objects.exists()
    assert Client().get("/fhir/Patient", **bearer(token)).status_code == 401
    # A second revoke says so and changes nothing.
    again = browser.post(f"{PAGE}{integration.pk}/revoke/", follow=True)
    assert "already revoked" in again.content.decode()


@pytest.mark.parametrize("role", ["physician", "front_desk", "esthetician", "patient"])
def test_only_the_clinic_admin_manages_integrations(
    clinic: Any, admin: Any, make_user: Any, role: str
) -> None:
    integration = register(admin, clinic, jwks=public_set(rsa_key())).integration
    browser = _browser(make_user(role, clinic))
    assert browser.get(PAGE).status_code == 403
    assert browser.post(f"{PAGE}{integration.pk}/revoke/").status_code == 403
    integration.refresh_from_db()
    assert integration.revoked_at is None


def test_another_clinics_integrations_are_not_there(
    clinic: Any, other_clinic: Any, admin: Any, make_user: Any
) -> None:
    theirs = register(
        make_user("clinic_admin", other_clinic), other_clinic, jwks=public_set(rsa_key())
    ).integration
    browser = _browser(admin)
    assert theirs.client_id not in browser.get(PAGE).content.decode()
    assert browser.post(f"{PAGE}{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
