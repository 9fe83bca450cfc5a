"""Who is due for maintenance: after the last session of a booked series is held, one
session in the plan's window (4–6 months after it, CLINICAL §3); not while sessions are still
to come, not once maintenance is booked, never for an archived patient."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cit.clinic.appointments.booking import do_book_proposal
from cit.clinic.appointments.errors import BookingConflict
from cit.clinic.appointments.maintenance import (
    maintenance_entries,
    maintenance_entry,
    propose_maintenance,
)
from cit.clinic.appointments.models import Appointment, SeriesBooking
from cit.clinic.patients.actions import do_archive_patient
from cit.scheduling.maintenance import DueState
from tests.clinic.appointments.maintenance_support import finish_series

pytestmark = pytest.mark.django_db
LAST = datetime.date(2026, 3, 10)


def _noon(clinic: Any, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=clinic.tzinfo)


@pytest.fixture
def finished(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    series = book(make_plan(make_patient(booking_clinic)))
    finish_series(series, LAST)
    return series


def test_the_window_is_counted_from_the_last_session_held(
    booking_clinic: Any, finished: Any
) -> None:
    # Last session 10 March 2026: window 10 July – 10 September, target (6 months) 10 Sep.
    [entry] = maintenance_entries(
        booking_clinic, now=_noon(booking_clinic, datetime.date(2026, 8, 1))
    )
    assert entry.patient == finished.patient
    assert (entry.plan, entry.series_index) == (finished.plan, 0)
    assert entry.due.last_session == LAST
    assert entry.due.opens == datetime.date(2026, 7, 10)
    assert entry.due.closes == datetime.date(2026, 9, 10)
    assert entry.due.target == datetime.date(2026, 9, 10)
    assert entry.state is DueState.NOW


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (datetime.date(2026, 5, 1), None),
        (datetime.date(2026, 6, 20), DueState.SOON),
        (datetime.date(2026, 9, 10), DueState.NOW),
        (datetime.date(2026, 9, 11), DueState.OVERDUE),
    ],
)
def test_due_soon_now_overdue(
    booking_clinic: Any, finished: Any, today: datetime.date, state: DueState | None
) -> None:
    entries = maintenance_entries(booking_clinic, now=_noon(booking_clinic, today))
    assert [e.state for e in entries] == ([state] if state else [])


def test_not_due_while_a_session_is_still_to_come(booking_clinic: Any, finished: Any) -> None:
    last = Appointment.objects.filter(series=finished).order_by("-number").first()
    Appointment.objects.filter(pk=last.pk).update(status="booked")
    before = _noon(booking_clinic, LAST) - datetime.timedelta(hours=5)
    assert maintenance_entries(booking_clinic, now=before, states=None) == []


def test_a_no_show_last_session_does_not_count(booking_clinic: Any, finished: Any) -> None:
    last = Appointment.objects.filter(series=finished).order_by("-number").first()
    Appointment.objects.filter(pk=last.pk).update(status="no_show")
    [entry] = maintenance_entries(
        booking_clinic, now=_noon(booking_clinic, datetime.date(2026, 8, 1)), states=None
    )
    # The session before, four weeks earlier (10 February), is the last one held.
    assert entry.due.last_session == datetime.date(2026, 2, 10)
    assert entry.due.opens == datetime.date(2026, 6, 10)


def test_an_archived_patient_is_never_due(booking_clinic: Any, finished: Any, desk: Any) -> None:
    do_archive_patient(actor=desk, patient=finished.patient)
    assert (
        maintenance_entries(booking_clinic, now=_noon(booking_clinic, datetime.date(2026, 8, 1)))
        == []
    )


def test_book_one_maintenance_session_inside_the_window(
    booking_clinic: Any, nurse: Any, desk: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    series = book(make_plan(make_patient(booking_clinic)))
    today = booking_clinic.today()
    last = today - datetime.timedelta(days=150)  # about five months ago: the window is open
    finish_series(series, last)
    entry = maintenance_entry(series.plan, 0)
    assert entry is not None
    assert entry.state is DueState.NOW
    proposals = propose_maintenance(entry=entry)
    assert proposals.sessions
    assert not proposals.failure
    booking = do_book_proposal(actor=desk, token=proposals.tokens[0], clinic=booking_clinic)
    assert (booking.kind, booking.plan, booking.series_index) == ("maintenance", series.plan, 0)
    [visit] = Appointment.objects.filter(series=booking)
    day = visit.local_start().date()
    # Inside the window and from today on: at most six months (184 days) after the last.
    assert today <= day <= last + datetime.timedelta(days=184)
    assert entry.due.opens <= day <= entry.due.closes
    # The treatment visit's length: the plan's series visit.
    minutes = series.plan.accepted["series"][0]["visit"]["total_minutes"]
    assert visit.end - visit.start == datetime.timedelta(minutes=minutes)
    # Booked: no longer due; a second maintenance session is refused.
    assert maintenance_entries(booking_clinic) == []
    with pytest.raises(BookingConflict):
        do_book_proposal(actor=desk, token=proposals.tokens[1], clinic=booking_clinic)
    assert SeriesBooking.objects.filter(kind="maintenance").count() == 1


def test_after_the_maintenance_session_the_next_window_counts_from_it(
    booking_clinic: Any, finished: Any
) -> None:
    maintenance = SeriesBooking.objects.create(
        clinic=booking_clinic,
        patient=finished.patient,
        plan=finished.plan,
        series_index=0,
        kind="maintenance",
        request=finished.request,
    )
    start = _noon(booking_clinic, datetime.date(2026, 8, 20))
    Appointment.objects.create(
        clinic=booking_clinic,
        patient=finished.patient,
        series=maintenance,
        number=1,
        provider=Appointment.objects.filter(series=finished).first().provider,
        room=Appointment.objects.filter(series=finished).first().room,
        start=start,
        end=start + datetime.timedelta(hours=1),
        status="completed",
    )
    [entry] = maintenance_entries(
        booking_clinic, now=_noon(booking_clinic, datetime.date(2026, 12, 1)), states=None
    )
    assert entry.due.last_session == datetime.date(2026, 8, 20)
    assert (entry.due.opens, entry.due.closes) == (
        datetime.date(2026, 12, 20),
        datetime.date(2027, 2, 20),
    )
