"""CLINICAL.md v2 sections 3, 5 and 7 worked by hand: several goals in one plan, one depth
per zone per visit, the melasma limit, indication x zone plausibility, depth when ranges do
not overlap, prices with "not priced" parts, and downtime bands.

Figures in the comments are the ones CLINICAL.md gives; each expectation is worked from
them, not read back from the engine.
"""

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from cit.protocol.knowledge import KNOWLEDGE_DIR, Knowledge, load_knowledge
from cit.protocol.model import Goal, Intake
from cit.protocol.planning import PlanningError, SeriesPlan, TreatmentPlan, VisitPlan, plan
from cit.protocol.profiles import ProfileError, prices_from_mapping

from .helpers import ADULT

ON = date(2025, 1, 6)  # a Monday


def plan_for(*goals: Goal, **kwargs: Any) -> TreatmentPlan:
    return plan(Intake(birth_date=ADULT, goals=goals), None, ON, **kwargs)


def one_series(*goals: Goal, **kwargs: Any) -> SeriesPlan:
    (series,) = plan_for(*goals, **kwargs).series
    return series


def weeks(*offsets: int) -> tuple[date, ...]:
    return tuple(ON + timedelta(weeks=n) for n in offsets)


def depths(series: SeriesPlan) -> dict[str, tuple[float, float]]:
    return {z.zone: (z.depth.min_mm, z.depth.max_mm) for z in series.zones}


# ---------------------------------------------------------------------------- several goals


def test_pigmentation_and_alopecia_share_visits_and_pigmentation_stops_after_four() -> None:
    # Pigmentation 4 (4-6) sessions, 2 / 2 / 4 weeks; alopecia 12, 1 / 1 / 2 weeks.
    # Windows overlap at 2 weeks only; the larger target (2) clipped to [2, 2] is 2.
    # Pigmentation 4 sessions and alopecia 12 are each within their own range: one series
    # of 12 visits every 2 weeks, pigmentation needled at the first 4.
    result = plan_for(Goal("pigmentation", ("face",)), Goal("alopecia", ("scalp",)))
    (series,) = result.series
    assert series.indications == ("pigmentation", "alopecia")
    assert (series.interval.min_weeks, series.interval.target_weeks, series.interval.max_weeks) == (
        2,
        2,
        2,
    )
    assert series.sessions == 12
    assert series.session_dates == weeks(*range(0, 24, 2))
    pigmentation, alopecia = series.goal_plans
    assert (pigmentation.sessions, pigmentation.sessions_range) == (4, (4, 6))
    assert pigmentation.last_session == ON + timedelta(weeks=6)
    assert (alopecia.sessions, alopecia.last_session) == (12, ON + timedelta(weeks=22))
    zones = {z.zone: z for z in series.zones}
    assert zones["cheeks"].sessions == 4
    assert zones["scalp"].sessions == 12
    # Depths: pigmentation 0.25-0.5 clipped to each face zone; scalp 0.5-1.5.
    assert depths(series) == {
        "forehead": (0.25, 0.5),
        "periorbital": (0.25, 0.5),
        "nose": (0.25, 0.5),
        "cheeks": (0.5, 0.5),
        "perioral": (0.25, 0.5),
        "chin": (0.5, 0.5),
        "jawline": (0.5, 0.5),
        "scalp": (0.5, 1.5),
    }
    # Visits 1-4: 15 + 30 numbing + face 30 + scalp 30 + 15 = 120; visits 5-12 scalp only: 90.
    assert series.visit.total_minutes == 120
    assert series.visit_minutes == (120,) * 4 + (90,) * 8
    # Face $250-400 at the 4 visits it is needled; the scalp has no published price.
    assert series.price.series == (1000, 1600)
    assert series.price.unpriced_blocks == ("scalp",)
    assert not series.price.complete
    assert "Not priced: scalp (12 sessions)" in series.price.note
    assert series.price.laser_alternative == (2000, 4000)
    assert result.price_total == (1000, 1600)
    assert not result.price_complete
    # Deepest 1.5 mm: 4-5 days, and no "largely healed by day 3".
    assert series.recovery.downtime_days == (4, 5)
    assert series.recovery.healed_by_day is None
    assert "day 3" not in series.recovery.text


