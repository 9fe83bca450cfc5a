"""The clinic-wide CP-SAT re-plan: valid, never worse than greedy, and better when placing
series one by one paints itself into a corner."""

from __future__ import annotations

from datetime import timedelta

from scheduling_support import (
    MONDAY,
    assert_bookable,
    at,
    book,
    hold,
    make_provider,
    make_request,
    make_state,
    with_booked,
)

from cit.scheduling import (
    BookedSeries,
    BookedSession,
    BoundSource,
    BusyInterval,
    ClinicState,
    DeviceKind,
    DeviceUse,
    IntervalWindow,
    ProviderUnavailable,
    ResourceKind,
    SessionMoved,
    SolveStatus,
    apply_replan,
    find_series,
    optimise_replan,
    replan,
)
from cit.scheduling.neighbourhood import SearchBudget

NOW = at(MONDAY - timedelta(days=7), "09:00")


def session(number: int, day_offset: int, hhmm: str, provider: str, tag: str) -> BookedSession:
    start = at(MONDAY + timedelta(days=day_offset), hhmm)
    end = start + timedelta(minutes=90)
    return BookedSession(
        number,
        start,
        end,
        provider,
        "room-1",
        (DeviceUse("pen-1", DeviceKind.PEN, start, end),),
        tag,
    )


def corner_case() -> tuple[list[BookedSeries], ClinicState, ProviderUnavailable]:
    """lic-a goes away in week 2. lic-b has two free slots: Tuesday and Thursday 10:00.
    Series A (window 7-10 days) could use either; series B (exactly 7 days) only Tuesday.
    Greedy places A first (its session is earlier) on the cheaper Tuesday and strands B."""
    a_request = make_request(patient_id="pa", sessions=2, interval=IntervalWindow(7, 7, 10))
    b_request = make_request(patient_id="pb", sessions=2, interval=IntervalWindow(7, 7, 7))
    series_a = BookedSeries(
        "A",
        a_request,
        (session(1, 1, "10:00", "lic-a", "a1"), session(2, 8, "10:00", "lic-a", "a2")),
    )
    series_b = BookedSeries(
        "B",
        b_request,
        (session(1, 1, "14:00", "lic-a", "b1"), session(2, 8, "14:00", "lic-a", "b2")),
    )
    lic_b_busy = [
        hold(
            ResourceKind.PROVIDER,
            "lic-b",
            at(MONDAY + timedelta(days=7), "00:00"),
            at(MONDAY + timedelta(days=8), "10:00"),
        ),
        hold(
            ResourceKind.PROVIDER,
            "lic-b",
            at(MONDAY + timedelta(days=8), "11:30"),
            at(MONDAY + timedelta(days=10), "10:00"),
        ),
        hold(
            ResourceKind.PROVIDER,
            "lic-b",
            at(MONDAY + timedelta(days=10), "11:30"),
            at(MONDAY + timedelta(days=14), "00:00"),
        ),
    ]
    state = with_booked(
        make_state(providers=[make_provider("lic-a"), make_provider("lic-b")], busy=lic_b_busy),
        series_a,
        series_b,
    )
    change = ProviderUnavailable(
        "lic-a", at(MONDAY + timedelta(days=7), "00:00"), at(MONDAY + timedelta(days=12), "00:00")
    )
    return [series_a, series_b], state, change


def test_jointly_placing_series_keeps_both_whole_where_greedy_breaks_one() -> None:
    series, state, change = corner_case()
    greedy = replan(series, state, change, now=NOW)
    assert [o.series_id for o in greedy.broken] == ["B"]

    report = optimise_replan(series, state, change, now=NOW, time_limit_seconds=10)
    assert report.status is SolveStatus.OPTIMAL
    assert report.broken == ()
    assert report.objective == report.result.objective < report.greedy_objective == greedy.objective
    assert report.best_bound == report.objective
    assert report.gap == 0
    moved = {m.series_id: m.after for m in report.result.moves}
    assert moved["A"].start == at(MONDAY + timedelta(days=10), "10:00")  # Thursday
    assert moved["B"].start == at(MONDAY + timedelta(days=8), "10:00")  # Tuesday
    final = apply_replan(state, report.result, change)
    for booked, outcome in zip(series, report.result.outcomes, strict=True):
        ids = [s.appointment_id for s in booked.sessions if s.appointment_id]
        assert_bookable(outcome.sessions, booked.request, final, ignore_appointment_ids=ids)


