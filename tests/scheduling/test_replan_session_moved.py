"""replan after the front desk moves one session: the cascade, and what it refuses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from scheduling_support import (
    MONDAY,
    assert_bookable,
    at,
    book,
    make_provider,
    make_request,
    make_state,
    with_booked,
)

from cit.scheduling import (
    BookedSeries,
    BookedSession,
    ClinicState,
    IntervalWindow,
    SeriesRequest,
    SessionMoved,
    TimeRange,
    apply_replan,
    find_series,
    replan,
)

REQUEST = make_request(sessions=4, interval=IntervalWindow(14, 28, 42))
NOW = at(MONDAY - timedelta(days=7), "09:00")


def booked_series(
    state: ClinicState, request: SeriesRequest = REQUEST
) -> tuple[BookedSeries, ClinicState]:
    proposal = find_series(request, state).best
    assert proposal is not None
    series = book(proposal, request, "s1")
    return series, with_booked(state, series)


def days(series_sessions: tuple[BookedSession, ...]) -> list[date]:
    return [s.start.date() for s in series_sessions]


def test_a_small_move_leaves_later_sessions_where_they_are() -> None:
    series, state = booked_series(make_state())
    new_start = series.session(2).start + timedelta(days=3)
    result = replan([series], state, SessionMoved("s1", 2, new_start), now=NOW)
    assert result.accepted
    assert not result.broken
    (outcome,) = result.outcomes
    assert [m.after.number for m in outcome.moves] == [2]
    assert outcome.sessions[2:] == series.sessions[2:]  # 25 days is still inside 14..42
    # The cost is the 3 days session 3 now sits off its 28-day target.
    assert result.objective == 3 * 4


def test_a_big_move_cascades_and_keeps_time_of_day_and_provider() -> None:
    # Acne-scar window: at least 28 days apart, so moving session 2 on pushes 3 and 4 too.
    request = make_request(sessions=4, interval=IntervalWindow(28, 28, 42))
    providers = [make_provider("lic-a"), make_provider("lic-b")]
    series, state = booked_series(make_state(providers=providers), request)
    new_start = series.session(2).start + timedelta(days=10)
    result = replan([series], state, SessionMoved("s1", 2, new_start), now=NOW)
    (outcome,) = result.outcomes
    assert outcome.kept_whole
    assert [m.after.number for m in outcome.moves] == [2, 3, 4]
    gaps = [
        (b - a).days
        for a, b in zip(days(outcome.sessions), days(outcome.sessions)[1:], strict=False)
    ]
    assert gaps == [38, 28, 28]
    assert {s.start.strftime("%H:%M") for s in outcome.sessions} == {"08:00"}
    assert {s.provider_id for s in outcome.sessions} == {series.sessions[0].provider_id}
    final = apply_replan(state, result)
    ids = [s.appointment_id for s in series.sessions if s.appointment_id]
    assert_bookable(outcome.sessions, request, final, ignore_appointment_ids=ids)


def test_sessions_in_the_past_never_move() -> None:
    series, state = booked_series(make_state())
    now = series.session(2).start + timedelta(days=1)
    new_start = series.session(3).start + timedelta(days=14)
    result = replan([series], state, SessionMoved("s1", 3, new_start), now=now)
    (outcome,) = result.outcomes
    assert outcome.sessions[:2] == series.sessions[:2]
    assert all(m.before.start >= now for m in outcome.moves)


@pytest.mark.parametrize(
    ("number", "shift", "now_offset", "expected"),
    [
        (2, timedelta(days=-20), None, "days after session 1"),
        (2, timedelta(days=3, hours=10), None, "outside the opening hours"),
        (1, timedelta(days=-3), None, "must start between"),
        (2, timedelta(days=-40), "session2", "already took place"),
        (3, timedelta(days=-60), "session2", "into the past"),
    ],
)
def test_impossible_moves_are_rejected_with_the_reason(
    number: int, shift: timedelta, now_offset: str | None, expected: str
) -> None:
    series, state = booked_series(make_state())
    now = NOW if now_offset is None else series.session(2).start + timedelta(hours=1)
    move = SessionMoved("s1", number, series.session(number).start + shift)
    result = replan([series], state, move, now=now)
    assert not result.accepted
    assert result.outcomes == ()
    assert result.rejected is not None
    assert expected in result.rejected


def test_a_move_onto_a_busy_or_unlicensed_provider_is_rejected() -> None:
    providers = [make_provider("lic-a"), make_provider("esthetician", licensed=False)]
    series, state = booked_series(make_state(providers=providers))
    move = SessionMoved("s1", 2, series.session(2).start, provider_id="esthetician")
    result = replan([series], state, move, now=NOW)
    assert result.rejected is not None
    assert "not licensed" in result.rejected
    away = TimeRange(
        series.session(2).start - timedelta(days=2), series.session(2).start + timedelta(days=2)
    )
    absent = make_state(providers=[make_provider("lic-a", absences=[away])])
    absent = with_booked(absent, series)
    move = SessionMoved("s1", 2, series.session(2).start + timedelta(days=1))
    result = replan([series], absent, move, now=NOW)
    assert result.rejected is not None
    assert "absent or already booked" in result.rejected


def test_a_series_that_cannot_follow_the_move_is_reported_broken() -> None:
    series, state = booked_series(make_state())
    new_start = series.session(2).start + timedelta(days=10)
    blocked_from = new_start.date() + timedelta(days=1)
    away = TimeRange(at(blocked_from, "00:00"), at(blocked_from + timedelta(days=90), "00:00"))
    state = with_booked(make_state(providers=[make_provider("lic-a", absences=[away])]), series)
    result = replan([series], state, SessionMoved("s1", 2, new_start), now=NOW)
    (outcome,) = result.broken
    assert outcome.unplaced == (3, 4)
    assert outcome.reason is not None
    assert "session 3 has no free slot 14-42 days after session 2" in outcome.reason
    assert result.objective >= 2 * 1000 + 2000


def test_a_move_across_the_dst_change_keeps_the_local_time() -> None:
    request = make_request(
        sessions=4,
        interval=IntervalWindow(28, 28, 42),
        earliest_start=date(2025, 1, 20),
    )
    series, state = booked_series(make_state(), request)
    assert series.session(3).start.strftime("%m-%d %H:%M %z") == "03-17 08:00 +0000"
    new_start = series.session(2).start + timedelta(days=14)
    now = at(date(2025, 1, 13), "09:00")
    result = replan([series], state, SessionMoved("s1", 2, new_start), now=now)
    (outcome,) = result.outcomes
    # Session 3 goes from 17 March (GMT) to 31 March (BST), still at 08:00 on the clock.
    assert outcome.sessions[2].start.strftime("%m-%d %H:%M %z") == "03-31 08:00 +0100"
