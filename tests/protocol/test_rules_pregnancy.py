"""Pregnancy and breastfeeding defer treatment, with no computable end."""

from typing import Any

import pytest

from cit.protocol.model import ClinicalStatus, Decision

from .helpers import condition, finding, rules, screened


def test_pregnant_defers_until_after_pregnancy_and_nursing() -> None:
    result = screened(pregnant=True)
    assert result.decision is Decision.DEFER
    assert result.until is None
    assert result.until_conditions == ("until after pregnancy and nursing",)
    assert finding(result, "pregnancy").facts[0].path == "pregnant"


def test_breastfeeding_defers_until_weaned() -> None:
    result = screened(nursing=True)
    assert result.until_conditions == ("until weaned",)


@pytest.mark.parametrize(
    ("entry", "rule"),
    [
        (condition(icd="Z33.1"), "pregnancy"),
        (condition(icd="O09.90"), "pregnancy"),
        (condition("Pregnant"), "pregnancy"),
        (condition(snomed="77386006"), "pregnancy"),
        (condition(icd="Z39.1"), "nursing"),
        (condition("Breastfeeding"), "nursing"),
    ],
)
def test_pregnancy_and_lactation_codes_defer(entry: Any, rule: Any) -> None:
    assert rules(screened(conditions=(entry,))) == {rule}


def test_a_past_pregnancy_has_no_bearing() -> None:
    result = screened(conditions=(condition(icd="O80", status=ClinicalStatus.RESOLVED),))
    assert result.decision is Decision.TREAT


def test_active_gestational_diabetes_is_pregnancy_and_diabetes() -> None:
    result = screened(conditions=(condition(icd="O24.410", status=ClinicalStatus.ACTIVE),))
    assert rules(result) == {"pregnancy", "diabetes"}
    assert result.decision is Decision.REFER


def test_pregnancy_status_unknown_defers_until_recorded_with_a_test_offered() -> None:
    # CLINICAL.md v2: "not sure" -> defer until recorded; offer a urine pregnancy test.
    result = screened(pregnancy_unknown=True)
    found = finding(result, "pregnancy-unknown")
    assert result.decision is Decision.DEFER
    assert result.until is None
    assert found.until_condition == "until the pregnancy status is recorded"
    assert any("pregnancy test" in action for action in found.actions)


def test_a_record_that_does_not_ask_is_not_unknown() -> None:
    assert screened().decision is Decision.TREAT
