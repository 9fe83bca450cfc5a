"""Every role against every page and endpoint: allowed or denied, checked exhaustively.

The expectations are written out here by hand, on purpose: deriving them from the
permission module would only test it against itself.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cit.clinic.inventory.models import Lot, Product
from tests.role_table import (
    ADMIN,
    ALL,
    CLINICAL,
    LICENSED,
    NOBODY,
    STAFF,
    Endpoint,
    check_anonymous_refused,
    check_role_access,
)

NEW_PATIENT = {
    "given_name": "Nia",
    "family_name": "Adeyemi",
    "birth_date": "1990-04-02",
    "sex": "female",
}

SCREEN_BODY = {
    "birth_date": "1985-06-01",
    "goals": [{"indication": "rejuvenation", "areas": ["face"]}],
}

ENDPOINTS = [
    Endpoint("home", "GET", "/", frozenset(ALL)),
    Endpoint("patient list", "GET", "/patients/", frozenset(STAFF)),
    Endpoint("register form", "GET", "/patients/new/", frozenset(STAFF)),
    Endpoint("register", "POST", "/patients/new/", frozenset(STAFF), 302, NEW_PATIENT),
    Endpoint("own record", "GET", "/patients/{own}/", frozenset(ALL)),
    Endpoint("another patient's record", "GET", "/patients/{other}/", frozenset(STAFF)),
    Endpoint("another clinic's patient", "GET", "/patients/{foreign}/", frozenset(NOBODY)),
    Endpoint("edit form", "GET", "/patients/{own}/edit/", frozenset(STAFF)),
    Endpoint(
        "edit",
        "POST",
        "/patients/{own}/edit/",
        frozenset(STAFF),
        302,
        {**NEW_PATIENT, "given_name": "Renamed"},
    ),
    Endpoint(
        "edit another clinic's patient",
        "POST",
        "/patients/{foreign}/edit/",
        frozenset(NOBODY),
        302,
        NEW_PATIENT,
    ),
    Endpoint("archive", "POST", "/patients/{other}/archive/", frozenset(ADMIN), 302, {}),
    Endpoint("clinic set-up", "GET", "/clinic/", frozenset(STAFF)),
    Endpoint("add room", "POST", "/clinic/rooms/new/", frozenset(ADMIN), 302, {"name": "Room 9"}),
    Endpoint(
        "add device",
        "POST",
        "/clinic/devices/new/",
        frozenset(ADMIN),
        302,
        {"kind": "pen", "model": "SkinPen", "serial_number": "X-1", "max_depth_mm": "2.5"},
    ),
    Endpoint("audit log", "GET", "/audit/", frozenset(ADMIN)),
    Endpoint("lot register", "GET", "/inventory/", frozenset(CLINICAL | ADMIN)),
    Endpoint(
        "add product",
        "POST",
        "/inventory/products/new/",
        frozenset(LICENSED | ADMIN),
        302,
        {"kind": "serum", "name": "HA", "low_stock_threshold": "3"},
    ),
    Endpoint(
        "receive lot",
        "POST",
        "/inventory/lots/new/",
        frozenset(LICENSED | ADMIN),
        302,
        {
            "product": "",
            "lot_number": "L1",
            "expires_on": "2030-01-01",
            "received_on": "2026-01-01",
            "quantity": "1",
        },
    ),
    Endpoint("lot recall", "GET", "/inventory/lots/{lot}/recall/", frozenset(LICENSED | ADMIN)),
    Endpoint("api me", "GET", "/api/me", frozenset(ALL)),
    Endpoint("api patient list", "GET", "/api/patients", frozenset(STAFF)),
    Endpoint("api own record", "GET", "/api/patients/{own}", frozenset(ALL)),
    Endpoint("api another patient", "GET", "/api/patients/{other}", frozenset(STAFF)),
    Endpoint("api another clinic's patient", "GET", "/api/patients/{foreign}", frozenset(NOBODY)),
    Endpoint("api register", "POST", "/api/patients", frozenset(STAFF), 201, NEW_PATIENT),
    Endpoint("api edit", "PATCH", "/api/patients/{own}", frozenset(STAFF), 200, {"phone": "0123"}),
    Endpoint(
        "api edit another clinic's",
        "PATCH",
        "/api/patients/{foreign}",
        frozenset(NOBODY),
        200,
        {"phone": "0123"},
    ),
    Endpoint("api screen", "POST", "/api/screen", frozenset(CLINICAL), 200, SCREEN_BODY),
    Endpoint("api plan", "POST", "/api/plan", frozenset(CLINICAL), 200, SCREEN_BODY),
    Endpoint("questionnaire", "GET", "/patients/{own}/questionnaire/", frozenset(ALL - ADMIN)),
    Endpoint(
        "screening page", "GET", "/patients/{own}/screening/", frozenset(CLINICAL | {"patient"})
    ),
    Endpoint("other's screening page", "GET", "/patients/{other}/screening/", frozenset(CLINICAL)),
    Endpoint("plan page", "GET", "/patients/{own}/plan/", frozenset(CLINICAL | {"patient"})),
    Endpoint("other's plan page", "GET", "/patients/{other}/plan/", frozenset(CLINICAL)),
    Endpoint("provider rota", "GET", "/clinic/providers/{rota}/hours/", frozenset(ADMIN)),
    # Issue 10: archive asks first, restore, set-up edits, unlock, audit export, recall.
    Endpoint("archive question", "GET", "/patients/{other}/archive/", frozenset(ADMIN)),
    Endpoint("restore", "POST", "/patients/{other}/restore/", frozenset(ADMIN), 302, {}),
    Endpoint("opening hours", "GET", "/clinic/hours/", frozenset(ADMIN)),
    Endpoint("add staff form", "GET", "/clinic/staff/new/", frozenset(ADMIN)),
    Endpoint("edit staff form", "GET", "/clinic/staff/{nurse_user}/", frozenset(ADMIN)),
    Endpoint(
        "unlock account",
        "POST",
        "/clinic/accounts/{nurse_user}/unlock/",
        frozenset(ADMIN),
        302,
        {},
    ),
    Endpoint("audit export", "GET", "/audit/export.csv", frozenset(ADMIN)),
    # Issue 12: messages that did not go out and stuck background work.
    Endpoint("messages and background work", "GET", "/clinic/messages/", frozenset(ADMIN)),
    Endpoint(
        "recall a lot",
        "POST",
        "/inventory/lots/{lot}/recall/",
        frozenset(LICENSED | ADMIN),
        302,
        {"reason": "Maker's notice"},
    ),
]


@pytest.fixture
def scenario(clinic: Any, other_clinic: Any, make_user: Any, make_patient: Any) -> dict[str, Any]:
    users = {role: make_user(role, clinic) for role in sorted(ALL)}
    own = make_patient(clinic, portal_user=users["patient"], given_name="Own")
    other = make_patient(clinic, given_name="Other")
    foreign = make_patient(other_clinic, given_name="Foreign")
    product = Product.objects.create(clinic=clinic, kind="serum", name="Serum")
    lot = Lot.objects.create(
        product=product,
        lot_number="L0",
        expires_on=datetime.date(2030, 1, 1),
        received_on=datetime.date(2026, 1, 1),
        quantity_received=1,
        quantity_on_hand=1,
    )
    return {
        "users": users,
        "own": own.pk,
        "other": other.pk,
        "foreign": foreign.pk,
        "lot": lot.pk,
        "rota": users["registered_nurse"].provider.pk,
        "nurse_user": users["registered_nurse"].pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_role_access(role: str, endpoint: Endpoint, scenario: dict[str, Any]) -> None:
    check_role_access(role, endpoint, scenario)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_anonymous_is_sent_to_log_in(endpoint: Endpoint, scenario: dict[str, Any]) -> None:
    check_anonymous_refused(endpoint, scenario)
