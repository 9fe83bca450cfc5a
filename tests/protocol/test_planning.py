"""Planning a series: sessions, intervals, depths by zone, who may needle, visit, recovery,
milestones, maintenance, price; combined goals; refusal."""

from datetime import date, timedelta
from typing import Any

import pytest

from cit.protocol.model import Decision, Goal, Intake
from cit.protocol.planning import PlanningError, PlanRefused, SeriesPlan, plan

from .helpers import ADULT, area, history, med

ON = date(2025, 1, 6)


def intake_for(*goals: Goal, **fields: Any) -> Intake:
    return Intake(birth_date=ADULT, goals=goals, **fields)


def one_series(*goals: Goal, **fields: Any) -> SeriesPlan:
    result = plan(intake_for(*goals, **fields), None, ON)
    (series,) = result.series
    return series


def test_rejuvenation_of_the_full_face() -> None:
    series = one_series(Goal("rejuvenation", ("face",)))
    assert series.sessions == 4
    assert (series.interval.min_weeks, series.interval.target_weeks, series.interval.max_weeks) == (
        2,
        4,
        6,
    )
    assert series.session_dates == (ON, date(2025, 2, 3), date(2025, 3, 3), date(2025, 3, 31))
    assert series.visit.total_minutes == 90  # 15 + 30 numbing + 30 full face + 15
    assert [block for block, _ in series.visit.needling_by_block] == ["face"]
    assert {zone.zone for zone in series.zones} == {
        "forehead", "periorbital", "nose", "cheeks", "perioral", "chin", "jawline",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("indication", "zone", "expected"),
    [
        ("rejuvenation", "cheeks", (0.5, 1.0)),
        ("rejuvenation", "periorbital", (0.25, 0.5)),
        ("acne_scars", "cheeks", (1.0, 2.0)),
        ("acne_scars", "jawline", (1.0, 1.0)),
        ("pigmentation", "forehead", (0.25, 0.5)),
        ("alopecia", "scalp", (0.5, 1.5)),
        ("striae", "thighs", (1.5, 2.0)),
    ],
)
def test_depth_is_the_indication_range_clipped_to_the_zone(
    indication: Any, zone: Any, expected: Any
) -> None:
    (zone_plan,) = one_series(Goal(indication, (zone,))).zones
    assert (zone_plan.depth.min_mm, zone_plan.depth.max_mm) == expected
    assert zone_plan.depth.note is None


@pytest.mark.parametrize(
    ("zone", "expected"), [("periorbital", (0.2, 0.5)), ("forehead", (0.25, 0.75))]
)
def test_a_zone_shallower_than_the_indication_gives_its_own_range_and_says_why(
    zone: str, expected: Any
) -> None:
    # Acne scars 1.0-2.0 mm on the forehead (0.25-0.75): the zone's range applies.
    series = one_series(Goal("acne_scars", (zone,)))
    (zone_plan,) = series.zones
    assert (zone_plan.depth.min_mm, zone_plan.depth.max_mm) == expected
    assert zone_plan.depth.note is not None
    assert "does not overlap" in zone_plan.depth.note
    assert "allows no deeper" in zone_plan.depth.note
    assert any("does not overlap" in note.text for note in series.notes)


def test_deeper_than_the_threshold_is_for_licensed_professionals_only() -> None:
    deep = one_series(Goal("acne_scars", ("cheeks",)))
    assert deep.licensed_only
    assert deep.zones[0].licensed_only
    assert "Licensed medical professional" in deep.zones[0].performer


def test_the_indication_session_count_and_interval() -> None:
    series = one_series(Goal("alopecia", ("scalp",)))
    assert series.sessions == 12
    assert series.interval.target_weeks == 1
    gaps = {b - a for a, b in zip(series.session_dates, series.session_dates[1:], strict=False)}
    assert gaps == {timedelta(weeks=1)}


