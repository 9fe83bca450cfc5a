"""Every role against every outcome page, written out by hand: the clinic's clinical roles
see and rate everything; the patient sees their own results and rates only the
patient-rated scales; front desk and clinic admin are refused. (Another patient's record
answers a portal user 404: test_outcome_permissions.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from tests.role_table import (
    ALL,
    CLINICAL,
    Endpoint,
    check_anonymous_refused,
    check_role_access,
)

OWN_PATIENT = frozenset({"patient"})
GRADE = {"rated_on": "{today}", "in_value": "2"}

ENDPOINTS = [
    Endpoint("outcome page", "GET", "/patients/{own}/outcomes/", CLINICAL | OWN_PATIENT),
    Endpoint("summary PDF", "GET", "/patients/{own}/outcomes/summary.pdf", CLINICAL | OWN_PATIENT),
    Endpoint("Glogau form", "GET", "/patients/{own}/outcomes/rate/glogau/", CLINICAL),
    Endpoint("rate Glogau", "POST", "/patients/{own}/outcomes/rate/glogau/", CLINICAL, 302, GRADE),
    Endpoint(
        "satisfaction form",
        "GET",
        "/patients/{own}/outcomes/rate/satisfaction/",
        CLINICAL | OWN_PATIENT,
    ),
    Endpoint(
        "rate satisfaction",
        "POST",
        "/patients/{own}/outcomes/rate/satisfaction/",
        CLINICAL | OWN_PATIENT,
        302,
        GRADE,
    ),
    Endpoint(
        "rate GAIS as clinician",
        "POST",
        "/patients/{own}/outcomes/rate/gais-clinician/",
        CLINICAL,
        302,
        GRADE,
    ),
]


@pytest.fixture
def scenario(clinic: Any, make_user: Any, make_patient: Any) -> dict[str, Any]:
    users = {role: make_user(role, clinic) for role in ALL}
    own = make_patient(clinic, portal_user=users["patient"])
    return {"users": users, "own": own.pk, "today": clinic.today().isoformat()}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("role", sorted(ALL))
def test_role_access(role: str, endpoint: Endpoint, scenario: dict[str, Any]) -> None:
    check_role_access(role, endpoint, scenario)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_anonymous_goes_to_log_in(endpoint: Endpoint, scenario: dict[str, Any]) -> None:
    check_anonymous_refused(endpoint, scenario)