def test_rejuvenation_and_acne_scars_share_visits_and_the_cheeks_get_the_deeper_range() -> None:
    # Rejuvenation 4 (3-6), 2 / 4 / 6; acne scars 6 (3-6), 4 / 4 / 6: window 4-6, target 4.
    series = one_series(Goal("rejuvenation", ("face",)), Goal("acne_scars", ("cheeks",)))
    assert (series.interval.min_weeks, series.interval.target_weeks, series.interval.max_weeks) == (
        4,
        4,
        6,
    )
    assert series.sessions == 6
    assert series.session_dates == weeks(0, 4, 8, 12, 16, 20)
    assert [(g.indication, g.sessions) for g in series.goal_plans] == [
        ("rejuvenation", 4),
        ("acne_scars", 6),
    ]
    zones = {z.zone: z for z in series.zones}
    assert len(series.zones) == 7  # one entry (one depth) per zone
    # Cheeks: rejuvenation 0.5-1.0, acne scars 1.0-2.0 (cheeks allow 0.5-2.0): the deeper.
    cheeks = zones["cheeks"]
    assert (cheeks.depth.min_mm, cheeks.depth.max_mm) == (1.0, 2.0)
    assert cheeks.indication == "acne_scars"
    assert cheeks.indications == ("rejuvenation", "acne_scars")
    assert cheeks.sessions == 6
    forehead = zones["forehead"]
    assert (forehead.depth.min_mm, forehead.depth.max_mm, forehead.sessions) == (0.25, 0.75, 4)
    assert any("one depth per visit" in note.text for note in series.notes)
    # The face is needled at all 6 visits: 6 x $250-400.
    assert series.price.series == (1500, 2400)
    assert series.price.complete
    # 2.0 mm: 6-7 days.
    assert series.recovery.downtime_days == (6, 7)
    assert "largely healed" not in series.recovery.text


def test_melasma_and_acne_scars_on_the_cheeks_never_go_deeper_than_half_a_mm() -> None:
    # Pigmentation 2 / 2 / 4 and acne scars 4 / 4 / 6 overlap at 4 weeks: one series of 6
    # visits every 4 weeks, pigmentation at the first 4. The cheeks would take the deeper
    # (acne scar) range 1.0-2.0 mm, but melasma is never needled deeper than 0.5 mm, and the
    # melasma is in the cheeks at every visit: 0.5 mm (the cheeks' lowest depth), said why.
    series = one_series(Goal("pigmentation", ("cheeks",)), Goal("acne_scars", ("cheeks",)))
    assert series.interval.target_weeks == 4
    assert series.sessions == 6
    assert [g.sessions for g in series.goal_plans] == [4, 6]
    (cheeks,) = series.zones
    assert (cheeks.depth.min_mm, cheeks.depth.max_mm) == (0.5, 0.5)
    assert cheeks.indications == ("pigmentation", "acne_scars")
    texts = [note.text for note in series.notes]
    assert any(
        "never deeper than 0.5 mm" in t
        and "the acne scars there get 0.5 mm, below their range 1-2 mm" in t
        and "clinician to review" in t
        for t in texts
    )
    assert not any("the deeper range" in t for t in texts)
    assert any("post-inflammatory hyperpigmentation" in t for t in texts)
    # 0.5 mm: the shallowest band, 2-3 days, largely healed by day 3.
    assert series.recovery.downtime_days == (2, 3)
    assert series.recovery.healed_by_day == 3
    assert series.recovery.text.endswith("largely healed by day 3.")


def test_goals_whose_windows_do_not_overlap_get_separate_series_with_their_own_counts() -> None:
    # Acne scars 4-6 weeks and alopecia 1-2 weeks: no common window.
    result = plan_for(Goal("acne_scars", ("cheeks",)), Goal("alopecia", ("scalp",)))
    assert [s.indications for s in result.series] == [("acne_scars",), ("alopecia",)]
    assert [s.sessions for s in result.series] == [6, 12]
    assert [s.interval.target_weeks for s in result.series] == [4, 1]


def test_a_zone_in_two_series_is_flagged() -> None:
    # A surgical scar on the scalp (4-6 weeks) with alopecia (1-2 weeks): two series.
    result = plan_for(Goal("scars", ("scalp",)), Goal("alopecia", ("scalp",)))
    assert len(result.series) == 2
    assert any("Scalp is needled in series 1 and 2" in note.text for note in result.notes)


# ---------------------------------------------------------------------------- plausibility