def test_alopecia_with_prp_is_four_sessions_four_to_six_weeks_apart() -> None:
    # CLINICAL.md section 3: alopecia with PRP 4 (4-6) sessions, 4 / 4 / 6 weeks [YEP21].
    series = one_series(Goal("alopecia", ("scalp",), prp=True))
    assert series.sessions == 4
    assert (series.interval.min_weeks, series.interval.target_weeks, series.interval.max_weeks) == (
        4,
        4,
        6,
    )
    assert series.session_dates == (ON, date(2025, 2, 3), date(2025, 3, 3), date(2025, 3, 31))
    assert series.goal_plans[0].sessions_range == (4, 6)
    assert any("YEP21" in note.sources for note in series.notes)
    # PRP: 10-minute draw before numbing, the 15-minute spin inside the 30 minutes of numbing.
    assert series.prp
    assert series.needs_centrifuge
    assert series.visit.prp_blood_draw_minutes == 10
    assert series.visit.total_minutes == 15 + 10 + 30 + 30 + 15
    assert [a.kind for a in series.adjuncts] == ["serum", "prp"]
    # The published PRP price is for the face: PRP on the scalp is not priced.
    assert series.price.per_session is None
    assert series.price.series is None
    assert series.price.unpriced_blocks == ("scalp",)


@pytest.mark.parametrize(
    ("indication", "sessions"),
    [("rejuvenation", 4), ("acne_scars", 6), ("pigmentation", 4), ("mature_skin", 6)],
)
def test_prp_clips_the_indication_default_to_four_to_six_at_four_to_six_weeks(
    indication: str, sessions: int
) -> None:
    series = one_series(Goal(indication, ("face",), prp=True))
    assert series.sessions == sessions
    assert (series.interval.min_weeks, series.interval.target_weeks, series.interval.max_weeks) == (
        4,
        4,
        6,
    )
    # PRP face $200-700 a session [COST], laser beside it.
    assert series.price.per_session == (200, 700)
    assert series.price.series == (200 * sessions, 700 * sessions)
    assert series.price.laser_alternative == (2000, 4000)


def test_a_single_scar_takes_five_minutes_of_needling_and_is_not_priced_as_a_full_face() -> None:
    series = one_series(Goal("scars", ("chin",), single_scar=True))
    assert series.visit.needling_minutes == 5
    assert series.visit.total_minutes == 65
    price = series.price
    assert price.per_session is None
    assert price.series is None
    assert not price.complete
    assert [(p.kind, p.block, p.units, p.total) for p in price.parts] == [
        ("single_scar", "face", 6, None)
    ]
    assert "Not priced: single scar on the face (6 treatments)" in price.note
    assert price.laser_alternative is None  # laser is shown beside face plans only


def test_zones_in_different_blocks_add_their_times() -> None:
    series = one_series(Goal("rejuvenation", ("face", "neck", "hands")))
    assert dict(series.visit.needling_by_block) == {"face": 30, "neck": 15, "hands": 15}


def test_maintenance_every_four_to_six_months_target_six() -> None:
    series = one_series(Goal("rejuvenation", ("cheeks",)))
    last = series.session_dates[-1]
    assert series.maintenance.first_date == date(2025, 9, 30)
    assert series.maintenance.window == (date(2025, 7, 31), date(2025, 9, 30))
    assert last == date(2025, 3, 31)


def test_recovery_and_milestones_as_dates() -> None:
    series = one_series(Goal("rejuvenation", ("cheeks",)))
    assert series.recovery.downtime_days == (4, 5)  # 1.0 mm
    milestones = {m.id: (m.start, m.end) for m in series.milestones}
    assert milestones["glow"] == (ON, ON)
    assert milestones["first-changes"] == (date(2025, 1, 13), date(2025, 1, 20))
    assert milestones["optimal"] == (date(2025, 6, 30), date(2025, 9, 30))
    assert milestones["new-collagen"][1] == date(2026, 3, 31)


def test_a_depth_between_published_downtime_bands_says_so() -> None:
    series = one_series(Goal("rejuvenation", ("forehead",)))  # 0.25-0.75 mm
    assert series.recovery.downtime_days == (4, 5)
    assert series.recovery.note is not None
    assert "next deeper band" in series.recovery.note


def test_price_of_the_series_next_to_the_laser_alternative() -> None:
    series = one_series(Goal("rejuvenation", ("face",)))
    assert series.price.per_session == (250, 400)
    assert series.price.series == (1000, 1600)
    assert series.price.laser_alternative == (2000, 4000)
    assert series.price.complete


def test_unpriced_blocks_are_named_and_the_total_left_open() -> None:
    result = plan(intake_for(Goal("striae", ("abdomen",))), None, ON)
    price = result.series[0].price
    assert price.per_session is None
    assert price.unpriced_blocks == ("abdomen",)
    assert result.price_total is None


def test_ice_pick_scars_are_said_to_respond_little() -> None:
    series = one_series(Goal("acne_scars", ("cheeks",), scar_types=("ice_pick", "rolling")))
    texts = [note.text for note in series.notes]
    assert any(
        text.startswith("Ice-pick and deep pitted acne scars respond little") for text in texts
    )
    assert any("include ice-pick scars" in text for text in texts)


