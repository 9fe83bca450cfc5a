"""Property tests: planned depths never leave the zone's range, and sessions are never closer
than the minimum interval (nor further than the maximum)."""

from collections import Counter
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cit.protocol.knowledge import get_knowledge
from cit.protocol.model import Goal, Intake
from cit.protocol.planning import plan
from cit.protocol.profiles import available_profiles, load_profile

KNOWLEDGE = get_knowledge()
AREAS = [*KNOWLEDGE.zones, *KNOWLEDGE.zone_aliases]


def plausible_areas(indication: str) -> list[str]:
    """The areas CLINICAL.md section 3 lets the indication be planned on."""
    blocks = KNOWLEDGE.indications[indication].blocks
    return [
        area
        for area in AREAS
        if blocks is None
        or all(KNOWLEDGE.zones[z].block in blocks for z in KNOWLEDGE.expand_areas([area]))
    ]


def goal_for(indication: str, areas: list[str], prp: bool, single_scar: bool, scar: bool) -> Goal:
    scar_types = KNOWLEDGE.indications[indication].scar_types[:1] if scar else ()
    return Goal(indication, tuple(areas), prp=prp, single_scar=single_scar, scar_types=scar_types)


goals = st.sampled_from(list(KNOWLEDGE.indications)).flatmap(
    lambda indication: st.builds(
        goal_for,
        st.just(indication),
        st.lists(st.sampled_from(plausible_areas(indication)), min_size=1, max_size=4, unique=True),
        st.booleans(),
        st.booleans(),
        st.booleans(),
    )
)
plans = st.builds(
    lambda goal_list, birth, on, profile: (
        plan(Intake(birth_date=birth, goals=tuple(goal_list)), None, on, profile),
        profile,
        goal_list,
    ),
    st.lists(goals, min_size=1, max_size=4),
    st.dates(min_value=date(1940, 1, 1), max_value=date(2002, 1, 1)),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    st.sampled_from(available_profiles()),
)


@given(plans)
def test_planned_depths_stay_within_the_zone_range(planned: Any) -> None:
    result, profile, _ = planned
    zone_depths = load_profile(profile).settings.zone_depth_mm
    for series in result.series:
        for zone_plan in series.zones:
            low, high = zone_depths[zone_plan.zone]
            assert low <= zone_plan.depth.min_mm <= zone_plan.depth.max_mm <= high


@given(plans)
def test_sessions_are_never_closer_than_the_minimum_interval(planned: Any) -> None:
    result, _, _ = planned
    for series in result.series:
        assert len(series.session_dates) == series.sessions
        assert series.session_dates[0] == result.on
        for earlier, later in zip(series.session_dates, series.session_dates[1:], strict=False):
            gap = (later - earlier).days
            assert series.interval.min_days <= gap <= series.interval.max_days


@given(plans)
def test_every_goal_is_planned_once_in_a_series_whose_window_fits_it(planned: Any) -> None:
    result, _, given_goals = planned
    planned_goals = [goal for series in result.series for goal in series.goals]
    assert Counter(planned_goals) == Counter(given_goals)
    for series in result.series:
        interval = series.interval
        assert interval.min_weeks <= interval.target_weeks <= interval.max_weeks
        assert series.visit.total_minutes > 0
        assert series.licensed_only == any(z.licensed_only for z in series.zones)
        # Each goal keeps its own count, within its own range; the series runs to the longest.
        assert series.sessions == max(g.sessions for g in series.goal_plans)
        for goal_plan in series.goal_plans:
            low, high = goal_plan.sessions_range
            assert low <= goal_plan.sessions <= high
            assert goal_plan.last_session == series.session_dates[goal_plan.sessions - 1]
            own_low, _, own_high = goal_plan.interval_weeks
            assert own_low <= interval.min_weeks
            assert interval.max_weeks <= own_high


@given(plans)
def test_one_depth_per_zone_per_series_and_pigmented_zones_never_deeper_than_half_a_mm(
    planned: Any,
) -> None:
    result, _, given_goals = planned
    pigmented = {
        zone
        for goal in given_goals
        if goal.indication == "pigmentation"
        for zone in KNOWLEDGE.expand_areas(goal.areas)
    }
    for series in result.series:
        zones = [zone_plan.zone for zone_plan in series.zones]
        assert len(zones) == len(set(zones))
        for zone_plan in series.zones:
            if zone_plan.zone in pigmented:
                assert zone_plan.depth.max_mm <= 0.5


@given(plans)
def test_the_priced_parts_add_up_and_single_scars_are_never_priced_as_a_block(
    planned: Any,
) -> None:
    result, _, _ = planned
    totals = [s.price.series for s in result.series if s.price.series is not None]
    if totals:
        assert result.price_total == (sum(t[0] for t in totals), sum(t[1] for t in totals))
    else:
        assert result.price_total is None
    for series in result.series:
        price = series.price
        assert price.complete == all(part.total is not None for part in price.parts)
        for part in price.parts:
            if part.kind == "single_scar":
                assert part.per_unit is None  # the demo list prices no single scar
            assert 1 <= part.sessions <= series.sessions
