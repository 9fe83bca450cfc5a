"""Ordinary patients pass: the medicines and conditions CLINICAL.md lists as of no screening
relevance, by generic and common US/UK brand names, are recognised and change nothing."""

from typing import Any

import pytest

from cit.protocol.model import Decision, Route

from .helpers import allergy, condition, med, screened

NO_RELEVANCE_MEDICINES = [
    "Lipitor 20 mg", "atorvastatin", "Zocor", "simvastatin 40mg", "Crestor", "rosuvastatin",
    "pravastatin", "Zestril", "lisinopril 10 mg", "ramipril", "Tritace", "Cozaar", "losartan",
    "Diovan", "valsartan", "Norvasc", "amlodipine 5mg", "Istin", "diltiazem CD", "Lopressor",
    "metoprolol tartrate", "atenolol", "bisoprolol", "propranolol", "Coreg", "hydrochlorothiazide",
    "HCTZ", "chlorthalidone", "bendroflumethiazide", "Synthroid", "levothyroxine 50 mcg",
    "Eltroxin", "omeprazole", "Prilosec", "Nexium", "Losec", "pantoprazole", "lansoprazole",
    "Zoloft", "sertraline", "Prozac", "fluoxetine", "Lexapro", "citalopram", "Seroxat",
    "Effexor XR", "venlafaxine", "Cymbalta", "duloxetine", "Pristiq", "Wellbutrin XL",
    "bupropion SR 150", "Yaz", "Yasmin", "Sprintec", "Microgynon", "Rigevidon", "Cerazette",
    "levonorgestrel and ethinyl estradiol", "oral contraceptive pill", "Zyrtec", "cetirizine",
    "Claritin", "loratadine", "Allegra", "fexofenadine", "Benadryl", "Piriton", "Singulair",
    "montelukast", "ProAir HFA", "Ventolin inhaler", "albuterol", "salbutamol", "Spiriva",
    "Aldactone", "spironolactone", "doxycycline 100 mg", "Oracea", "minocycline", "Solodyn",
    "vitamin D3", "multivitamin", "fish oil 1000 mg", "biotin", "folic acid", "iron",
    "calcium carbonate", "magnesium", "zinc", "collagen peptides", "probiotic", "melatonin",
    "Tylenol", "paracetamol", "acetaminophen", "Panadol", "Advil", "ibuprofen", "Nurofen",
    "Motrin IB",
]  # fmt: skip


@pytest.mark.parametrize("name", NO_RELEVANCE_MEDICINES)
def test_common_medicines_of_no_screening_relevance_give_treat(name: Any) -> None:
    result = screened(medications=(med(name),))
    assert result.decision is Decision.TREAT, result.unrecognised
    assert result.unrecognised == ()


def test_oral_doxycycline_is_of_no_relevance_only_by_mouth() -> None:
    assert screened(medications=(med("doxycycline", route=Route.ORAL),)).decision is Decision.TREAT
    assert (
        screened(medications=(med("minocycline foam", route=Route.TOPICAL),)).decision
        is Decision.REFER
    )


NO_RELEVANCE_CONDITIONS = [
    condition("Essential hypertension", icd="I10"), condition("High blood pressure"),
    condition(icd="E78.5"), condition("Hypercholesterolaemia"), condition(icd="E03.9"),
    condition("Hypothyroidism"), condition(icd="K21.9"), condition("GORD"), condition("GERD"),
    condition(icd="J45.909"), condition("Asthma"), condition(icd="J30.2"), condition("Hay fever"),
    condition(icd="F32.A"), condition("Depression"), condition(icd="F41.1"), condition("Anxiety"),
    condition(icd="G43.909"), condition("Migraine"), condition(icd="M17.11"),
    condition("Osteoarthritis"), condition(icd="E66.9"), condition("Obesity"),
    condition("Acne scars"), condition(icd="L90.5"), condition("Stretch marks"),
    condition(icd="L81.1"), condition("Melasma"), condition("Androgenetic alopecia"),
    condition(icd="L64.9"), condition("Photoaging"), condition(icd="L57.8"),
    condition(snomed="38341003"), condition(snomed="195967001"),
]  # fmt: skip


@pytest.mark.parametrize("entry", NO_RELEVANCE_CONDITIONS, ids=lambda c: c.text or c.codes[0].code)
def test_common_conditions_of_no_screening_relevance_give_treat(entry: Any) -> None:
    result = screened(conditions=(entry,))
    assert result.decision is Decision.TREAT, result.unrecognised


def test_a_typical_patient_passes() -> None:
    result = screened(
        medications=(med("Lipitor 20 mg"), med("Yaz"), med("Zyrtec"), med("Vitamin D3 1000 IU")),
        conditions=(
            condition("Essential hypertension", icd="I10"),
            condition("Seasonal allergic rhinitis"),
        ),
        allergies=(allergy("Penicillin"), allergy("Sulfa")),
    )
    assert result.decision is Decision.TREAT
    assert result.findings == ()