def test_an_older_patient_is_planned_as_mature_skin() -> None:
    intake = Intake(birth_date=date(1970, 1, 1), goals=(Goal("rejuvenation", ("cheeks",)),))
    (series,) = plan(intake, None, ON).series
    assert series.indications == ("mature_skin",)
    assert series.sessions == 6
    assert (series.zones[0].depth.min_mm, series.zones[0].depth.max_mm) == (0.5, 1.5)
    assert "age 55" in series.notes[0].text


def test_glogau_three_means_mature_skin_too() -> None:
    intake = Intake(birth_date=ADULT, glogau=3, goals=(Goal("rejuvenation", ("cheeks",)),))
    assert plan(intake, None, ON).series[0].indications == ("mature_skin",)


def test_goals_with_overlapping_windows_share_one_series() -> None:
    # rejuvenation 2-6 weeks (target 4) and acne scars 4-6 (target 4): window 4-6.
    series = one_series(Goal("rejuvenation", ("forehead",)), Goal("acne_scars", ("cheeks",)))
    assert series.indications == ("rejuvenation", "acne_scars")
    assert series.sessions == 6
    assert (series.interval.min_weeks, series.interval.target_weeks, series.interval.max_weeks) == (
        4,
        4,
        6,
    )


def test_the_larger_target_is_clipped_to_the_shared_window() -> None:
    # pigmentation 2-4 (target 2) with rejuvenation 2-6 (target 4): window 2-4, target 4.
    series = one_series(Goal("pigmentation", ("cheeks",)), Goal("rejuvenation", ("forehead",)))
    assert (series.interval.min_weeks, series.interval.target_weeks, series.interval.max_weeks) == (
        2,
        4,
        4,
    )


def test_goals_without_a_common_window_get_separate_series() -> None:
    result = plan(
        intake_for(Goal("acne_scars", ("cheeks",)), Goal("alopecia", ("scalp",))), None, ON
    )
    assert [s.indications for s in result.series] == [("acne_scars",), ("alopecia",)]
    assert [s.sessions for s in result.series] == [6, 12]


def test_a_patient_who_may_not_be_treated_gets_no_plan_but_the_screening() -> None:
    with pytest.raises(PlanRefused) as refused:
        plan(intake_for(Goal("rejuvenation", ("face",)), history=history(keloids=True)), None, ON)
    assert refused.value.screening.decision is Decision.DO_NOT_TREAT


def test_a_deferred_patient_gets_no_plan() -> None:
    with pytest.raises(PlanRefused) as refused:
        plan(
            intake_for(Goal("rejuvenation", ("cheeks",)), areas=(area("cheeks", sunburn=True),)),
            None,
            ON,
        )
    assert refused.value.screening.decision is Decision.DEFER


def test_precautions_are_carried_into_the_plan() -> None:
    result = plan(
        intake_for(Goal("rejuvenation", ("cheeks",)), medications=(med("Retin-A"),)), None, ON
    )
    assert result.screening.decision is Decision.TREAT_WITH_PRECAUTIONS
    assert any("Pause the topical retinoid" in note.text for note in result.notes)


def test_goals_given_separately_are_screened_for_their_own_areas() -> None:
    intake = Intake(birth_date=ADULT, areas=(area("hands", sunburn=True),))
    assert plan(intake, [Goal("rejuvenation", ("cheeks",))], ON).series
    with pytest.raises(PlanRefused):
        plan(intake, [Goal("rejuvenation", ("hands",))], ON)


@pytest.mark.parametrize(
    ("goals", "message"),
    [
        ([], "no goals"),
        ([Goal("tattoo_removal", ("cheeks",))], "unknown 'tattoo_removal'"),
        ([Goal("rejuvenation", ("elbow",))], "unknown area 'elbow'"),
        ([Goal("rejuvenation", ())], "at least one area"),
        ([Goal("rejuvenation", ("cheeks",), scar_types=("ice_pick",))], "not a scar type"),
    ],
)
def test_bad_planning_requests(goals: Any, message: Any) -> None:
    with pytest.raises(PlanningError, match=message):
        plan(Intake(birth_date=ADULT), goals, ON)


def test_plans_name_profile_and_version() -> None:
    result = plan(intake_for(Goal("rejuvenation", ("cheeks",))), None, ON, "us-az")
    assert result.profile == "us-az"
    assert result.protocol_version == result.screening.protocol_version
