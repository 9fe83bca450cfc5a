"""Rules on the state of the skin on the day: infection, herpes, wounds, sunburn, acne,
flares, lesions (CLINICAL.md section 2)."""

from dataclasses import replace

import pytest

from cit.protocol.model import ClinicalStatus, Decision, Goal

from .helpers import area, condition, finding, history, rules, screened


def test_active_infection_in_an_area_defers_until_resolved() -> None:
    result = screened(areas=(area("cheeks", active_infection=True),))
    found = finding(result, "infection-active")
    assert result.decision is Decision.DEFER
    assert result.until is None
    assert found.until is None
    assert found.until_condition == "until the infection has resolved"
    assert found.facts[0].path == "areas[0].active_infection"
    assert found.sources == ("S2", "S4", "BDS")


def test_an_infection_elsewhere_on_the_body_refers() -> None:
    # CLINICAL.md v2: in or near the area defer; elsewhere on the body refer.
    result = screened(areas=(area("hands", active_infection=True),))
    assert rules(result) == {"infection-elsewhere"}
    assert result.decision is Decision.REFER


@pytest.mark.parametrize("zone", ["forehead", "neck", "scalp"])
def test_an_infection_near_the_face_defers(zone: str) -> None:
    # The face is one block; the neck and scalp are adjacent blocks.
    result = screened(areas=(area(zone, active_infection=True),))
    assert rules(result) == {"infection-active"}
    assert result.decision is Decision.DEFER


def test_an_active_skin_infection_condition_in_the_area_defers() -> None:
    entry = condition("Impetigo", status=ClinicalStatus.ACTIVE)
    result = screened(conditions=(replace(entry, site="perioral"),))
    assert result.decision is Decision.DEFER
    assert rules(result) == {"infection-active"}


def test_an_active_skin_infection_condition_without_a_place_is_assumed_in_the_area() -> None:
    result = screened(conditions=(condition("Impetigo", status=ClinicalStatus.ACTIVE),))
    assert result.decision is Decision.DEFER
    assert rules(result) == {"infection-active"}


def test_a_resolved_skin_infection_has_no_bearing() -> None:
    result = screened(conditions=(condition(icd="L03.211", status=ClinicalStatus.RESOLVED),))
    assert result.decision is Decision.TREAT


def test_active_cold_sore_defers_until_healed_and_asks_for_prophylaxis_later() -> None:
    result = screened(areas=(area("perioral", active_cold_sore=True),))
    assert result.decision is Decision.DEFER
    assert finding(result, "herpes-active").until_condition == "until the lesion has healed"


def test_an_active_herpes_labialis_code_defers() -> None:
    result = screened(conditions=(condition(icd="B00.1", status=ClinicalStatus.ACTIVE),))
    assert {"herpes-active", "herpes-history"} <= rules(result)
    assert result.decision is Decision.DEFER


def test_history_of_cold_sores_means_antiviral_prophylaxis_on_the_day() -> None:
    result = screened(history=history(cold_sores=True))
    found = finding(result, "herpes-history")
    assert result.decision is Decision.TREAT_WITH_PRECAUTIONS
    assert found.actions == (
        "Antiviral prophylaxis (e.g. valacyclovir) starting on the day of the session.",
    )


def test_an_inactive_herpes_code_is_history_of_cold_sores() -> None:
    result = screened(conditions=(condition(icd="B00.1", status=ClinicalStatus.INACTIVE),))
    assert rules(result) == {"herpes-history"}


def test_history_of_text_without_status_reads_as_history() -> None:
    result = screened(conditions=(condition("History of cold sores"),))
    assert rules(result) == {"herpes-history"}


def test_open_wound_in_the_area_defers() -> None:
    result = screened(areas=(area("forehead", open_wound=True),))
    assert finding(result, "wound-open").until_condition == "until the wound has healed"
    assert result.decision is Decision.DEFER


def test_open_wound_elsewhere_on_the_body_refers() -> None:
    # CLINICAL.md v2: wounds are read "in or near the area"; elsewhere the clinician decides.
    result = screened(areas=(area("hands", open_wound=True),))
    assert rules(result) == {"wound-elsewhere"}
    assert result.decision is Decision.REFER


def test_sunburn_in_the_area_defers() -> None:
    result = screened(areas=(area("cheeks", sunburn=True),))
    assert rules(result) == {"sunburn"}
    assert result.decision is Decision.DEFER


def test_an_active_sunburn_condition_is_assumed_in_the_area() -> None:
    result = screened(conditions=(condition(icd="L55.0"),))
    assert "assumed in the treatment area" in finding(result, "sunburn").facts[0].text


def test_active_acne_in_the_area_defers_until_controlled() -> None:
    result = screened(areas=(area("chin", active_acne=True),))
    assert finding(result, "acne-active").until_condition == "until the acne is controlled"


def test_active_acne_outside_the_goal_area_has_no_bearing() -> None:
    result = screened(
        goals=(Goal("striae", ("abdomen",)),), areas=(area("chin", active_acne=True),)
    )
    assert result.decision is Decision.TREAT


def test_resolved_acne_vulgaris_has_no_bearing() -> None:
    result = screened(conditions=(condition(icd="L70.0", status=ClinicalStatus.RESOLVED),))
    assert result.decision is Decision.TREAT


def test_eczema_flare_in_the_area_defers_until_quiescent() -> None:
    result = screened(areas=(area("cheeks", active_eczema_flare=True),))
    assert finding(result, "eczema-psoriasis-active").until_condition == (
        "until the flare is quiescent"
    )


def test_lesion_in_the_area_refers_and_says_to_avoid_it() -> None:
    result = screened(areas=(area("forehead", lesion=True),))
    found = finding(result, "lesion-in-area")
    assert result.decision is Decision.REFER
    assert "avoid the area" in found.actions[0]


def test_lesion_outside_the_areas_to_treat_has_no_bearing() -> None:
    result = screened(areas=(area("chest", lesion=True),))
    assert result.decision is Decision.TREAT


def test_actinic_keratosis_code_refers() -> None:
    result = screened(conditions=(condition(icd="L57.0"),))
    assert rules(result) == {"lesion-in-area"}


def test_area_alias_face_covers_its_zones() -> None:
    result = screened(
        goals=(Goal("rejuvenation", ("cheeks",)),), areas=(area("face", sunburn=True),)
    )
    assert rules(result) == {"sunburn"}


def test_an_active_wound_condition_without_a_place_refers() -> None:
    # CLINICAL.md v2: wounds recorded as active Conditions without a place are referred.
    result = screened(conditions=(condition("Open wound", status=ClinicalStatus.ACTIVE),))
    assert "wound-elsewhere" in rules(result)
    assert result.decision is Decision.REFER
