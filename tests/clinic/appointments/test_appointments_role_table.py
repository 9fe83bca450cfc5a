"""Every role against every booking page and endpoint, written out by hand.

Staff of the clinic (front desk, clinicians, admin) view and book; a patient sees only their
own bookings and .ics; nobody reaches another clinic's patients.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cit.clinic.appointments.models import Appointment
from cit.clinic.appointments.proposals import propose_series
from tests.role_table import (
    ALL,
    NOBODY,
    STAFF,
    Endpoint,
    check_anonymous_refused,
    check_role_access,
)

OWN = frozenset({"patient"})
MOVE_FORM = {"new_date": "{move_date}", "new_time": "{move_time}", "preview": "1"}

ENDPOINTS = [
    Endpoint("bookings page", "GET", "/patients/{own}/bookings/", STAFF),
    Endpoint("another clinic's bookings", "GET", "/patients/{foreign}/bookings/", NOBODY),
    Endpoint(
        "propose page", "GET", "/patients/{other}/bookings/plan/{other_plan}/series/0/", STAFF
    ),
    Endpoint("book", "POST", "/appointments/book/", STAFF, 302, {"token": "{token}"}),
    Endpoint("move page", "GET", "/appointments/{appointment}/move/", STAFF),
    Endpoint("move preview", "POST", "/appointments/{appointment}/move/", STAFF, 200, MOVE_FORM),
    Endpoint("cancel page", "GET", "/appointments/{appointment}/cancel/", STAFF),
    Endpoint("cancel", "POST", "/appointments/{appointment}/cancel/", STAFF, 302, {"reason": ""}),
    Endpoint("calendar", "GET", "/calendar/", STAFF),
    Endpoint("consultation page", "GET", "/patients/{other}/consultation/", STAFF),
    Endpoint("another clinic's consultation", "GET", "/patients/{foreign}/consultation/", NOBODY),
    Endpoint("maintenance due list", "GET", "/maintenance/", STAFF),
    Endpoint("absences", "GET", "/calendar/absences/", STAFF),
    Endpoint("own .ics (page)", "GET", "/patients/{own}/appointments.ics", ALL),
    Endpoint("other's .ics (page)", "GET", "/patients/{other}/appointments.ics", STAFF),
    Endpoint("foreign .ics (page)", "GET", "/patients/{foreign}/appointments.ics", NOBODY),
    Endpoint("portal bookings", "GET", "/portal/appointments/", OWN),
    Endpoint("portal .ics", "GET", "/portal/appointments.ics", OWN),
    Endpoint(
        "portal calendar link",
        "POST",
        "/portal/appointments/calendar-link/",
        OWN,
        200,
        {"action": "issue"},
    ),
    Endpoint(
        "api proposals",
        "GET",
        "/api/patients/{other}/plans/{other_plan}/series/0/proposals",
        STAFF,
    ),
    Endpoint(
        "api foreign proposals",
        "GET",
        "/api/patients/{foreign}/plans/{other_plan}/series/0/proposals",
        NOBODY,
    ),
    Endpoint("api book", "POST", "/api/bookings", STAFF, 201, {"token": "{token}"}),
    Endpoint("api own appointments", "GET", "/api/patients/{own}/appointments", ALL),
    Endpoint("api other's appointments", "GET", "/api/patients/{other}/appointments", STAFF),
    Endpoint("api foreign appointments", "GET", "/api/patients/{foreign}/appointments", NOBODY),
    Endpoint("api own .ics", "GET", "/api/patients/{own}/appointments.ics", ALL),
    Endpoint(
        "api move preview",
        "POST",
        "/api/appointments/{appointment}/move/preview",
        STAFF,
        200,
        {"new_start": "{move_to}"},
    ),
    Endpoint(
        "api move",
        "POST",
        "/api/appointments/{appointment}/move",
        STAFF,
        200,
        {"new_start": "{move_to}"},
    ),
    Endpoint(
        "api cancel", "POST", "/api/appointments/{appointment}/cancel", STAFF, 200, {"reason": ""}
    ),
    Endpoint("api calendar", "GET", "/api/calendar?start={day_start}&end={day_end}", STAFF),
    Endpoint(
        "api absence",
        "POST",
        "/api/absences",
        STAFF,
        201,
        {"provider_id": "{provider}", "start": "{far_start}", "end": "{far_end}"},
    ),
]


@pytest.fixture
def scenario(
    booking_clinic: Any,
    other_clinic: Any,
    make_user: Any,
    make_patient: Any,
    make_plan: Any,
    book: Any,
) -> dict[str, Any]:
    users = {role: make_user(role, booking_clinic) for role in sorted(ALL)}
    own = make_patient(booking_clinic, portal_user=users["patient"], given_name="Own")
    other = make_patient(booking_clinic, given_name="Other")
    foreign = make_patient(other_clinic, given_name="Foreign")
    series = book(make_plan(own))
    appointment = Appointment.objects.get(series=series, number=2)
    other_plan = make_plan(other)
    token = propose_series(plan=other_plan, series_index=0, now=timezone.now()).tokens[0]
    moved = appointment.local_start() + datetime.timedelta(days=7)
    day = appointment.start.replace(hour=0, minute=0)
    far = datetime.datetime(2031, 6, 2, 8, tzinfo=datetime.UTC)
    return {
        "users": users,
        "own": own.pk,
        "other": other.pk,
        "foreign": foreign.pk,
        "other_plan": other_plan.pk,
        "token": token,
        "appointment": appointment.pk,
        "move_to": moved.isoformat(),
        "move_date": moved.date().isoformat(),
        "move_time": moved.strftime("%H:%M"),
        "day_start": day.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "day_end": (day + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "provider": users["registered_nurse"].provider.pk,
        "far_start": far.isoformat(),
        "far_end": (far + datetime.timedelta(hours=4)).isoformat(),
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
