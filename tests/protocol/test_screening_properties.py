"""Property tests: whatever the intake, the decision is the most severe finding, and adding
a fact never makes it less severe."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cit.protocol.knowledge import get_knowledge
from cit.protocol.model import (
    AREA_FLAGS,
    ClinicalStatus,
    Decision,
    Goal,
    HistoryFlags,
    Intake,
    MedicationStatus,
    ProcedureKind,
)
from cit.protocol.screening import screen

from .helpers import ON, allergy, area, condition, med, procedure

DAYS = st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31))
MEDICINE_NAMES = [
    "Accutane", "isotretinoin", "Eliquis", "aspirin 81 mg", "Humira", "prednisone", "Ozempic",
    "metformin", "Retin-A", "Lipitor", "Zoloft", "Yaz", "Claritin", "ibuprofen", "vitamin D3",
    "hydrocortisone", "Flonase", "gabapentin", "Wegovy", "none", "Epiduo",
]  # fmt: skip
CONDITION_TEXTS = [
    "Keloid", "Psoriasis", "Rosacea", "Type 2 diabetes", "HIV", "Hypertension", "Asthma",
    "Acne vulgaris", "History of cold sores", "Impetigo", "Lupus", "Thrombocytopenia",
    "Polycystic ovary syndrome", "Migraine", "No history of keloids", "Pregnant",
]  # fmt: skip
ICD_CODES = ["L91.0", "M34.0", "D66", "E11.9", "B00.1", "L70.0", "I10", "K21.9", "Z33.1", "K50.90"]
ALLERGIES = ["lidocaine", "benzocaine", "nickel", "penicillin", "hyaluronic acid", "latex", "NKDA"]
ZONES = ["forehead", "cheeks", "chin", "neck", "chest", "hands", "scalp", "abdomen"]

medications = st.builds(
    lambda name, start, end, last, status: med(
        name, start=start, end=end, last_dose=last, status=status
    ),
    st.sampled_from(MEDICINE_NAMES),
    st.none() | DAYS,
    st.none() | DAYS,
    st.none() | DAYS,
    st.sampled_from(list(MedicationStatus)),
)
conditions = st.one_of(
    st.builds(
        lambda text, status: condition(text, status=status),
        st.sampled_from(CONDITION_TEXTS),
        st.none() | st.sampled_from(list(ClinicalStatus)),
    ),
    st.builds(
        lambda code, status, resolved: condition(
            icd=code, status=None if resolved else status, resolved=resolved
        ),
        st.sampled_from(ICD_CODES),
        st.none() | st.sampled_from(list(ClinicalStatus)),
        st.none() | DAYS,
    ),
)
areas = st.builds(
    lambda zone, flags: area(zone, **{flag: True for flag in flags}),
    st.sampled_from(ZONES),
    st.sets(st.sampled_from(AREA_FLAGS), max_size=2),
)
procedures = st.builds(
    procedure,
    st.sampled_from(list(ProcedureKind)[:-1]),
    DAYS,
    st.none() | st.sampled_from(ZONES),
)
goals = st.builds(
    Goal,
    st.sampled_from(["rejuvenation", "acne_scars", "striae", "alopecia", "pigmentation"]),
    st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True).map(tuple),
)
intakes = st.builds(
    Intake,
    birth_date=st.dates(min_value=date(1940, 1, 1), max_value=date(2012, 12, 31)),
    pregnant=st.booleans(),
    nursing=st.booleans(),
    conditions=st.lists(conditions, max_size=3).map(tuple),
    medications=st.lists(medications, max_size=3).map(tuple),
    allergies=st.lists(st.sampled_from(ALLERGIES).map(allergy), max_size=2).map(tuple),
    history=st.builds(HistoryFlags, st.booleans(), st.booleans(), st.none() | st.just("CKD")),
    areas=st.lists(areas, max_size=2).map(tuple),
    procedures=st.lists(procedures, max_size=2).map(tuple),
    goals=st.lists(goals, max_size=2).map(tuple),
)
screening_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


@given(intakes, screening_days)
def test_the_decision_is_the_most_severe_finding(intake: Any, on: Any) -> None:
    result = screen(intake, on)
    if not result.findings:
        assert result.decision is Decision.TREAT
    else:
        assert result.decision is max(
            (f.decision for f in result.findings), key=lambda d: d.severity
        )
        assert result.findings[0].decision is result.decision
    severities = [f.decision.severity for f in result.findings]
    assert severities == sorted(severities, reverse=True)
    assert (len(result.unrecognised) > 0) == any(
        f.rule == "clinician-review" for f in result.findings
    )


@given(intakes, screening_days)
def test_defer_dates_are_after_the_day_and_the_latest_of_the_findings(intake: Any, on: Any) -> None:
    result = screen(intake, on)
    defers = [f for f in result.findings if f.decision is Decision.DEFER]
    for found in defers:
        assert (found.until is None) != (found.until_condition is None)
        if found.until is not None:
            assert found.until > on
    if result.decision is Decision.DEFER:
        if any(f.until is None for f in defers):
            assert result.until is None
            assert result.until_conditions
        else:
            assert result.until == max(f.until for f in defers if f.until is not None)
    else:
        assert result.until is None


ADDITIONS = st.one_of(
    medications.map(lambda m: ("medications", m)),
    conditions.map(lambda c: ("conditions", c)),
    st.sampled_from(ALLERGIES).map(lambda a: ("allergies", allergy(a))),
    areas.map(lambda a: ("areas", a)),
    procedures.map(lambda p: ("procedures", p)),
)


@given(intakes, screening_days, ADDITIONS)
def test_adding_a_fact_never_makes_the_decision_less_severe(
    intake: Any, on: Any, addition: Any
) -> None:
    field, item = addition
    before = screen(intake, on)
    more = dataclasses.replace(intake, **{field: (*getattr(intake, field), item)})
    after = screen(more, on)
    assert after.decision.severity >= before.decision.severity
    assert {f.rule for f in before.findings} <= {f.rule for f in after.findings}


@given(intakes, screening_days)
def test_every_finding_cites_known_sources(intake: Any, on: Any) -> None:
    knowledge = get_knowledge()
    for found in screen(intake, on).findings:
        assert found.sources
        assert all(source in knowledge.sources for source in found.sources)


def test_fixed_example_of_the_window_property() -> None:
    intake = Intake(
        birth_date=date(1990, 1, 1),
        medications=(med("Accutane", last_dose=ON - timedelta(days=30)),),
    )
    assert screen(intake, ON).until == date(2026, 2, 13)
