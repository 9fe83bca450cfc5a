"""Moving one session: preview the cascade first, confirm applies exactly that, atomically;
later sessions slide to keep every interval inside the window; ids are kept."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cit.clinic.appointments.errors import BookingConflict, SchedulingRefused
from cit.clinic.appointments.models import Appointment, ResourceHold
from cit.clinic.appointments.moves import do_move_session, do_preview_move
from cit.clinic.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
WEEK = datetime.timedelta(days=7)


@pytest.fixture
def series(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    # Acne scars: 4 sessions, interval 4–6 weeks, target 4.
    return book(make_plan(make_patient(booking_clinic)))


def _sessions(series: Any) -> list[Appointment]:
    return list(Appointment.objects.filter(series=series).order_by("number"))


def test_preview_shows_the_cascade_and_writes_nothing(series: Any, desk: Any) -> None:
    before = _sessions(series)
    second = before[1]
    preview = do_preview_move(actor=desk, appointment=second, new_start=second.start + WEEK)
    assert preview.rejected is None
    moved = {m.after.appointment_id: m for m in preview.result.moves}
    # Session 2 a week later leaves session 3 only three weeks after it: it must move too.
    assert str(before[1].pk) in moved
    assert str(before[2].pk) in moved
    assert not preview.result.broken
    assert [a.start for a in _sessions(series)] == [a.start for a in before]
    assert AuditEvent.objects.filter(object_id=str(second.pk), action="view").exists()


def test_confirm_applies_the_cascade_keeping_ids(series: Any, desk: Any) -> None:
    before = _sessions(series)
    second = before[1]
    preview = do_preview_move(actor=desk, appointment=second, new_start=second.start + WEEK)
    result = do_move_session(
        actor=desk,
        appointment=second,
        new_start=second.start + WEEK,
        expected=preview.fingerprint,
    )
    after = _sessions(series)
    assert [a.pk for a in after] == [a.pk for a in before]
    assert after[0].start == before[0].start
    assert after[1].start == before[1].start + WEEK
    zone = series.clinic.tzinfo
    days = [
        (b.start.astimezone(zone).date() - a.start.astimezone(zone).date()).days
        for a, b in zip(after, after[1:], strict=False)
    ]
    assert all(28 <= d <= 42 for d in days), days
    moved_ids = {int(m.after.appointment_id) for m in result.moves}
    for appointment in after:
        active = ResourceHold.objects.filter(appointment=appointment, active=True)
        assert active.count() == 4
        assert all(h.start >= appointment.start and h.end <= appointment.end for h in active)
        if appointment.pk in moved_ids:
            assert appointment.sequence == 1
            assert ResourceHold.objects.filter(appointment=appointment, active=False).count() == 4
    assert AuditEvent.objects.filter(object_id=str(second.pk), action="update").exists()


def test_a_move_outside_the_window_is_rejected_with_the_reason(series: Any, desk: Any) -> None:
    second = _sessions(series)[1]
    too_late = second.start + 5 * WEEK
    preview = do_preview_move(actor=desk, appointment=second, new_start=too_late)
    assert preview.rejected
    assert "window" in preview.rejected
    with pytest.raises(SchedulingRefused, match="Not moved"):
        do_move_session(actor=desk, appointment=second, new_start=too_late)
    assert _sessions(series)[1].start == second.start


def test_a_stale_preview_is_not_applied(series: Any, desk: Any) -> None:
    second = _sessions(series)[1]
    with pytest.raises(BookingConflict, match="changed since the preview"):
        do_move_session(
            actor=desk, appointment=second, new_start=second.start + WEEK, expected="stale"
        )
    assert _sessions(series)[1].start == second.start
    assert ResourceHold.objects.filter(active=False).count() == 0
