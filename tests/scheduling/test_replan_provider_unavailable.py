"""replan after a provider becomes unavailable: sessions leave the absence, series stay whole
where they can, and the ones that cannot are named with a reason."""

from __future__ import annotations

from datetime import timedelta

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
    ClinicState,
    IntervalWindow,
    ProviderUnavailable,
    ReplanResult,
    Room,
    SeriesRequest,
    apply_replan,
    find_series,
    replan,
)

NOW = at(MONDAY - timedelta(days=7), "09:00")


def book_one(
    state: ClinicState, request: SeriesRequest, series_id: str
) -> tuple[BookedSeries, ClinicState]:
    proposal = find_series(request, state).best
    assert proposal is not None
    series = book(proposal, request, series_id)
    return series, with_booked(state, series)


def absence_on(provider_id: str, first_day_offset: int, days: int) -> ProviderUnavailable:
    start = at(MONDAY + timedelta(days=first_day_offset), "00:00")
    return ProviderUnavailable(provider_id, start, start + timedelta(days=days))


def assert_final_state_valid(
    state: ClinicState,
    series: list[BookedSeries],
    result: ReplanResult,
    change: ProviderUnavailable,
) -> None:
    final = apply_replan(state, result, change)
    outcomes = {o.series_id: o for o in result.outcomes}
    for booked in series:
        outcome = outcomes.get(booked.series_id)
        sessions = booked.sessions if outcome is None else outcome.sessions
        ids = [s.appointment_id for s in booked.sessions if s.appointment_id]
        assert_bookable(
            sessions,
            booked.request,
            final,
            ignore_appointment_ids=ids,
            require_complete=outcome is None or outcome.kept_whole,
        )


def test_a_one_day_absence_moves_the_session_to_the_next_day_same_time_same_provider() -> None:
    series, state = book_one(make_state(), make_request(), "s1")
    change = absence_on("lic-a", 28, 1)  # the day of session 2
    result = replan([series], state, change, now=NOW)
    (outcome,) = result.outcomes
    assert outcome.kept_whole
    (move,) = outcome.moves
    assert move.after.number == 2
    assert move.after.start == move.before.start + timedelta(days=1)
    assert move.after.provider_id == "lic-a"
    # Session 3 (27 days later, inside 14..42) stays put.
    assert outcome.sessions[2:] == series.sessions[2:]
    assert_final_state_valid(state, [series], result, change)


def test_a_long_absence_hands_the_session_to_another_provider_on_the_same_day() -> None:
    state = make_state(
        providers=[make_provider("lic-a"), make_provider("lic-b")], rooms=[Room("r1"), Room("r2")]
    )
    series, state = book_one(state, make_request(), "s1")
    change = absence_on(series.sessions[0].provider_id, 20, 30)
    result = replan([series], state, change, now=NOW)
    (outcome,) = result.outcomes
    (move,) = outcome.moves
    assert move.after.start == move.before.start
    assert move.provider_changed
    assert not move.start_changed
    assert result.objective == 15  # one provider change, nothing else
    assert_final_state_valid(state, [series], result, change)


def test_unaffected_series_and_past_sessions_are_left_alone() -> None:
    state = make_state(
        providers=[make_provider("lic-a"), make_provider("lic-b")], rooms=[Room("r1"), Room("r2")]
    )
    first, state = book_one(state, make_request(), "s1")
    other_request = make_request(patient_id="patient-2", earliest_start=MONDAY + timedelta(days=60))
    second, state = book_one(state, other_request, "s2")
    # lic-a away over session 1 of s1, but "now" is already past it.
    change = ProviderUnavailable(
        first.sessions[0].provider_id,
        first.sessions[0].start - timedelta(hours=1),
        first.sessions[0].end,
    )
    result = replan([first, second], state, change, now=first.sessions[0].end)
    assert result.outcomes == ()


def test_when_capacity_runs_out_the_broken_series_is_reported_with_its_reason() -> None:
    state = make_state()
    series, state = book_one(state, make_request(interval=IntervalWindow(28, 28, 35)), "s1")
    # The only provider is away from session 2 for longer than any interval allows.
    change = absence_on("lic-a", 25, 60)
    result = replan([series], state, change, now=NOW)
    (broken,) = result.broken
    assert broken.unplaced == (2, 3, 4)
    assert broken.reason is not None
    assert "session 2 has no free slot 28-35 days after session 1" in broken.reason
    assert broken.sessions == series.sessions[:1]
    assert_final_state_valid(state, [series], result, change)


def test_several_series_share_the_remaining_capacity_without_double_booking() -> None:
    providers = [make_provider("lic-a"), make_provider("lic-b", hours="08:00-12:00")]
    state = make_state(providers=providers, rooms=[Room("r1"), Room("r2")])
    booked = []
    for n in range(6):
        request = make_request(patient_id=f"patient-{n}")
        series, state = book_one(state, request, f"s{n}")
        booked.append(series)
    change = absence_on("lic-a", 25, 10)
    result = replan(booked, state, change, now=NOW)
    assert result.outcomes
    assert_final_state_valid(state, booked, result, change)
    for outcome in result.outcomes:
        for move in outcome.moves:
            assert not change.overlaps(move.after) or move.after.provider_id != "lic-a"
