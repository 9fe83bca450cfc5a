"""Medicines in use: anticoagulants and antiplatelets, immunosuppression, diabetes
medicines, topical retinoids (CLINICAL.md section 2)."""

from datetime import date, timedelta
from typing import Any

import pytest

from cit.protocol.model import Decision, MedicationStatus, Route

from .helpers import ON, finding, med, rules, screened


@pytest.mark.parametrize(
    "entry",
    [
        med("Eliquis 5 mg"),
        med("apixaban"),
        med("Aspirin 81 mg EC tablet"),
        med("low dose aspirin"),
        med(rxnorm=("11289",)),
        med("Coumadin"),
        med("Xarelto 20mg"),
        med("Lovenox 40 mg/0.4 mL syringe"),
        med("Plavix"),
        med("Brilinta 90 mg"),
        med("Aggrenox"),
        med("Clexane"),
    ],
)
def test_anticoagulants_and_antiplatelets_in_use_refer(entry: Any) -> None:
    result = screened(medications=(entry,))
    assert rules(result) == {"anticoagulant"}
    assert result.decision is Decision.REFER


def test_a_medicine_with_no_end_date_is_in_use() -> None:
    assert rules(screened(medications=(med("warfarin", start=date(2020, 1, 1)),))) == {
        "anticoagulant"
    }


def test_a_medicine_ending_on_the_day_is_still_in_use() -> None:
    assert "anticoagulant" in rules(screened(medications=(med("warfarin", end=ON),)))


def test_a_medicine_stopped_the_day_before_is_not_in_use() -> None:
    result = screened(medications=(med("warfarin", end=ON - timedelta(days=1)),))
    assert result.decision is Decision.TREAT


def test_a_medicine_starting_after_the_day_is_not_in_use() -> None:
    result = screened(medications=(med("Eliquis", start=ON + timedelta(days=1)),))
    assert result.decision is Decision.TREAT


def test_a_stopped_medicine_without_dates_is_not_in_use() -> None:
    result = screened(medications=(med("Plavix", status=MedicationStatus.STOPPED),))
    assert result.decision is Decision.TREAT


@pytest.mark.parametrize(
    "entry",
    [
        med("Humira 40 mg pen"),
        med("methotrexate 2.5 mg tablets"),
        med("Prograf 1 mg capsule"),
        med("prednisone 20 mg"),
        med("Medrol Dosepak"),
        med("Rinvoq 15 mg"),
        med("Xeljanz"),
        med(rxnorm=("2555",)),
        med("Xeloda"),
        med("CellCept 500 mg"),
        med("Dupixent"),
        med("ciclosporin", route=Route.ORAL),
    ],
)
def test_immunosuppressive_therapy_refers(entry: Any) -> None:
    result = screened(medications=(entry,))
    assert rules(result) == {"immunosuppression"}
    assert result.decision is Decision.REFER


@pytest.mark.parametrize(
    "entry",
    [
        med("Ozempic 0.5 mg pen"),
        med("metformin ER 500 mg"),
        med("Lantus SoloStar"),
        med("insulin glargine"),
        med("Jardiance 10 mg"),
        med("Janumet XR"),
        med("Mounjaro"),
        med("glibenclamide"),
    ],
)
def test_diabetes_medicines_in_use_refer(entry: Any) -> None:
    result = screened(medications=(entry,))
    assert rules(result) == {"diabetes"}


def test_a_glp1_brand_for_weight_goes_to_clinician_review() -> None:
    result = screened(medications=(med("Wegovy 2.4 mg"),))
    assert rules(result) == {"clinician-review"}
    assert "weight management" in result.unrecognised[0].reason


@pytest.mark.parametrize(
    "name",
    ["Retin-A 0.05% cream", "Differin gel", "tazarotene", "Aklief", "retinol serum", "Isotrex"],
)
def test_a_topical_retinoid_in_use_means_a_pause_around_each_session(name: Any) -> None:
    result = screened(medications=(med(name),))
    assert result.decision is Decision.TREAT_WITH_PRECAUTIONS
    assert finding(result, "retinoid-topical").actions == (
        "Pause the topical retinoid from 3 days before to 7 days after each session.",
    )


def test_a_retinoid_last_used_within_the_pause_still_needs_the_precaution() -> None:
    result = screened(medications=(med("tretinoin cream", last_dose=ON - timedelta(days=3)),))
    assert "retinoid-topical" in rules(result)


def test_a_retinoid_stopped_before_the_pause_has_no_bearing() -> None:
    result = screened(medications=(med("tretinoin cream", last_dose=ON - timedelta(days=4)),))
    assert result.decision is Decision.TREAT


def test_a_combination_product_triggers_each_ingredient() -> None:
    result = screened(medications=(med("Epiduo Forte"),))
    assert rules(result) == {"retinoid-topical"}
