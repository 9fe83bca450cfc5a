"""Closure days: the admin adds them (yearly or once), every booking path skips them, and
sessions booked before a day was closed are listed for moving."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cit.clinic.appointments.closures import sessions_on_closure_days
from cit.clinic.appointments.models import Appointment
from cit.clinic.appointments.moves import do_preview_move
from cit.clinic.appointments.proposals import propose_series
from cit.clinic.audit.models import AuditEvent
from cit.clinic.facilities.actions import do_add_closure_day
from cit.clinic.facilities.models import ClosureDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic_admin_client(booking_clinic: Any, make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("clinic_admin", booking_clinic))
    return client


@pytest.fixture
def plan(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any) -> Any:
    return make_plan(make_patient(booking_clinic))


def _days(sessions: Any, zone: Any) -> set[datetime.date]:
    return {s.start.astimezone(zone).date() for s in sessions}


def test_proposals_skip_a_closure_day(plan: Any, desk: Any) -> None:
    clinic = plan.patient.clinic
    before = propose_series(plan=plan, series_index=0, now=timezone.now()).result.best
    assert before is not None
    closed = before.sessions[1].start.astimezone(clinic.tzinfo).date()
    do_add_closure_day(
        actor=None,
        clinic=clinic,
        date=closed.replace(year=closed.year - 1),
        name="Founders' day",
        repeats_yearly=True,
    )
    after = propose_series(plan=plan, series_index=0, now=timezone.now()).result.best
    assert after is not None
    assert closed not in _days(after.sessions, clinic.tzinfo)


def test_booked_sessions_on_a_new_closure_are_listed_and_cannot_move_onto_one(
    plan: Any, book: Any, desk: Any
) -> None:
    clinic = plan.patient.clinic
    series = book(plan)
    second = Appointment.objects.get(series=series, number=2)
    day = second.start.astimezone(clinic.tzinfo).date()
    do_add_closure_day(actor=None, clinic=clinic, date=day, name="Flood")
    listed = sessions_on_closure_days(clinic)
    assert [(a.pk, name) for a, name in listed] == [(second.pk, "Flood")]
    third = Appointment.objects.get(series=series, number=3)
    onto = datetime.datetime.combine(day, datetime.time(10), tzinfo=clinic.tzinfo)
    preview = do_preview_move(actor=desk, appointment=third, new_start=onto)
    assert preview.rejected


def test_admin_adds_and_removes_closures_on_the_page(
    clinic_admin_client: Client, booking_clinic: Any
) -> None:
    response = clinic_admin_client.post(
        "/calendar/closures/",
        {"date": "2026-12-25", "name": "Christmas Day", "repeats_yearly": "on"},
    )
    assert response.status_code == 302
    closure = ClosureDay.objects.get(clinic=booking_clinic)
    assert closure.repeats_yearly
    assert closure.name == "Christmas Day"
    again = clinic_admin_client.post("/calendar/closures/", {"date": "2026-12-25", "name": "Again"})
    assert again.status_code == 400
    assert b"already a closure day" in again.content
    page = clinic_admin_client.get("/calendar/closures/").content.decode()
    assert "Christmas Day" in page
    assert "every year" in page
    assert (
        clinic_admin_client.post("/calendar/closures/", {"remove": str(closure.pk)}).status_code
        == 302
    )
    closure.refresh_from_db()
    assert closure.is_archived
    assert AuditEvent.objects.filter(object_type="facilities.ClosureDay", action="archive").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"date": "25/12/2026", "name": "x"},
        {"date": "2026-02-30", "name": "x"},
        {"date": "", "name": "x"},
        {"date": "2026-12-25", "name": ""},
        {"date": "2026-12-25", "name": "x" * 500},
        {"remove": "abc"},
        {"remove": "999999"},
    ],
)
def test_bad_closure_input_is_a_4xx(clinic_admin_client: Client, data: dict[str, str]) -> None:
    response = clinic_admin_client.post("/calendar/closures/", data)
    assert 400 <= response.status_code < 500
    assert not ClosureDay.objects.exists()


def test_front_desk_sees_but_does_not_edit(desk: Any, booking_clinic: Any) -> None:
    client = Client()
    client.force_login(desk)
    assert client.get("/calendar/closures/").status_code == 200
    response = client.post("/calendar/closures/", {"date": "2026-12-25", "name": "x"})
    assert response.status_code == 403
    assert not ClosureDay.objects.exists()
