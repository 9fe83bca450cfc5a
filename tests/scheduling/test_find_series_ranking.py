"""What makes one proposal better than another, and the explanation that comes with it."""

from __future__ import annotations

from datetime import timedelta

from scheduling_support import (
    MONDAY,
    at,
    hold,
    make_clinic,
    make_provider,
    make_request,
    make_state,
)

from cit.scheduling import (
    PatientPreferences,
    ProposalWeights,
    ResourceKind,
    TimeRange,
    TimeWindow,
    find_series,
)

TWO_NURSES = [make_provider("lic-a"), make_provider("lic-b")]


def test_a_free_clinic_gets_a_perfect_series_at_the_same_time_of_day() -> None:
    proposal = find_series(make_request(), make_state()).best
    assert proposal is not None
    days = [s.start.date() for s in proposal.sessions]
    assert days[0] == MONDAY
    assert [(b - a).days for a, b in zip(days, days[1:], strict=False)] == [28, 28, 28]
    assert {s.start.strftime("%H:%M") for s in proposal.sessions} == {"08:00"}
    assert proposal.score.total == 0
    assert proposal.score.explain() == ()


def test_a_closed_target_day_costs_one_day_of_deviation_and_says_so() -> None:
    holiday = MONDAY + timedelta(days=28)
    state = make_state(clinic=make_clinic(closed=[holiday]))
    proposal = find_series(make_request(latest_start=MONDAY), state).best
    assert proposal is not None
    # 27 days would be a Sunday (closed too), so 29 it is.
    assert proposal.sessions[1].start.date() == holiday + timedelta(days=1)
    deviation = proposal.score.component("interval_deviation")
    assert deviation.amount == 1
    assert deviation.cost == 2.0
    assert "28-day target by 1 day" in proposal.score.explain()[0]


def test_the_lead_provider_is_kept_unless_that_costs_more_than_a_change() -> None:
    state = make_state(providers=TWO_NURSES)
    proposal = find_series(make_request(), state).best
    assert proposal is not None
    assert {s.provider_id for s in proposal.sessions} == {proposal.lead_provider_id}

    # lic-a is away for two months after Monday; lic-b only works afternoons. Starting with
    # lic-b keeps one provider throughout, which beats three provider changes.
    away = TimeRange(
        at(MONDAY + timedelta(days=1), "00:00"), at(MONDAY + timedelta(days=60), "00:00")
    )
    providers = [
        make_provider("lic-a", absences=[away]),
        make_provider("lic-b", hours="12:00-18:00"),
    ]
    result = find_series(make_request(latest_start=MONDAY), make_state(providers=providers))
    assert result.best is not None
    assert {s.provider_id for s in result.best.sessions} == {"lic-b"}
    led_by_a = next(p for p in result.alternatives if p.lead_provider_id == "lic-a")
    # Back with lic-a for session 4, once the absence is over.
    assert [s.provider_id for s in led_by_a.sessions] == ["lic-a", "lic-b", "lic-b", "lic-a"]
    assert led_by_a.score.component("provider_changes").amount == 2
    assert led_by_a.score.total > result.best.score.total


def test_preferred_weekday_outweighs_a_few_days_of_delay() -> None:
    thursday = PatientPreferences(weekdays=frozenset({3}))
    proposal = find_series(make_request(preferences=thursday), make_state()).best
    assert proposal is not None
    assert {s.start.weekday() for s in proposal.sessions} == {3}
    assert proposal.score.component("start_delay").amount == 3


def test_preferred_times_and_provider_are_honoured() -> None:
    preferences = PatientPreferences(
        time_windows=(TimeWindow.parse("16:00-18:00"),), provider_id="lic-b"
    )
    proposal = find_series(
        make_request(preferences=preferences), make_state(providers=TWO_NURSES)
    ).best
    assert proposal is not None
    assert {s.start.strftime("%H:%M") for s in proposal.sessions} == {"16:00"}
    assert {s.provider_id for s in proposal.sessions} == {"lic-b"}


def test_later_sessions_keep_session_ones_time_of_day_when_they_can() -> None:
    # Session 1 can only be at 14:00 (mornings busy); later days are free all day.
    busy = [hold(ResourceKind.PROVIDER, "lic-a", at(MONDAY, "07:00"), at(MONDAY, "14:00"))]
    proposal = find_series(make_request(latest_start=MONDAY), make_state(busy=busy)).best
    assert proposal is not None
    assert {s.start.strftime("%H:%M") for s in proposal.sessions} == {"14:00"}


def test_alternatives_are_genuinely_different_and_ranked() -> None:
    result = find_series(make_request(), make_state(providers=TWO_NURSES), alternatives=3)
    assert len(result.proposals) == 4
    assert [p.rank for p in result.proposals] == [1, 2, 3, 4]
    assert len({p.sessions[0].start.date() for p in result.proposals}) == 4
    totals = [p.score.total for p in result.proposals]
    assert totals == sorted(totals)
    assert result.alternatives == result.proposals[1:]


def test_alternatives_fall_back_to_another_provider_on_the_same_day() -> None:
    # Only Monday is allowed: alternatives must differ by provider instead.
    request = make_request(latest_start=MONDAY)
    result = find_series(request, make_state(providers=TWO_NURSES), alternatives=3)
    assert {p.lead_provider_id for p in result.proposals} == {"lic-a", "lic-b"}
    assert len(result.proposals) == 2


def test_the_breakdown_adds_up_and_weights_are_configurable() -> None:
    preferences = PatientPreferences(weekdays=frozenset({3}))
    impatient = ProposalWeights(start_delay_per_day=10.0)
    proposal = find_series(
        make_request(preferences=preferences), make_state(), weights=impatient
    ).best
    assert proposal is not None
    # Ten points per day of delay: starting on Monday and missing Thursday is now cheaper.
    assert proposal.sessions[0].start.date() == MONDAY
    assert proposal.score.total == sum(c.cost for c in proposal.score.components)
    assert proposal.score.component("weekday_misses").amount == 4
