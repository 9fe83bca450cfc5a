"""The visit life cycle, pure: every event from every status, allowed or refused, and the
time rules (check-in on the day, no-show only after the start, late cancellation)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cit.scheduling.lifecycle import (
    ALLOWED,
    FINAL,
    HOLDING,
    TransitionRefused,
    Visit,
    VisitEvent,
    VisitStatus,
    next_status,
)

S, E = VisitStatus, VisitEvent
ZONE = "Europe/London"
START = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)  # 11:00 in London (BST)
END = START + timedelta(minutes=90)
NOTICE = timedelta(hours=24)

# The moment each event is tried: one when the time rules allow it.
WHEN = {
    E.CHECK_IN: START - timedelta(minutes=10),
    E.UNDO_CHECK_IN: START,
    E.START: START + timedelta(minutes=5),
    E.COMPLETE: END,
    E.NO_SHOW: START + timedelta(minutes=20),
    E.CANCEL: START - timedelta(days=3),
}
EXPECTED = {
    (S.BOOKED, E.CHECK_IN): S.ARRIVED,
    (S.ARRIVED, E.UNDO_CHECK_IN): S.BOOKED,
    (S.BOOKED, E.START): S.IN_TREATMENT,
    (S.ARRIVED, E.START): S.IN_TREATMENT,
    (S.IN_TREATMENT, E.COMPLETE): S.COMPLETED,
    (S.BOOKED, E.NO_SHOW): S.NO_SHOW,
    (S.BOOKED, E.CANCEL): S.CANCELLED,
    (S.ARRIVED, E.CANCEL): S.CANCELLED,
}


def visit(status: VisitStatus, start: datetime = START, end: datetime = END) -> Visit:
    return Visit(status, start, end, ZONE)


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("event", list(E))
def test_every_status_and_event(status: VisitStatus, event: VisitEvent) -> None:
    expected = EXPECTED.get((status, event))
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            next_status(visit(status), event, now=WHEN[event], late_notice=NOTICE)
        assert "_" not in refused.value.message  # human words, no enum values
    else:
        assert next_status(visit(status), event, now=WHEN[event], late_notice=NOTICE) is expected


def test_the_table_matches_the_expectations() -> None:
    allowed = {(status, event) for event, statuses in ALLOWED.items() for status in statuses}
    assert allowed == set(EXPECTED)


def test_final_statuses_change_no_more_and_hold_nothing_when_missed() -> None:
    for status in FINAL:
        assert not any(status in statuses for statuses in ALLOWED.values())
    assert HOLDING & {S.NO_SHOW, S.CANCELLED, S.LATE_CANCELLED} == set()
    assert S.COMPLETED in HOLDING


def test_check_in_only_on_the_day_and_before_the_end() -> None:
    the_day_before = START - timedelta(days=1)
    with pytest.raises(TransitionRefused, match="on the day"):
        next_status(visit(S.BOOKED), E.CHECK_IN, now=the_day_before, late_notice=NOTICE)
    with pytest.raises(TransitionRefused, match="over"):
        next_status(visit(S.BOOKED), E.CHECK_IN, now=END, late_notice=NOTICE)
    # Early morning the same local day counts as the day.
    early = datetime(2026, 6, 9, 23, 30, tzinfo=UTC)  # 00:30 on 10 June in London
    assert next_status(visit(S.BOOKED), E.CHECK_IN, now=early, late_notice=NOTICE) is S.ARRIVED


def test_the_day_is_the_clinics_day() -> None:
    # 23:30 UTC on 9 June is already 10 June in London, still 9 June in New York.
    late_start = datetime(2026, 6, 10, 13, 0, tzinfo=UTC)
    now = datetime(2026, 6, 10, 3, 30, tzinfo=UTC)  # 23:30 on 9 June in New York
    new_york = Visit(S.BOOKED, late_start, late_start + timedelta(hours=1), "America/New_York")
    with pytest.raises(TransitionRefused):
        next_status(new_york, E.CHECK_IN, now=now, late_notice=NOTICE)
    assert (
        next_status(
            visit(S.BOOKED, late_start, late_start + timedelta(hours=1)),
            E.CHECK_IN,
            now=now,
            late_notice=NOTICE,
        )
        is S.ARRIVED
    )


def test_start_only_on_the_day() -> None:
    with pytest.raises(TransitionRefused, match="on the day"):
        next_status(visit(S.ARRIVED), E.START, now=START + timedelta(days=1), late_notice=NOTICE)


def test_no_show_only_after_the_start() -> None:
    with pytest.raises(TransitionRefused, match="not started"):
        next_status(
            visit(S.BOOKED), E.NO_SHOW, now=START - timedelta(minutes=1), late_notice=NOTICE
        )
    assert next_status(visit(S.BOOKED), E.NO_SHOW, now=START, late_notice=NOTICE) is S.NO_SHOW


def test_cancel_with_short_notice_is_late() -> None:
    assert (
        next_status(visit(S.BOOKED), E.CANCEL, now=START - timedelta(hours=25), late_notice=NOTICE)
        is S.CANCELLED
    )
    assert (
        next_status(visit(S.BOOKED), E.CANCEL, now=START - timedelta(hours=2), late_notice=NOTICE)
        is S.LATE_CANCELLED
    )
    # A checked-in visit may still be cancelled on the day (say the re-screen refuses).
    assert (
        next_status(
            visit(S.ARRIVED), E.CANCEL, now=START + timedelta(minutes=5), late_notice=NOTICE
        )
        is S.LATE_CANCELLED
    )


def test_a_started_booked_visit_is_a_no_show_not_a_cancellation() -> None:
    with pytest.raises(TransitionRefused, match="no-show"):
        next_status(visit(S.BOOKED), E.CANCEL, now=START, late_notice=NOTICE)