def test_the_objective_is_the_same_number_greedy_and_the_solver_report() -> None:
    state = make_state(providers=[make_provider("lic-a"), make_provider("lic-b")])
    booked = []
    for n in range(4):
        request = make_request(patient_id=f"p{n}")
        proposal = find_series(request, state).best
        assert proposal is not None
        series = book(proposal, request, f"s{n}")
        state = with_booked(state, series)
        booked.append(series)
    change = ProviderUnavailable(
        "lic-a", at(MONDAY + timedelta(days=26), "00:00"), at(MONDAY + timedelta(days=33), "00:00")
    )
    report = optimise_replan(booked, state, change, now=NOW, time_limit_seconds=10, workers=1)
    assert report.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert report.objective == sum(o.cost for o in report.result.outcomes)
    assert report.objective is not None
    assert report.objective <= report.greedy_objective
    assert report.best_bound is not None
    assert report.best_bound <= report.objective
    assert report.series == len(report.result.outcomes)
    assert report.candidates > 0


def test_an_impossible_change_is_infeasible_with_the_reason() -> None:
    series, state, _change = corner_case()
    move = SessionMoved("A", 2, at(MONDAY, "10:00"))  # before session 1
    report = optimise_replan(series, state, move, now=NOW)
    assert report.status is SolveStatus.INFEASIBLE
    assert report.result.rejected is not None
    assert "days after session 1" in report.result.rejected


def test_nothing_affected_means_nothing_to_do() -> None:
    series, state, _change = corner_case()
    far = ProviderUnavailable(
        "lic-a",
        at(MONDAY + timedelta(days=100), "00:00"),
        at(MONDAY + timedelta(days=101), "00:00"),
    )
    report = optimise_replan(series, state, far, now=NOW)
    assert report.status is SolveStatus.OPTIMAL
    assert report.objective == 0
    assert report.result.outcomes == ()


# -- the exact window encoding and the LP bound, on instances worked out by hand ---------------
# Costs (ReplanWeights): a moved start 20 + 2 a day + 2 an hour of day; another provider 15;
# 4 a day off the target interval; an unplaced session 1000, a series not kept whole 2000.


def three_sessions(window: IntervalWindow) -> BookedSeries:
    """Mondays of weeks 1-3 at 10:00 with lic-a."""
    request = make_request(patient_id="pa", sessions=3, interval=window)
    return BookedSeries(
        "S",
        request,
        tuple(session(n + 1, 7 * n, "10:00", "lic-a", f"s{n + 1}") for n in range(3)),
    )


def lic_a_away_on(first_day: int, days: int) -> ProviderUnavailable:
    return ProviderUnavailable(
        "lic-a",
        at(MONDAY + timedelta(days=first_day), "00:00"),
        at(MONDAY + timedelta(days=first_day + days), "00:00"),
    )


def lic_b_busy(*days: int) -> list[BusyInterval]:
    return [
        hold(
            ResourceKind.PROVIDER,
            "lic-b",
            at(MONDAY + timedelta(days=day), "00:00"),
            at(MONDAY + timedelta(days=day + 1), "00:00"),
        )
        for day in days
    ]


def two_providers(busy: list[BusyInterval], *series: BookedSeries) -> ClinicState:
    return with_booked(
        make_state(providers=[make_provider("lic-a"), make_provider("lic-b")], busy=busy),
        *series,
    )


def day_of(booked: BookedSession) -> int:
    return (booked.start.date() - MONDAY).days


def test_a_gap_outside_the_window_is_never_taken_even_when_it_would_be_cheaper() -> None:
    """Window 7-8 days. lic-a is away on day 7 and lic-b is busy then, so session 2 goes to
    day 8 with lic-a at 10:00: 20 + 2 (moved a day) + 4 (one day over target) = 26. Session 3
    could then stay on day 14 for 4 more points (a 6-day gap), but that is below the window:
    it moves to day 15 (gap 7): 20 + 2 = 22. Optimum 48."""
    series = three_sessions(IntervalWindow(7, 7, 8))
    state = two_providers(lic_b_busy(7), series)
    report = optimise_replan([series], state, lic_a_away_on(7, 1), now=NOW, time_limit_seconds=10)
    assert report.status is SolveStatus.OPTIMAL
    assert report.objective == report.result.objective == 48
    (outcome,) = report.result.outcomes
    assert [day_of(s) for s in outcome.sessions] == [0, 8, 15]
    assert all(s.provider_id == "lic-a" for s in outcome.sessions)