@pytest.mark.parametrize(
    ("goal", "message"),
    [
        (Goal("striae", ("face",)), "Stretch marks \\(striae\\) cannot be planned on the forehead"),
        (Goal("striae", ("cheeks",)), "treated on the abdomen, thighs, buttocks, arms, chest or"),
        (Goal("alopecia", ("forehead",)), "treated on the scalp only"),
        (Goal("pigmentation", ("thighs",)), "face, neck, chest or hands only"),
        (Goal("rejuvenation", ("abdomen",)), "cannot be planned on the abdomen"),
        (Goal("acne_scars", ("neck",)), "treated on the face only"),
        (Goal("acne_scars", ("scalp",)), "treated on the face only"),
    ],
)
def test_implausible_indication_and_zone_is_refused_with_the_reason(
    goal: Goal, message: str
) -> None:
    with pytest.raises(PlanningError, match=message):
        plan_for(goal)


@pytest.mark.parametrize(
    "goal",
    [
        Goal("striae", ("abdomen", "thighs", "buttocks", "arms")),
        Goal("striae", ("chest", "neck")),
        Goal("pigmentation", ("face", "neck", "chest", "hands")),
        Goal("rejuvenation", ("hands",)),
        Goal("acne_scars", ("face",)),
        Goal("scars", ("abdomen",)),
        Goal("scars", ("scalp",)),
        Goal("scars", ("periorbital",), single_scar=True),
        Goal("alopecia", ("scalp",)),
    ],
)
def test_plausible_indication_and_zone_is_planned(goal: Goal) -> None:
    assert plan_for(goal).series


def test_striae_on_the_neck_take_the_neck_range() -> None:
    # Striae 1.5-2.0 mm; the neck allows 0.25-0.5 (shallower): the zone's range applies.
    (zone,) = one_series(Goal("striae", ("neck",))).zones
    assert (zone.depth.min_mm, zone.depth.max_mm) == (0.25, 0.5)
    assert zone.depth.note is not None
    assert "allows no deeper" in zone.depth.note


# ---------------------------------------------------------------------------- zone deeper


def _knowledge_with_profile(tmp_path: Path, settings: str) -> Knowledge:
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    (copy / "profiles" / "clinic.toml").write_text(
        f'name = "clinic"\ndescription = "x"\n[settings]\n{settings}', encoding="utf-8"
    )
    return load_knowledge(copy)


def test_a_zone_deeper_than_the_indication_gets_its_lowest_depth_and_no_deeper(
    tmp_path: Path,
) -> None:
    # A clinic whose hands range is 1.5-2.0 mm: rejuvenation (0.25-1.0) there is planned at
    # 1.5 mm only, and the plan says why.
    knowledge = _knowledge_with_profile(tmp_path, "[settings.zone_depth_mm]\nhands = [1.5, 2.0]\n")
    result = plan(
        Intake(birth_date=ADULT, goals=(Goal("rejuvenation", ("hands",)),)),
        None,
        ON,
        "clinic",
        knowledge=knowledge,
    )
    (zone,) = result.series[0].zones
    assert (zone.depth.min_mm, zone.depth.max_mm) == (1.5, 1.5)
    assert zone.depth.note is not None
    assert "lowest depth, 1.5 mm, and no deeper" in zone.depth.note


def test_pigmentation_where_the_zone_starts_deeper_than_half_a_mm_is_refused(
    tmp_path: Path,
) -> None:
    knowledge = _knowledge_with_profile(tmp_path, "[settings.zone_depth_mm]\nhands = [0.6, 1.0]\n")
    with pytest.raises(PlanningError, match="never needled deeper than 0.5 mm"):
        plan(
            Intake(birth_date=ADULT, goals=(Goal("pigmentation", ("hands",)),)),
            None,
            ON,
            "clinic",
            knowledge=knowledge,
        )


# ---------------------------------------------------------------------------- PRP timing


def test_the_prp_spin_runs_during_numbing_and_lengthens_a_short_numbing() -> None:
    visit = VisitPlan(15, 10, 30, 30, 15, (("face", 30),), ("centrifuge",), "", 15)
    assert visit.total_minutes == 15 + 10 + 30 + 30 + 15
    no_numbing = VisitPlan(15, 10, 0, 30, 15, (("face", 30),), ("centrifuge",), "", 15)
    assert no_numbing.total_minutes == 15 + 10 + 15 + 30 + 15


