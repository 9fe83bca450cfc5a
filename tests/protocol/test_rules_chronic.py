"""Chronic conditions: eczema/psoriasis history, chronic skin disease, keloids,
collagen-vascular disease, bleeding disorders, immunodeficiency, diabetes, staff flags."""

from dataclasses import replace
from typing import Any

import pytest

from cit.protocol.model import ClinicalStatus, Decision

from .helpers import condition, finding, history, rules, screened


@pytest.mark.parametrize(
    "entry",
    [
        condition("Psoriasis", status=ClinicalStatus.INACTIVE),
        condition(snomed="9014002", status=ClinicalStatus.REMISSION),
        condition(icd="L20.9", status=ClinicalStatus.RESOLVED),
        condition("History of atopic eczema"),
    ],
)
def test_history_of_eczema_or_psoriasis_refers(entry: Any) -> None:
    result = screened(conditions=(entry,))
    assert rules(result) == {"eczema-psoriasis-history"}
    assert result.decision is Decision.REFER


def test_active_psoriasis_defers_the_area_until_quiescent() -> None:
    # CLINICAL.md v2 separates the active flare in the area (defer until quiescent) from the
    # history (refer); the record's next screening, once quiescent, refers.
    result = screened(conditions=(condition(icd="L40.0", status=ClinicalStatus.ACTIVE),))
    assert rules(result) == {"eczema-psoriasis-active"}
    assert result.decision is Decision.DEFER


def test_active_psoriasis_elsewhere_on_the_body_refers() -> None:
    entry = replace(condition(icd="L40.0", status=ClinicalStatus.ACTIVE), site="elsewhere")
    result = screened(conditions=(entry,))
    assert rules(result) == {"eczema-psoriasis-history"}
    assert result.decision is Decision.REFER


@pytest.mark.parametrize(
    "entry",
    [
        condition("Rosacea", status=ClinicalStatus.INACTIVE),
        condition(icd="L80"),
    ],
)
def test_other_chronic_skin_disease_refers(entry: Any) -> None:
    result = screened(conditions=(entry,))
    assert "chronic-skin" in rules(result)
    assert result.decision is Decision.REFER


@pytest.mark.parametrize(
    "entry", [condition("Discoid lupus erythematosus"), condition(icd="L93.0")]
)
def test_cutaneous_lupus_is_collagen_vascular_do_not_treat(entry: Any) -> None:
    # CLINICAL.md v2: collagen-vascular includes cutaneous lupus (L93); chronic-skin names it too.
    result = screened(conditions=(entry,))
    assert {"collagen-vascular", "chronic-skin"} <= rules(result)
    assert result.decision is Decision.DO_NOT_TREAT


@pytest.mark.parametrize(
    "fields",
    [
        {"history": history(keloids=True)},
        {"conditions": (condition(icd="L91.0"),)},
        {"conditions": (condition("Hypertrophic scarring"),)},
        {"conditions": (condition(snomed="33659008", status=ClinicalStatus.INACTIVE),)},
    ],
)
def test_keloids_are_do_not_treat(fields: Any) -> None:
    result = screened(**fields)
    assert result.decision is Decision.DO_NOT_TREAT
    assert finding(result, "keloid").actions == (
        "Do not treat; only a physician's recorded override lifts this.",
    )


@pytest.mark.parametrize(
    "entry",
    [
        condition(icd="M34.0"),
        condition("Scleroderma"),
        condition(icd="L94.0"),
        condition("Systemic lupus erythematosus", status=ClinicalStatus.REMISSION),
        condition(snomed="55464009"),
        condition(icd="M33.10"),
        condition("Sjögren's syndrome"),
    ],
)
def test_collagen_vascular_disease_is_do_not_treat(entry: Any) -> None:
    result = screened(conditions=(entry,))
    assert rules(result) == {"collagen-vascular"}
    assert result.decision is Decision.DO_NOT_TREAT


@pytest.mark.parametrize(
    "entry",
    [
        condition(icd="D66"),
        condition(icd="D67"),
        condition(icd="D68.0"),
        condition("von Willebrand disease"),
        condition(icd="D69.6"),
        condition("Haemophilia A"),
    ],
)
def test_bleeding_disorders_are_do_not_treat(entry: Any) -> None:
    result = screened(conditions=(entry,))
    assert rules(result) == {"bleeding-disorder"}
    assert result.decision is Decision.DO_NOT_TREAT


def test_a_thrombophilia_inside_d65_d69_is_thrombophilia_not_bleeding_disorder() -> None:
    result = screened(conditions=(condition(icd="D68.51", text="Factor V Leiden mutation"),))
    assert rules(result) == {"thrombophilia"}
    assert result.decision is Decision.REFER


def test_antiphospholipid_syndrome_is_autoimmune_other() -> None:
    result = screened(conditions=(condition(icd="D68.61"),))
    assert rules(result) == {"autoimmune-other"}
    assert result.decision is Decision.REFER


@pytest.mark.parametrize(
    "entry",
    [
        condition(icd="B20"),
        condition("HIV infection"),
        condition(icd="D83.9"),
        condition(icd="Z21"),
    ],
)
def test_immunodeficiency_refers(entry: Any) -> None:
    result = screened(conditions=(entry,))
    assert rules(result) == {"immunosuppression"}
    assert result.decision is Decision.REFER


@pytest.mark.parametrize(
    "entry",
    [
        condition(icd="E11.9"),
        condition(icd="E10.65"),
        condition("Type 2 diabetes mellitus without complications"),
        condition(snomed="44054006"),
        condition("Poor wound healing"),
    ],
)
def test_diabetes_or_a_wound_healing_deficiency_refers(entry: Any) -> None:
    result = screened(conditions=(entry,))
    assert rules(result) == {"diabetes"}
    assert result.decision is Decision.REFER


def test_a_chronic_condition_flagged_by_staff_refers_with_the_note() -> None:
    result = screened(history=history(healing_concern="chronic kidney disease stage 3"))
    found = finding(result, "chronic-condition")
    assert result.decision is Decision.REFER
    assert "chronic kidney disease stage 3" in found.facts[0].text