def test_one_series_alone_has_a_relaxation_bound_equal_to_its_optimum() -> None:
    """Window 7-10. lic-a is away all of week 2 and lic-b is free only on day 10, so session 2
    goes there at 10:00: 20 + 2 x 3 days + 15 (lic-b) + 4 x 3 days over target = 53. Session 3
    on day 14 would be 4 days later, below the window; day 17 (gap 7) with lic-a: 20 + 2 x 3
    = 26. Optimum 79. One series alone is a shortest path in the flow encoding, whose LP has
    integral optima, and with no other series no clique couples anything: the Lagrangian bound
    is exactly 79 too."""
    series = three_sessions(IntervalWindow(7, 7, 10))
    state = two_providers(lic_b_busy(7, 8, 9, 11, 12, 13), series)
    report = optimise_replan([series], state, lic_a_away_on(7, 7), now=NOW, time_limit_seconds=10)
    assert report.status is SolveStatus.OPTIMAL
    assert report.objective == 79
    (outcome,) = report.result.outcomes
    assert [(day_of(s), s.provider_id) for s in outcome.sessions] == [
        (0, "lic-a"),
        (10, "lic-b"),
        (17, "lic-a"),
    ]
    assert report.relaxation_bound == 79
    assert report.best_bound == 79
    assert report.gap == 0


def test_the_relaxation_bound_of_two_competing_series_is_reached_and_below_every_plan() -> None:
    """The corner case: keeping both series whole costs A on Thursday (20 + 2 x 2 days + 15 +
    4 x 2 days over target = 47) plus B on Tuesday 10:00 instead of 14:00 (20 + 2 x 4 hours
    + 15 = 43): 90. Greedy puts A on Tuesday (15: only the provider changes) and breaks B
    (1000 + 2000): 3015. Any fractional split of Tuesday between A and B costs more than 90,
    so the LP bound is 90, and the Lagrangian ascent reaches it (rounded up: costs are
    integers): 0 <= bound <= optimum, here equal."""
    series, state, change = corner_case()
    report = optimise_replan(series, state, change, now=NOW, time_limit_seconds=10)
    assert report.greedy_objective == 3015
    assert report.objective == 90
    assert report.relaxation_bound == 90


def test_without_time_for_cp_sat_the_neighbourhood_search_keeps_both_whole() -> None:
    """CP-SAT gets no work at all; the neighbourhood search frees A with B (A holds the slot B
    needs) and solves the two exactly: the optimum of 90, with the relaxation bound equal."""
    series, state, change = corner_case()
    report = optimise_replan(
        series, state, change, now=NOW, time_limit_seconds=10, deterministic_time_limit=0.0
    )
    assert report.status is SolveStatus.UNKNOWN
    assert report.objective is None
    assert report.search_objective == report.result.objective == 90
    assert report.greedy_objective == 3015
    assert report.broken == ()
    assert report.bound_source is BoundSource.LAGRANGIAN
    assert report.best_bound == 90
    assert report.gap == 0
    final = apply_replan(state, report.result, change)
    for booked, outcome in zip(series, report.result.outcomes, strict=True):
        ids = [s.appointment_id for s in booked.sessions if s.appointment_id]
        assert_bookable(outcome.sessions, booked.request, final, ignore_appointment_ids=ids)


def test_with_neither_search_nor_cp_sat_the_greedy_plan_stands_with_the_relaxation_bound() -> None:
    series, state, change = corner_case()
    report = optimise_replan(
        series,
        state,
        change,
        now=NOW,
        time_limit_seconds=10,
        deterministic_time_limit=0.0,
        search_budget=SearchBudget(neighbourhood_sizes=()),
    )
    assert report.status is SolveStatus.UNKNOWN
    assert report.objective is None
    assert report.result.objective == report.greedy_objective == 3015
    assert [o.series_id for o in report.broken] == ["B"]
    assert report.bound_source is BoundSource.LAGRANGIAN
    assert report.best_bound == 90
    assert report.gap == (3015 - 90) / 3015
