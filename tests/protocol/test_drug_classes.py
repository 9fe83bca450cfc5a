"""Each medicine class of CLINICAL.md v2 section 2 gives its rule's decision, whether the
record names the medicine by generic, brand, international or RxNorm clinical drug name, or
codes it with the product's RxCUI; a combination is decided by its most severe ingredient."""

from typing import Any

import pytest

from cit.protocol.model import Decision

from .helpers import med, rules, screened

REFER_ANTICOAGULANT = [
    med("Warfarin Sodium 5 MG Oral Tablet"),
    med(rxnorm=("855332",)),
    med("Marcoumar"),
    med("Falithrom 3 mg"),
    med("Sintrom 4 mg"),
    med("Fraxiparine 0.3 ml injection"),
    med("Xarelto 20mg"),
    med("Excedrin Migraine"),
    med("Alka-Seltzer"),
    med("Aggrenox"),
    med("Adiro 100 mg"),
    med("clopidogrel 75 MG Oral Tablet [Plavix]"),
    med("Yosprala 81 mg/40 mg", rxnorm=("7646",)),  # coded as omeprazole only
    med("aspirin 81 MG / omeprazole 40 MG Delayed Release Oral Tablet", rxnorm=("1811631",)),
]


@pytest.mark.parametrize("entry", REFER_ANTICOAGULANT, ids=lambda m: m.name or m.rxnorm[0])
def test_anticoagulants_and_antiplatelets_refer(entry: Any) -> None:
    result = screened(medications=(entry,))
    assert "anticoagulant" in rules(result)
    assert result.decision is Decision.REFER


@pytest.mark.parametrize(
    "entry",
    [
        med("0.4 ML adalimumab 100 MG/ML Auto-Injector [Humira]"),
        med(rxnorm=("105585",)),  # methotrexate 2.5 MG Oral Tablet
        med("Imurel 50 mg"),
        med("predniSONE 20 MG Oral Tablet"),
        med("Dacortin 30 mg"),
        med("Olumiant 4 mg"),
        med("Keytruda"),
        med("Kenalog-40 injection"),
    ],
    ids=lambda m: m.name or m.rxnorm[0],
)
def test_immunosuppressive_therapy_refers(entry: Any) -> None:
    result = screened(medications=(entry,))
    assert rules(result) == {"immunosuppression"}
    assert result.decision is Decision.REFER


@pytest.mark.parametrize(
    "entry",
    [
        med("24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet"),
        med(rxnorm=("860975",)),
        med("3 ML insulin glargine 100 UNT/ML Pen Injector [Lantus]"),
        med("Toujeo"),
        med("Ozempic 0.5 mg"),
        med("Trulicity"),
        med("Victoza"),
        med("Mounjaro 5 mg"),
        med("metformina 850 mg"),
    ],
    ids=lambda m: m.name or m.rxnorm[0],
)
def test_diabetes_medicines_refer(entry: Any) -> None:
    result = screened(medications=(entry,))
    assert rules(result) == {"diabetes"}
    assert result.decision is Decision.REFER


@pytest.mark.parametrize(
    "name", ["Wegovy 2.4 mg", "Saxenda", "Zepbound", "semaglutide 2.4 MG Auto-Injector [Wegovy]"]
)
def test_glp1_for_weight_has_no_screening_relevance(name: str) -> None:
    result = screened(medications=(med(name),))
    assert result.decision is Decision.TREAT
    assert result.unrecognised == ()


@pytest.mark.parametrize(
    "entry",
    [
        med("isotretinoin 20 MG Oral Capsule"),
        med(rxnorm=("197844",)),
        med("isotretinoína 20 mg"),
        med("isotrétinoïne 20 mg"),
        med("acutane"),
        med("isotretinion 20mg"),
        med("Roacutan 20 mg"),
        med("acitretin 25 mg"),
        med("Toctino 30 mg"),
        med("bexarotene 75 MG Oral Capsule"),
    ],
    ids=lambda m: m.name or m.rxnorm[0],
)
def test_oral_retinoids_in_use_defer(entry: Any) -> None:
    result = screened(medications=(entry,))
    assert rules(result) == {"isotretinoin"}
    assert result.decision is Decision.DEFER
    assert result.until is None  # in use: the window starts at the last dose


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("Ginkgo biloba 120 mg", "supplement-antiplatelet"),
        ("garlic extract", "supplement-antiplatelet"),
        ("ginseng", "supplement-antiplatelet"),
        ("turmeric 500 mg", "supplement-antiplatelet"),
        ("fish oil", "supplement-antiplatelet"),
        ("fish oil 4 g daily", "supplement-antiplatelet"),
        ("vitamin E 1000 IU", "supplement-antiplatelet"),
        ("clobetasol propionate 0.05% cream", "topical-steroid-area"),
        ("Elocon cream", "topical-steroid-area"),
        ("betamethasone valerate 0.1% ointment", "topical-steroid-area"),
        ("triamcinolone acetonide 0.1% cream", "topical-steroid-area"),
        ("fluticasone", "topical-steroid-area"),  # route not said: the safe default
        ("hydroquinone 4% cream", "skincare-active"),
        ("glycolic acid 10% cream", "skincare-active"),
        ("vitamin C serum", "skincare-active"),
        ("benzoyl peroxide 5% wash", "skincare-active"),
        ("clindamycin phosphate 1% gel", "skincare-active"),
        ("erythromycin 2% gel", "skincare-active"),
        ("metronidazole 0.75% gel", "skincare-active"),
        ("azelaic acid 15% gel", "skincare-active"),
        ("tretinoin 0.5 MG/ML Topical Cream", "retinoid-topical"),
        ("Isotrex gel", "retinoid-topical"),
    ],
)
def test_precaution_classes_give_treat_with_precautions(name: str, rule: str) -> None:
    result = screened(medications=(med(name),))
    assert rules(result) == {rule}
    assert result.decision is Decision.TREAT_WITH_PRECAUTIONS
    assert result.unrecognised == ()


@pytest.mark.parametrize(
    "name",
    [
        "hydrocortisone 1% cream",
        "desonide 0.05% cream",
        "Flonase",
        "fluticasone nasal spray",
        "Nasonex",
        "Pulmicort Flexhaler",
        "Lotemax",
        "fish oil 1000 mg",
        "vitamin E 400 IU",
        "minoxidil 5% solution",
        "finasteride 1 mg",
        "Celebrex 200 mg",
        "naproxen 500 mg",
    ],
)
def test_local_and_mild_steroids_and_other_no_relevance_classes_treat(name: str) -> None:
    result = screened(medications=(med(name),))
    assert result.decision is Decision.TREAT
    assert result.unrecognised == ()


def test_a_combination_takes_the_most_severe_ingredient() -> None:
    result = screened(medications=(med("Tri-Luma cream"),))  # steroid, hydroquinone, tretinoin
    assert rules(result) == {"topical-steroid-area", "skincare-active", "retinoid-topical"}
    result = screened(medications=(med("Excedrin PM"),))  # aspirin, acetaminophen, antihistamine
    assert rules(result) == {"anticoagulant"}
    assert result.decision is Decision.REFER


@pytest.mark.parametrize(
    "name", ["hydralazine 25 mg", "Klonopin", "Cerebyx", "clindamycin 300 mg capsule"]
)
def test_unclassified_and_confusable_medicines_go_to_clinician_review(name: str) -> None:
    result = screened(medications=(med(name),))
    assert result.unrecognised
    assert result.decision is Decision.REFER
