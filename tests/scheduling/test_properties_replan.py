"""Property: after any move or absence, the greedy re-plan and the CP-SAT optimiser leave a book
in which no series breaks a rule or double-books a resource, past sessions never move, and a
series that is not kept whole only loses a tail of sessions."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scheduling_support import book, scenarios

from cit.scheduling import (
    BookedSeries,
    ClinicState,
    ProviderUnavailable,
    ReplanResult,
    ScheduleChange,
    SearchLimits,
    SeriesRequest,
    SessionMoved,
    SolveStatus,
    apply_replan,
    check_series,
    find_series,
    optimise_replan,
    replan,
)
from cit.scheduling.localtime import to_epoch

FAST = SearchLimits(horizon_days=30, max_completions=6, max_slot_evaluations=300)


@st.composite
def booked_clinics(
    draw: st.DrawFn,
) -> tuple[ClinicState, list[BookedSeries], ScheduleChange, datetime] | None:
    """A clinic with up to three booked series (different patients), a change and a 'now'."""
    state, request = draw(scenarios(max_busy=10))
    booked: list[BookedSeries] = []
    for n in range(draw(st.integers(1, 3))):
        patient_request = SeriesRequest(
            **{
                **{f: getattr(request, f) for f in request.__dataclass_fields__},
                "patient_id": f"patient-{n + 1}",
            }
        )
        proposal = find_series(patient_request, state, limits=FAST).best
        if proposal is None:
            break
        series = book(proposal, patient_request, f"s{n}")
        booked.append(series)
        state = state.with_changes(
            add=[h for s in series.sessions for h in s.holds(patient_request.patient_id)]
        )
    if not booked:
        return None
    sessions = [s for series in booked for s in series.sessions]
    anchor = draw(st.sampled_from(sessions))
    now = anchor.start - timedelta(minutes=draw(st.integers(-3 * 24 * 60, 14 * 24 * 60)))
    change: ScheduleChange
    if draw(st.booleans()):
        start = anchor.start - timedelta(minutes=draw(st.integers(0, 24 * 60)))
        change = ProviderUnavailable(
            anchor.provider_id, start, start + timedelta(hours=draw(st.integers(1, 24 * 21)))
        )
    else:
        owner = next(s for s in booked if anchor in s.sessions)
        slot = state.clinic.slot_minutes
        shift = timedelta(
            minutes=slot * draw(st.integers(-4 * 24 * 60 // slot, 10 * 24 * 60 // slot))
        )
        change = SessionMoved(owner.series_id, anchor.number, anchor.start + shift)
    return state, booked, change, now


def assert_result_is_sound(
    state: ClinicState,
    booked: list[BookedSeries],
    change: ScheduleChange,
    now: datetime,
    result: ReplanResult,
) -> None:
    if not result.accepted:
        assert result.rejected
        assert result.outcomes == ()
        return
    final = apply_replan(state, result, change)
    outcomes = {o.series_id: o for o in result.outcomes}
    for series in booked:
        outcome = outcomes.get(series.series_id)
        if outcome is None:
            continue
        by_number = {s.number: s for s in series.sessions}
        for session in outcome.sessions:
            if to_epoch(by_number[session.number].start) < to_epoch(now):
                assert session == by_number[session.number], "a past session moved"
        for move in outcome.moves:
            assert to_epoch(move.after.start) >= to_epoch(now)
            assert move.after.appointment_id == move.before.appointment_id
        kept = [s.number for s in outcome.sessions]
        assert kept == list(range(1, len(kept) + 1)), "only a tail may go unplaced"
        assert sorted(kept + list(outcome.unplaced)) == [s.number for s in series.sessions]
        own = [s.appointment_id for s in series.sessions if s.appointment_id]
        violations = [
            v
            for v in check_series(
                outcome.sessions,
                series.request,
                final,
                ignore_appointment_ids=own,
                require_complete=outcome.kept_whole,
            )
            # Sessions already in the past stand as they were, whatever the change says.
            if v.session_number is None
            or to_epoch(by_number[v.session_number].start) >= to_epoch(now)
            or v.code.value == "interval_out_of_window"
        ]
        assert not violations, [f"{v.code}: {v.message}" for v in violations]


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(booked_clinics())
def test_greedy_replan_never_breaks_a_rule(
    case: tuple[ClinicState, list[BookedSeries], ScheduleChange, datetime] | None,
) -> None:
    if case is None:
        return
    state, booked, change, now = case
    result = replan(booked, state, change, now=now)
    assert_result_is_sound(state, booked, change, now, result)
    assert result.objective == sum(o.cost for o in result.outcomes)


# Fewer examples than the profile's: each one runs the solver for up to 5 seconds.
@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(booked_clinics())
def test_the_solver_never_breaks_a_rule_and_never_loses_to_greedy(
    case: tuple[ClinicState, list[BookedSeries], ScheduleChange, datetime] | None,
) -> None:
    if case is None:
        return
    state, booked, change, now = case
    report = optimise_replan(booked, state, change, now=now, time_limit_seconds=5, workers=1)
    assert_result_is_sound(state, booked, change, now, report.result)
    if report.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        assert report.objective == report.result.objective
        assert report.objective is not None
        assert report.objective <= report.greedy_objective
        assert report.best_bound is not None
        assert report.best_bound <= report.objective + 1e-6
    if report.status is SolveStatus.OPTIMAL and report.relaxation_bound is not None:
        # CP-SAT proved its plan optimal: the Lagrangian bound must not exceed it.
        assert report.relaxation_bound <= report.objective


@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(booked_clinics())
def test_the_neighbourhood_search_alone_never_breaks_a_rule_and_never_loses_to_greedy(
    case: tuple[ClinicState, list[BookedSeries], ScheduleChange, datetime] | None,
) -> None:
    """CP-SAT gets no work: the plan returned is the neighbourhood search's, the same every
    time for the same input."""
    if case is None:
        return
    state, booked, change, now = case
    runs = [
        optimise_replan(
            booked, state, change, now=now, time_limit_seconds=5, deterministic_time_limit=0.0
        )
        for _ in range(2)
    ]
    report = runs[0]
    assert_result_is_sound(state, booked, change, now, report.result)
    assert runs[1].result == report.result
    if report.result.accepted:
        assert report.search is not None
        assert report.result.objective == report.search.objective <= report.greedy_objective
        assert report.result.objective == sum(o.cost for o in report.result.outcomes)
        if report.best_bound is not None:
            assert report.best_bound <= report.result.objective
