"""Each change of a visit's status is a ``do_*`` action with an audit event: check-in, undo,
no-show (releases the holds), cancel / late cancel; starting a session puts the day's visit in
treatment and signing its note completes it. Refused changes change nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cit.clinic.appointments.errors import SchedulingRefused
from cit.clinic.appointments.models import Appointment, ResourceHold
from cit.clinic.appointments.moves import do_cancel_session
from cit.clinic.appointments.visits import (
    do_check_in,
    do_complete_visit,
    do_mark_no_show,
    do_start_visit,
    do_undo_check_in,
)
from cit.clinic.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    return book(make_plan(make_patient(booking_clinic)))


def first(series: Any) -> Appointment:
    return Appointment.objects.select_related("clinic", "patient").get(series=series, number=1)


def events_for(appointment: Appointment) -> list[dict[str, Any]]:
    return [
        e.detail
        for e in AuditEvent.objects.filter(
            object_type="appointments.Appointment", object_id=str(appointment.pk)
        ).order_by("at", "id")
        if "event" in e.detail or "cancelled" in e.detail
    ]


def test_check_in_then_undo_then_check_in(series: Any, desk: Any) -> None:
    visit = first(series)
    before = visit.start - datetime.timedelta(minutes=10)
    arrived = do_check_in(actor=desk, appointment=visit, now=before)
    assert arrived.status == "arrived"
    assert arrived.arrived_at == before
    back = do_undo_check_in(actor=desk, appointment=visit, now=before)
    assert back.status == "booked"
    assert back.arrived_at is None
    do_check_in(actor=desk, appointment=visit, now=before)
    assert [e["event"] for e in events_for(visit)] == ["check_in", "undo_check_in", "check_in"]


def test_check_in_refused_on_another_day(series: Any, desk: Any) -> None:
    visit = first(series)
    with pytest.raises(SchedulingRefused, match="on the day"):
        do_check_in(actor=desk, appointment=visit, now=visit.start - datetime.timedelta(days=1))
    visit.refresh_from_db()
    assert visit.status == "booked"
    assert events_for(visit) == []


def test_no_show_releases_the_holds(series: Any, desk: Any) -> None:
    visit = first(series)
    with pytest.raises(SchedulingRefused, match="not started"):
        do_mark_no_show(
            actor=desk, appointment=visit, now=visit.start - datetime.timedelta(hours=1)
        )
    missed = do_mark_no_show(
        actor=desk, appointment=visit, now=visit.start + datetime.timedelta(minutes=20)
    )
    assert missed.status == "no_show"
    assert missed.no_show_at is not None
    assert not ResourceHold.objects.filter(appointment=visit, active=True).exists()
    assert missed.sequence == 1
    with pytest.raises(SchedulingRefused, match="already a no-show"):
        do_check_in(actor=desk, appointment=visit, now=visit.start)


def test_a_checked_in_patient_is_not_a_no_show(series: Any, desk: Any) -> None:
    visit = first(series)
    do_check_in(actor=desk, appointment=visit, now=visit.start)
    with pytest.raises(SchedulingRefused, match="checked in"):
        do_mark_no_show(actor=desk, appointment=visit, now=visit.end)


def test_start_and_complete(series: Any, nurse: Any) -> None:
    visit = first(series)
    with pytest.raises(SchedulingRefused, match="in treatment|booked"):
        do_complete_visit(actor=nurse, appointment=visit, now=visit.start)
    started = do_start_visit(actor=nurse, appointment=visit, now=visit.start)
    assert started.status == "in_treatment"
    assert started.treatment_started_at == visit.start
    done = do_complete_visit(actor=nurse, appointment=visit, now=visit.end)
    assert done.status == "completed"
    assert done.completed_at == visit.end
    # A completed visit keeps its place in the day.
    assert ResourceHold.objects.filter(appointment=visit, active=True).count() >= 3
    with pytest.raises(SchedulingRefused, match="already completed"):
        do_cancel_session(actor=nurse, appointment=visit, now=visit.end)


def test_late_cancellation(series: Any, desk: Any, settings: Any) -> None:
    settings.LATE_CANCEL_HOURS = 48
    second = Appointment.objects.get(series=series, number=2)
    early = do_cancel_session(
        actor=desk, appointment=second, now=second.start - datetime.timedelta(days=3)
    )
    assert early.status == "cancelled"
    third = Appointment.objects.get(series=series, number=3)
    late = do_cancel_session(
        actor=desk, appointment=third, now=third.start - datetime.timedelta(hours=30)
    )
    assert late.status == "late_cancelled"
    assert late.get_status_display() == "Cancelled late"
    assert events_for(third)[-1]["status"] == "late_cancelled"


def test_a_started_visit_cannot_be_cancelled(series: Any, desk: Any) -> None:
    visit = first(series)
    with pytest.raises(SchedulingRefused, match="no-show"):
        do_cancel_session(actor=desk, appointment=visit, now=visit.start)


def test_completed_sessions_stay_in_the_series_for_later_moves(series: Any, nurse: Any) -> None:
    from cit.clinic.appointments.convert import booked_series

    visit = first(series)
    do_start_visit(actor=nurse, appointment=visit, now=visit.start)
    do_complete_visit(actor=nurse, appointment=visit, now=visit.end)
    assert len(booked_series(series).sessions) == Appointment.objects.filter(series=series).count()


def test_refused_statuses_change_nothing(series: Any, desk: Any) -> None:
    visit = first(series)
    now = timezone.now()
    for action in (do_undo_check_in, do_complete_visit):
        with pytest.raises(SchedulingRefused):
            action(actor=desk, appointment=visit, now=now)
    visit.refresh_from_db()
    assert visit.status == "booked"
    assert visit.sequence == 0
