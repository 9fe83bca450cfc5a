from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cit.protocol.adjust import SeriesAdjustment, adjust_series, allowed_sessions
from cit.protocol.model import Goal, Intake
from cit.protocol.planning import plan
from cit.protocol.serialise import plan_to_dict
from cit.protocol.stored import IntervalWeeks, Series

ON = date(2026, 12, 1)


def _adjust(
    series: dict[str, Any], adjustment: SeriesAdjustment, *, today: date
) -> tuple[dict[str, Any], list[Any]]:
    """adjust_series on the stored form, so expectations read as the stored plan does."""
    adjusted, errors = adjust_series(Series.from_dict(series), adjustment, today=today)
    return adjusted.to_dict(), errors


def _allowed(series: dict[str, Any]) -> tuple[int, int]:
    return allowed_sessions(Series.from_dict(series))


def _series(indication: str = "acne_scars", prp: bool = False) -> dict:  # type: ignore[type-arg]
    intake = Intake(birth_date=date(1985, 6, 1), goals=(Goal(indication, ("cheeks",), prp=prp),))
    return plan_to_dict(plan(intake, None, ON))["series"][0]  # type: ignore[no-any-return]


def test_within_ranges_recomputes_dates_and_keeps_depths() -> None:
    series = _series()
    adjusted, errors = _adjust(
        series,
        SeriesAdjustment(
            sessions=4,
            interval_target_weeks=6,
            first_session=date(2026, 12, 3),
            depths={"acne_scars:cheeks": 1.5},
        ),
        today=ON,
    )
    assert errors == []
    assert adjusted["sessions"] == 4
    assert adjusted["session_dates"] == ["2026-12-03", "2027-01-14", "2027-02-25", "2027-04-08"]
    assert adjusted["zones"][0]["planned_depth_mm"] == 1.5
    optimal = next(m for m in adjusted["milestones"] if m["id"] == "optimal")
    assert optimal["from"] == "2027-07-08", "3 months after the new last session"
    assert adjusted["maintenance"]["first_date"] == "2027-10-08"
    assert adjusted["price"]["series"] == [a * 4 for a in series["price"]["per_session"]]


def test_outside_ranges_names_each_field_and_changes_nothing() -> None:
    series = _series()
    adjusted, errors = _adjust(
        series,
        SeriesAdjustment(
            sessions=9,
            interval_target_weeks=1,
            first_session=date(2026, 11, 30),
            depths={"acne_scars:cheeks": 2.5},
        ),
        today=ON,
    )
    assert [e.path for e in errors] == [
        "sessions",
        "interval_target_weeks",
        "first_session",
        "depth.acne_scars:cheeks",
    ]
    assert adjusted == series


def test_prp_series_uses_the_prp_session_range() -> None:
    assert _allowed(_series(prp=True)) == (4, 6)


@given(
    sessions=st.integers(0, 20),
    weeks=st.integers(0, 10),
    depth=st.floats(0, 3, allow_nan=False),
)
def test_an_accepted_adjustment_never_leaves_the_allowed_ranges(
    sessions: int, weeks: int, depth: float
) -> None:
    series = _series()
    adjusted, errors = _adjust(
        series,
        SeriesAdjustment(sessions, weeks, ON, {"acne_scars:cheeks": depth}),
        today=ON,
    )
    if not errors:
        low, high = _allowed(series)
        assert low <= adjusted["sessions"] <= high
        window = adjusted["interval_weeks"]
        assert window["min"] <= window["target"] <= window["max"]
        zone = adjusted["zones"][0]
        assert zone["depth_mm"][0] <= zone["planned_depth_mm"] <= zone["depth_mm"][1]


def test_hand_dated_sessions_must_keep_the_window() -> None:
    from cit.protocol.adjust import check_session_dates

    window = IntervalWeeks(min=4, target=4, max=6)
    assert (
        check_session_dates([date(2026, 1, 1), date(2026, 1, 29), date(2026, 3, 12)], window) == []
    )
    errors = check_session_dates([date(2026, 1, 1), date(2026, 1, 28)], window)
    assert [e.path for e in errors] == ["sessions[1]"]
    assert "27 days" in errors[0].message


def _shared_series() -> dict:  # type: ignore[type-arg]
    # Pigmentation (4 of 4-6) and alopecia (12) share 12 visits every 2 weeks.
    intake = Intake(
        birth_date=date(1985, 6, 1),
        goals=(Goal("pigmentation", ("face",)), Goal("alopecia", ("scalp",))),
    )
    return plan_to_dict(plan(intake, None, ON))["series"][0]  # type: ignore[no-any-return]


def test_each_goal_keeps_its_own_count_and_the_price_follows_it() -> None:
    series = _shared_series()
    assert [g["sessions"] for g in series["goals"]] == [4, 12]
    assert _allowed(series) == (12, 12)
    adjusted, errors = _adjust(series, SeriesAdjustment(12, 2, ON, goal_sessions={0: 6}), today=ON)
    assert errors == []
    assert adjusted["sessions"] == 12
    assert [g["sessions"] for g in adjusted["goals"]] == [6, 12]
    assert adjusted["goals"][0]["last_session"] == "2027-02-09"  # 5 x 2 weeks after Dec 1
    cheeks = next(z for z in adjusted["zones"] if z["zone"] == "cheeks")
    assert cheeks["sessions"] == 6
    # The face is needled at 6 visits now: 6 x $250-400; the scalp stays not priced.
    assert adjusted["price"]["series"] == [1500, 2400]
    assert adjusted["price"]["unpriced_blocks"] == ["scalp"]


def test_a_goal_count_outside_its_own_range_is_refused() -> None:
    series = _shared_series()
    _, errors = _adjust(series, SeriesAdjustment(12, 2, ON, goal_sessions={0: 7}), today=ON)
    assert [(e.path, e.message) for e in errors] == [
        ("goals[0].sessions", "must be between 4 and 6 for pigmentation")
    ]
    _, errors = _adjust(series, SeriesAdjustment(10, 2, ON), today=ON)
    assert [e.path for e in errors] == ["sessions"]


def test_alopecia_with_prp_may_have_four_to_six_sessions() -> None:
    intake = Intake(birth_date=date(1985, 6, 1), goals=(Goal("alopecia", ("scalp",), prp=True),))
    series = plan_to_dict(plan(intake, None, ON))["series"][0]
    assert series["sessions"] == 4
    assert _allowed(series) == (4, 6)
    adjusted, errors = _adjust(series, SeriesAdjustment(6, 6, ON), today=ON)
    assert errors == []
    assert adjusted["sessions"] == 6
    assert adjusted["session_dates"][-1] == "2027-06-29"  # 30 weeks (210 days) after Dec 1
