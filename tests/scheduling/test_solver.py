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
