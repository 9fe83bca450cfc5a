"""Who may open which photographs page, role by role (written out by hand): clinical staff
of the patient's clinic; the patient their own photos; photo consent also the front desk and
the clinic admin (it is not clinical); the pixels answer 404 to everyone else."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from tests.clinic.photos.conftest import consent, stored_photo
from tests.role_table import (
    ALL,
    CLINICAL,
    STAFF,
    Endpoint,
    check_anonymous_refused,
    check_role_access,
)

OWN_CLINICAL = frozenset(CLINICAL | {"patient"})
ENDPOINTS = [
    Endpoint("photos", "GET", "/patients/{own}/photos/", OWN_CLINICAL),
    Endpoint("other's photos", "GET", "/patients/{other}/photos/", frozenset(CLINICAL)),
    Endpoint("capture", "GET", "/patients/{own}/photos/capture/", frozenset(CLINICAL)),
    Endpoint("compare", "GET", "/patients/{own}/photos/compare/", OWN_CLINICAL),
    Endpoint("timeline", "GET", "/patients/{own}/photos/views/face_frontal/", OWN_CLINICAL),
    Endpoint("photo consent", "GET", "/patients/{own}/photos/consent/", frozenset(ALL)),
    Endpoint("other's photo consent", "GET", "/patients/{other}/photos/consent/", frozenset(STAFF)),
    Endpoint("teaching gallery", "GET", "/photos/teaching/", frozenset(CLINICAL)),
]


@pytest.fixture
def scenario(clinic: Any, make_user: Any, make_patient: Any) -> dict[str, Any]:
    users = {role: make_user(role, clinic) for role in sorted(ALL)}
    own = make_patient(clinic, portal_user=users["patient"], given_name="Own")
    other = make_patient(clinic, given_name="Other", email="other@example.com")
    consent(users["physician"], own, "record", "teaching")
    photo = stored_photo(users["physician"], own, "face_frontal", datetime.date(2026, 9, 1))
    return {"users": users, "own": own.pk, "other": other.pk, "photo": photo.token}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_role_access(role: str, endpoint: Endpoint, scenario: dict[str, Any]) -> None:
    check_role_access(role, endpoint, scenario)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_anonymous_is_sent_to_log_in(endpoint: Endpoint, scenario: dict[str, Any]) -> None:
    check_anonymous_refused(endpoint, scenario)


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ALL))
def test_the_pixels_answer_404_to_everyone_not_allowed(role: str, scenario: dict[str, Any]) -> None:
    client = Client()
    client.force_login(scenario["users"][role])
    token = scenario["photo"]
    record = client.get(f"/photos/{token}/thumbnail/").status_code
    teaching = client.get(f"/photos/teaching/{token}/thumbnail/").status_code
    assert record == (200 if role in OWN_CLINICAL else 404)
    assert teaching == (200 if role in CLINICAL else 404)
