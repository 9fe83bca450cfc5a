"""The typed read models of stored plans and screenings give every stored row back unchanged."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cit.clinic.demo_intakes import demo_intake
from cit.protocol.adjust import SeriesAdjustment, adjust_series
from cit.protocol.intake_json import intake_from_dict
from cit.protocol.model import Decision, Goal, Intake
from cit.protocol.planning import PlanningError, PlanRefused, plan
from cit.protocol.screening import screen
from cit.protocol.serialise import plan_to_dict, screening_to_dict
from cit.protocol.stored import (
    SCHEMA_VERSION,
    AcceptedPlan,
    IntervalWeeks,
    Series,
    StoredDataError,
    StoredScreening,
)

ON = date(2026, 12, 1)


def _accepted(intake: Intake) -> dict[str, Any]:
    """What do_accept_plan stores for the proposal accepted as proposed."""
    proposal = plan_to_dict(plan(intake, None, ON))
    accepted = []
    for raw in proposal["series"]:
        series = Series.from_dict(raw)
        adjustment = SeriesAdjustment(series.sessions, series.interval_weeks.target, ON)
        adjusted, errors = adjust_series(series, adjustment, today=ON)
        assert errors == []
        accepted.append(adjusted)
    return AcceptedPlan(tuple(accepted), extra={"notes": proposal["notes"]}).to_dict()


def _demo_intakes() -> list[Intake]:
    intakes = []
    for clinic_index in (0, 1):
        for number in range(1, 15):
            data = demo_intake(clinic_index, number, date(1980, 3, 4), "female", 3, ON)
            intakes.append(intake_from_dict(data, today=ON))
    return intakes


def test_every_demo_plan_reads_back_unchanged() -> None:
    stored = []
    for intake in _demo_intakes():
        try:
            stored.append(_accepted(intake))
        except (PlanRefused, PlanningError):
            continue  # screening refers this patient: the demo accepts no plan
    assert len(stored) >= 10, "most demo patients get a plan"
    for row in stored:
        assert row["schema_version"] == SCHEMA_VERSION
        assert AcceptedPlan.from_dict(copy.deepcopy(row)).to_dict() == row


def test_every_demo_screening_reads_back_unchanged() -> None:
    for intake in _demo_intakes():
        row = StoredScreening.from_dict(screening_to_dict(screen(intake, ON))).to_dict()
        assert StoredScreening.from_dict(copy.deepcopy(row)).to_dict() == row


def test_a_stored_series_is_read_into_types() -> None:
    row = _accepted(Intake(birth_date=date(1985, 6, 1), goals=(Goal("acne_scars", ("cheeks",)),)))
    series = AcceptedPlan.from_dict(row).series[0]
    # CLINICAL.md section 3: atrophic acne scars, 4 / 4 / 6 weeks apart; the first
    # session on the planning day.
    assert series.interval_weeks == IntervalWeeks(min=4, target=4, max=6)
    assert series.session_dates[0] == ON
    assert len(series.session_dates) == series.sessions
    assert series.zones[0].key == "acne_scars:cheeks"
    assert series.zones[0].planned_depth_mm == series.zones[0].depth_mm[1]
    assert series.interval_weeks.in_days() == (28, 28, 42)
    assert series.interval_weeks.allows(28)
    assert series.interval_weeks.allows(42)
    assert not series.interval_weeks.allows(27)
    assert not series.interval_weeks.allows(43)


# ----------------------------------------------------------------------- rows of every age

_WORDS = st.text("abcdefghij_", min_size=1, max_size=8)
_DAYS = st.dates(date(2020, 1, 1), date(2035, 1, 1)).map(date.isoformat)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 500) | _WORDS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_WORDS, inner, max_size=3),
    max_leaves=6,
)


def _with_extra(
    core: st.SearchStrategy[dict[str, Any]], optional: tuple[str, ...] = ()
) -> st.SearchStrategy[dict[str, Any]]:
    """The keys, some ``optional`` ones left out (older rows), and unknown keys beside them."""
    return st.builds(
        lambda row, drop, extra: {
            **{f"x_{key}": value for key, value in extra.items()},
            **{key: value for key, value in row.items() if key not in drop},
        },
        core,
        st.sets(st.sampled_from(optional), max_size=len(optional)) if optional else st.just(set()),
        st.dictionaries(_WORDS, _JSON, max_size=2),
    )


_DEPTH = st.sampled_from([0.25, 0.5, 1, 1.5, 2.0, 2.5])
_ZONE = _with_extra(
    st.fixed_dictionaries(
        {
            "indication": _WORDS,
            "zone": _WORDS,
            "depth_mm": st.lists(_DEPTH, min_size=2, max_size=2),
            "indications": st.lists(_WORDS, max_size=2),
            "sessions": st.integers(1, 12),
            "planned_depth_mm": _DEPTH,
            "depth_note": st.none() | _WORDS,
        }
    ),
    ("indications", "sessions", "planned_depth_mm"),
)
_GOAL = _with_extra(
    st.fixed_dictionaries(
        {
            "indication": _WORDS,
            "areas": st.lists(_WORDS, max_size=2),
            "planned_as": _WORDS,
            "sessions": st.integers(1, 12),
            "sessions_range": st.lists(st.integers(1, 12), min_size=2, max_size=2),
            "last_session": _DAYS,
            "price_items": st.lists(st.tuples(_WORDS, _WORDS).map(list), max_size=2),
        }
    ),
    ("areas", "planned_as", "sessions", "sessions_range", "last_session", "price_items"),
)
_SERIES = _with_extra(
    st.fixed_dictionaries(
        {
            "indications": st.lists(_WORDS, min_size=1, max_size=2),
            "sessions": st.integers(1, 12),
            "interval_weeks": st.fixed_dictionaries(
                {"min": st.integers(1, 4), "target": st.integers(4, 6), "max": st.integers(6, 9)}
            ),
            "session_dates": st.lists(_DAYS, max_size=4),
            "zones": st.lists(_ZONE, max_size=2),
            "visit": st.fixed_dictionaries(
                {"total_minutes": st.integers(30, 120), "check_in_minutes": st.integers(0, 15)}
            ),
            "goals": st.lists(_GOAL, max_size=2),
            "licensed_only": st.booleans(),
            "prp": st.booleans(),
            "recovery": _with_extra(
                st.fixed_dictionaries(
                    {"downtime_days": st.lists(st.integers(0, 7), max_size=2), "note": st.none()}
                ),
                ("downtime_days",),
            ),
            "milestones": st.lists(
                _with_extra(
                    st.fixed_dictionaries({"text": _WORDS, "from": _DAYS, "to": _DAYS}),
                    ("from", "to"),
                ),
                max_size=2,
            ),
            "maintenance": _with_extra(
                st.fixed_dictionaries(
                    {
                        "interval_months": st.lists(st.integers(1, 12), min_size=2, max_size=2),
                        "target_months": st.integers(1, 12),
                        "first_date": _DAYS,
                        "text": _WORDS,
                    }
                ),
                ("interval_months", "target_months", "first_date"),
            ),
            "price": st.dictionaries(_WORDS, _JSON, max_size=3),
        }
    ),
    ("goals", "licensed_only", "prp", "recovery", "milestones", "maintenance", "price"),
)
_FINDING = _with_extra(
    st.fixed_dictionaries(
        {
            "rule": _WORDS,
            "decision": st.sampled_from([d.value for d in Decision]),
            "title": _WORDS,
            "until": st.none() | _DAYS,
        }
    ),
    ("title",),
)


@settings(max_examples=150, deadline=None)
@given(series=st.lists(_SERIES, max_size=3), notes=_JSON, versioned=st.booleans())
def test_any_stored_plan_reads_back_unchanged(
    series: list[dict[str, Any]], notes: Any, versioned: bool
) -> None:
    row: dict[str, Any] = {"series": series, "notes": notes}
    if versioned:
        row["schema_version"] = SCHEMA_VERSION
    again = AcceptedPlan.from_dict(copy.deepcopy(row)).to_dict()
    # A row from before versions were written reads as version 1 and says so when written.
    assert again == {**row, "schema_version": SCHEMA_VERSION}


@settings(max_examples=150, deadline=None)
@given(
    findings=st.lists(_FINDING, max_size=3),
    decision=st.sampled_from([d.value for d in Decision]),
    until=st.none() | _DAYS,
    versioned=st.booleans(),
)
def test_any_stored_screening_reads_back_unchanged(
    findings: list[dict[str, Any]], decision: str, until: str | None, versioned: bool
) -> None:
    row: dict[str, Any] = {
        "decision": decision,
        "until": until,
        "findings": findings,
        "unrecognised": [],
        "protocol_version": "2",
        "profile": "default",
    }
    if versioned:
        row["schema_version"] = SCHEMA_VERSION
    again = StoredScreening.from_dict(copy.deepcopy(row)).to_dict()
    assert again == {**row, "schema_version": SCHEMA_VERSION}


def test_a_row_from_before_goals_and_maintenance_still_reads() -> None:
    # The shape the plan page stored before per-goal counts and planned maintenance.
    row = {
        "series": [
            {
                "indications": ["rejuvenation"],
                "sessions": 3,
                "interval_weeks": {"min": 4, "target": 4, "max": 6},
                "session_dates": ["2026-11-01", "2026-11-29", "2026-12-27"],
                "zones": [{"indication": "rejuvenation", "zone": "face", "depth_mm": [0.5, 1.0]}],
                "visit": {"total_minutes": 75},
                "maintenance": {"text": "Once a year.", "sources": []},
            }
        ],
        "notes": [],
    }
    plan_ = AcceptedPlan.from_dict(row)
    series = plan_.series[0]
    assert series.goals is None
    assert series.maintenance is not None
    assert series.maintenance.interval_months is None
    assert series.zones[0].planned_depth_mm is None
    assert not series.needs_licensed_provider
    assert plan_.to_dict() == {**row, "schema_version": 1}


def test_a_row_of_an_unknown_version_or_shape_is_refused() -> None:
    with pytest.raises(StoredDataError, match="schema version 99"):
        AcceptedPlan.from_dict({"series": [], "schema_version": 99})
    with pytest.raises(StoredDataError, match="no 'interval_weeks'"):
        Series.from_dict({"indications": ["x"], "sessions": 1})
    with pytest.raises(StoredDataError, match="JSON object"):
        StoredScreening.from_dict(["treat"])
