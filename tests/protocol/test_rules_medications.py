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


def test_warfarin_stopped_counts_as_in_use_through_its_five_day_washout() -> None:
    # CLINICAL.md v2: vitamin-K antagonists count as in use until 5 days after the last dose;
    # a last dose without a status means stopped that day; allowed on the fifth day after.
    assert screened(medications=(med("warfarin", last_dose=ON - timedelta(days=4)),)).decision is (
        Decision.REFER
    )
    assert screened(medications=(med("warfarin", last_dose=ON - timedelta(days=5)),)).decision is (
        Decision.TREAT
    )


def test_an_active_warfarin_record_with_a_last_dose_yesterday_is_in_use() -> None:
    entry = med("warfarin", status=MedicationStatus.ACTIVE, last_dose=ON - timedelta(days=30))
    assert screened(medications=(entry,)).decision is Decision.REFER


def test_a_planned_start_counts_as_in_use() -> None:
    result = screened(medications=(med("Eliquis", start=ON + timedelta(days=7)),))
    assert result.decision is Decision.REFER


def test_a_stopped_medicine_without_dates_counts_as_in_use() -> None:
    result = screened(medications=(med("Plavix", status=MedicationStatus.STOPPED),))
    assert result.decision is Decision.REFER


@pytest.mark.parametrize(
    ("name", "days_before", "decision"),
    [
        ("apixaban", 1, Decision.REFER),  # 2-day washout
        ("apixaban", 2, Decision.TREAT),
        ("enoxaparin", 1, Decision.TREAT),  # 1-day washout
        ("prasugrel", 6, Decision.REFER),  # 7-day washout
        ("prasugrel", 7, Decision.TREAT),
        ("Xeljanz", 2, Decision.REFER),  # JAK inhibitor: 3 days
        ("Xeljanz", 3, Decision.TREAT),
        ("methotrexate", 6, Decision.REFER),  # other systemic immunosuppressant: 7 days
        ("methotrexate", 7, Decision.TREAT),
        ("Humira", 13, Decision.REFER),  # biologic: one dosing interval (adalimumab 14 days)
        ("Humira", 14, Decision.TREAT),
        ("cyclophosphamide", 27, Decision.REFER),  # chemotherapy: 28 days
        ("cyclophosphamide", 28, Decision.TREAT),
    ],
)
def test_washouts_by_class(name: str, days_before: int, decision: Decision) -> None:
    result = screened(medications=(med(name, last_dose=ON - timedelta(days=days_before)),))
    assert result.decision is decision


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


def test_a_glp1_brand_for_weight_has_no_screening_relevance() -> None:
    # CLINICAL.md v2: the diabetes rule concerns the disease, not GLP-1s for weight.
    result = screened(medications=(med("Wegovy 2.4 mg"),))
    assert result.decision is Decision.TREAT
    assert not result.unrecognised


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
    result = screened(medications=(med("Epiduo Forte"),))  # adapalene + benzoyl peroxide
    assert rules(result) == {"retinoid-topical", "skincare-active"}
