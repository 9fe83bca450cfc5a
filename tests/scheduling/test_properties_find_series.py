"""Property: whatever the clinic looks like, find_series never proposes a schedule that breaks a
hard rule, and never comes back empty-handed without a reason."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from scheduling_support import scenarios

from cit.scheduling import (
    ClinicState,
    SearchLimits,
    SeriesRequest,
    booking_horizon,
    check_series,
    find_series,
)

FAST = SearchLimits(horizon_days=45, max_completions=12, max_slot_evaluations=600)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_proposal_respects_every_hard_rule(
    scenario: tuple[ClinicState, SeriesRequest],
) -> None:
    state, request = scenario
    result = find_series(request, state, limits=FAST)
    if not result.found:
        assert result.failure is not None
        assert result.failure.message
        return
    first, last = booking_horizon(request, FAST)
    for proposal in result.proposals:
        # The booking layer may load only the holds within the horizon.
        days = [s.start.astimezone(state.zone).date() for s in proposal.sessions]
        assert first <= days[0]
        assert days[-1] <= last
        # Windows, opening and working hours, absences, licence, capabilities, devices,
        # double booking against existing holds and within the series itself.
        violations = check_series(proposal.sessions, request, state)
        assert not violations, [f"{v.code}: {v.message}" for v in violations]
        assert proposal.score.total >= 0


@given(scenarios())
def test_alternatives_start_on_another_day_or_with_another_provider(
    scenario: tuple[ClinicState, SeriesRequest],
) -> None:
    state, request = scenario
    result = find_series(request, state, limits=FAST)
    keys = [(p.sessions[0].start.date(), p.lead_provider_id) for p in result.proposals]
    assert len(keys) == len(set(keys))
    assert [p.rank for p in result.proposals] == list(range(1, len(result.proposals) + 1))
    if result.best is not None:
        assert result.best.score.total == min(p.score.total for p in result.proposals)