# ---------------------------------------------------------------------------- prices


def test_body_and_face_prices_total_the_priced_part_and_name_the_rest() -> None:
    # Rejuvenation of the face (4 sessions) and striae on the abdomen (6): window 4-6,
    # one series of 6 visits. Face 4 x $250-400 = $1,000-1,600; the abdomen has no price.
    result = plan_for(Goal("rejuvenation", ("face",)), Goal("striae", ("abdomen",)))
    (series,) = result.series
    price = series.price
    assert [(p.block, p.sessions, p.total) for p in price.parts] == [
        ("face", 4, (1000, 1600)),
        ("abdomen", 6, None),
    ]
    assert price.series == (1000, 1600)
    assert not price.complete
    assert "Not priced: abdomen (6 sessions)" in price.note
    assert result.price_total == (1000, 1600)
    assert result.currency == "USD"


def test_a_single_scar_beside_a_full_face_is_not_priced_as_another_face() -> None:
    # Rejuvenation (4) and one surgical scar on the chin (6): the face is priced at visits 1-4
    # (the scar is needled inside the full face); visits 5-6 needle the scar alone: not priced.
    series = one_series(Goal("rejuvenation", ("face",)), Goal("scars", ("chin",), single_scar=True))
    assert series.sessions == 6
    parts = {(p.kind, p.block): p for p in series.price.parts}
    assert parts["block", "face"].sessions == 4
    assert parts["block", "face"].total == (1000, 1600)
    assert parts["single_scar", "face"].units == 2
    assert parts["single_scar", "face"].total is None
    assert series.price.series == (1000, 1600)
    assert series.visit_minutes == (90,) * 4 + (65,) * 2


def test_a_clinic_sets_its_own_list_and_currency() -> None:
    prices = prices_from_mapping(
        {
            "currency": "EUR",
            "per_session": {"face": [180, 300], "abdomen": [200, 260]},
            "single_scar": [60, 90],
            "laser_alternative": False,
        }
    )
    result = plan_for(
        Goal("rejuvenation", ("face",)),
        Goal("striae", ("abdomen",)),
        Goal("scars", ("arms",), single_scar=True),
        prices=prices,
    )
    (series,) = result.series
    # Face 4 x 180-300; abdomen 6 x 200-260; one scar on the arm 6 x 60-90.
    assert series.price.series == (4 * 180 + 6 * 200 + 6 * 60, 4 * 300 + 6 * 260 + 6 * 90)
    assert series.price.complete
    assert result.price_complete
    assert series.price.currency == result.currency == "EUR"
    assert series.price.laser_alternative is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"currency": "euro"}, "currency"),
        ({"per_session": {"elbow": [1, 2]}}, "elbow"),
        ({"per_session": {"face": [400, 250]}}, "face"),
        ({"prices": 1}, "prices"),
    ],
)
def test_a_malformed_clinic_price_list_names_the_field(data: Any, field: str) -> None:
    with pytest.raises(ProfileError) as error:
        prices_from_mapping(data)
    assert error.value.field == field


# ---------------------------------------------------------------------------- downtime


@pytest.mark.parametrize(
    ("depth", "days", "healed_by_day"),
    [
        (0.5, (2, 3), 3),  # <= 0.5 mm
        (0.51, (4, 5), None),  # > 0.5 to <= 1.5 mm
        (0.8, (4, 5), None),
        (1.5, (4, 5), None),
        (1.51, (6, 7), None),  # > 1.5 mm
        (2.0, (6, 7), None),
    ],
)
def test_downtime_bands_are_contiguous(depth: float, days: Any, healed_by_day: Any) -> None:
    from cit.protocol.aftercare import course_summary, expected_course
    from cit.protocol.planning import recovery_for_depth

    recovery = recovery_for_depth(depth)
    assert recovery.downtime_days == days
    assert recovery.healed_by_day == healed_by_day
    assert recovery.text.startswith(f"About {days[0]}-{days[1]} days of downtime")
    assert ("largely healed by day 3" in recovery.text) is (healed_by_day == 3)
    healed = "healed" in {item.id for item in expected_course(3, depth).expected}
    assert healed is (healed_by_day == 3)
    assert ("healed" in {i.id for i in course_summary(depth).items}) is (healed_by_day == 3)
