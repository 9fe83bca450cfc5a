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


# Realistic medicine lists of ordinary patients, as patients write them and as EHRs record them
# (RxNorm clinical drug names with their codes), in the US, UK, Spain/Latin America and France.
# Every medicine is of a class CLINICAL.md lists as of no screening relevance: treat.
ORDINARY_PATIENTS = {
    "hypertension and cholesterol, EHR": (
        med("lisinopril 10 MG Oral Tablet", rxnorm=("314076",)),
        med("atorvastatin 20 MG Oral Tablet", rxnorm=("617310",)),
        med("24 HR metoprolol succinate 25 MG Extended Release Oral Tablet"),
        med("omeprazole 20 MG Delayed Release Oral Capsule", rxnorm=("198051",)),
        med("amlodipine 5 MG Oral Tablet", rxnorm=("197361",)),
        med("hydrochlorothiazide 12.5 MG / losartan potassium 50 MG Oral Tablet"),
    ),
    "asthma and allergies, EHR": (
        med("200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", rxnorm=("745679",)),
        med("Fluticasone propionate 0.05 MG/ACTUAT Nasal Spray"),
        med("montelukast sodium 10 MG Oral Tablet"),
        med("cetirizine hydrochloride 10 MG Oral Tablet"),
        med("budesonide 0.16 MG/ACTUAT / formoterol fumarate 0.0045 MG/ACTUAT Inhaler"),
    ),
    "codes only": (
        med(rxnorm=("314076",)),
        med(rxnorm=("617310",)),
        med(rxnorm=("312941",)),
        med(rxnorm=("979492",)),
    ),
    "young woman, questionnaire": (
        med("Sprintec"),
        med("Zyrtec 10 mg"),
        med("Flonase nasal spray"),
        med("ibuprofen 200 mg as needed"),
        med("sertraline 50mg daily"),
        med("Vitamin D3 2000 IU"),
    ),
    "acne history, questionnaire": (
        med("Doxycycline hyclate 100 mg capsule"),
        med("spironolactone 50 mg"),
        med("Yaz"),
    ),
    "hair loss": (
        med("finasteride 1 mg"),
        med("minoxidil 5% foam"),
        med("biotin 5000 mcg"),
        med("oral minoxidil 2.5 mg"),
    ),
    "weight management": (med("Wegovy 1.7 mg weekly"), med("vitamin B12 1000 mcg")),
    "mood and sleep": (
        med("Lexapro 10 mg"),
        med("Wellbutrin XL 150 mg"),
        med("melatonin 3 mg at bedtime"),
        med("Cymbalta 60 mg"),
    ),
    "pain": (
        med("Aleve"),
        med("Tylenol Extra Strength"),
        med("meloxicam 15 mg"),
        med("Celebrex 200 mg"),
        med("Voltaren gel"),
    ),
    "eyes and stomach": (
        med("Lotemax eye drops"),
        med("Pataday"),
        med("famotidine 20 mg"),
        med("Nexium 40 mg"),
        med("pantoprazole sodium 40 MG Delayed Release Oral Tablet"),
    ),
    "supplements": (
        med("fish oil 1000 mg"),
        med("Vitamin E 200 IU"),
        med("Magnesium glycinate 400 mg"),
        med("collagen peptides"),
        med("probiotic"),
        med("vitamin C 1000 mg"),
        med("Centrum Silver"),
        med("ashwagandha"),
    ),
    "thyroid, UK": (
        med("Levothyroxine 50 micrograms tablets"),
        med("Ramipril 5mg capsules"),
        med("Omeprazole 20mg gastro-resistant capsules"),
    ),
    "Spain and Latin America": (
        med("Eutirox 50 mcg"),
        med("Omeprazol 20 mg"),
        med("Losartán 50 mg"),
        med("Paracetamol 1 g"),
        med("Loratadina 10 mg"),
        med("Atorvastatina 20 mg"),
    ),
    "France": (med("Doliprane 1000 mg"), med("Levothyrox 75"), med("Inexium 20 mg")),
}


@pytest.mark.parametrize("patient", list(ORDINARY_PATIENTS), ids=str)
def test_realistic_ordinary_medicine_lists_give_treat(patient: str) -> None:
    result = screened(medications=ORDINARY_PATIENTS[patient])
    assert result.unrecognised == ()
    assert result.decision is Decision.TREAT, result.findings
