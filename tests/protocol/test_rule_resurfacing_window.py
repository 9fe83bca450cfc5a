"""Chemical peel, microdermabrasion or laser resurfacing of the area in the last month:
defer until the procedure + 1 month (treatment allowed on that day)."""

from datetime import date, timedelta
from typing import Any

import pytest

from cit.protocol.model import Decision, Goal, ProcedureEntry, ProcedureKind

from .helpers import finding, procedure, rules, screened

PEEL = date(2025, 1, 31)
ALLOWED = date(2025, 2, 28)  # one calendar month, clamped to the month end


@pytest.mark.parametrize(
    "kind",
    [ProcedureKind.CHEMICAL_PEEL, ProcedureKind.MICRODERMABRASION, ProcedureKind.LASER_RESURFACING],
)
def test_the_day_before_the_month_is_up_defers_until_it(kind: Any) -> None:
    result = screened(on=ALLOWED - timedelta(days=1), procedures=(procedure(kind, PEEL, "cheeks"),))
    assert result.decision is Decision.DEFER
    assert result.until == ALLOWED
    assert finding(result, "resurfacing-recent").facts[0].path == "procedures[0]"


def test_treatment_is_allowed_a_month_after_the_procedure() -> None:
    result = screened(
        on=ALLOWED, procedures=(procedure(ProcedureKind.CHEMICAL_PEEL, PEEL, "cheeks"),)
    )
    assert result.decision is Decision.TREAT


def test_the_day_after_is_clear() -> None:
    result = screened(
        on=ALLOWED + timedelta(days=1), procedures=(procedure(ProcedureKind.CHEMICAL_PEEL, PEEL),)
    )
    assert result.decision is Decision.TREAT


def test_a_procedure_on_another_area_has_no_bearing() -> None:
    result = screened(
        on=PEEL + timedelta(days=7),
        goals=(Goal("rejuvenation", ("hands",)),),
        procedures=(procedure(ProcedureKind.LASER_RESURFACING, PEEL, "cheeks"),),
    )
    assert result.decision is Decision.TREAT


def test_a_procedure_near_the_area_counts() -> None:
    # CLINICAL.md v2: "in or near" includes the adjacent block (face - neck).
    result = screened(
        on=PEEL + timedelta(days=7),
        goals=(Goal("rejuvenation", ("neck",)),),
        procedures=(procedure(ProcedureKind.LASER_RESURFACING, PEEL, "cheeks"),),
    )
    assert result.decision is Decision.DEFER


def test_a_procedure_without_an_area_is_assumed_in_the_treatment_area() -> None:
    result = screened(
        on=PEEL + timedelta(days=7), procedures=(procedure(ProcedureKind.MICRODERMABRASION, PEEL),)
    )
    assert "assumed the treatment area" in finding(result, "resurfacing-recent").facts[0].text


def test_the_latest_procedure_decides_the_date() -> None:
    result = screened(
        on=date(2025, 2, 10),
        procedures=(
            procedure(ProcedureKind.CHEMICAL_PEEL, date(2025, 1, 20)),
            procedure(ProcedureKind.LASER_RESURFACING, date(2025, 2, 1)),
        ),
    )
    assert result.until == date(2025, 3, 1)


def test_an_earlier_micro_needling_session_is_no_contraindication() -> None:
    result = screened(procedures=(procedure(ProcedureKind.MICRONEEDLING, date(2025, 3, 1)),))
    assert result.decision is Decision.TREAT


def test_an_other_procedure_named_as_a_laser_resurfacing_is_recognised() -> None:
    entry = ProcedureEntry(
        ProcedureKind.OTHER, date(2025, 3, 1), text="Fractional CO2 laser resurfacing"
    )
    assert rules(screened(procedures=(entry,))) == {"resurfacing-recent"}


def test_an_unknown_other_procedure_goes_to_clinician_review() -> None:
    entry = ProcedureEntry(ProcedureKind.OTHER, date(2025, 3, 1), text="Botox forehead")
    result = screened(procedures=(entry,))
    assert result.decision is Decision.REFER
    assert result.unrecognised[0].path == "procedures[0]"
