"""The .ics: one VEVENT per session with a stable UID, local times with the clinic's TZID and
its VTIMEZONE, SEQUENCE and STATUS following changes; parsed back with icalendar."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from icalendar import Calendar

from cit.clinic.appointments.ics import build_calendar
from cit.clinic.appointments.models import Appointment
from cit.clinic.appointments.moves import do_cancel_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    return book(make_plan(make_patient(booking_clinic)))


def _events(data: bytes) -> list[Any]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_one_event_per_session_in_the_clinic_time_zone(series: Any, settings: Any) -> None:
    settings.CALENDAR_UID_DOMAIN = "cit.example-clinic.org"
    appointments = list(Appointment.objects.filter(series=series).order_by("number"))
    data = build_calendar(appointments)
    calendar = Calendar.from_ical(data)
    events = _events(data)
    assert len(events) == 4
    assert [str(t["TZID"]) for t in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    for appointment, event in zip(appointments, events, strict=True):
        assert str(event["UID"]) == f"appointment-{appointment.pk}@cit.example-clinic.org"
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        start = event.decoded("DTSTART")
        assert start == appointment.start
        assert start.tzinfo is not None
        assert event.decoded("DTEND") == appointment.end
        assert f"session {appointment.number} of 4" in str(event["SUMMARY"])
        assert "Room" in str(event["LOCATION"])
        assert str(event["STATUS"]) == "CONFIRMED"
    # Same appointments, same UIDs: calendar apps update instead of duplicating.
    again = _events(build_calendar(appointments))
    assert [str(e["UID"]) for e in again] == [str(e["UID"]) for e in events]


def test_cancelled_session_keeps_uid_with_higher_sequence(series: Any, desk: Any) -> None:
    second = Appointment.objects.get(series=series, number=2)
    do_cancel_session(actor=desk, appointment=second)
    second.refresh_from_db()
    (event,) = _events(build_calendar([second]))
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_patient_downloads_their_series(
    booking_clinic: Any, nurse: Any, make_user: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    portal = make_user("patient", booking_clinic)
    patient = make_patient(booking_clinic, portal_user=portal)
    book(make_plan(patient))
    client = Client()
    client.force_login(portal)
    response = client.get("/portal/appointments.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    events = _events(response.content)
    assert len(events) == 4
    assert all(e.decoded("DTSTART") > datetime.datetime.now(datetime.UTC) for e in events)
