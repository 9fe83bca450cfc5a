"""Anything the knowledge base does not recognise is listed, never ignored, and makes the
decision at least `refer` (clinician to review)."""

from datetime import date

from cit.protocol.model import Decision, Intake, UnmappedFact

from .helpers import allergy, condition, finding, med, screened


def test_an_unknown_medicine_refers_for_clinician_review() -> None:
    result = screened(medications=(med("Lipitor"), med("gabapentin 300 mg")))
    assert result.decision is Decision.REFER
    (item,) = result.unrecognised
    assert item.path == "medications[1]"
    assert item.text == "gabapentin 300 mg"
    review = finding(result, "clinician-review")
    assert review.facts[0].path == "medications[1]"
    assert review.sources == ("POLICY",)


def test_an_unknown_condition_code_refers() -> None:
    result = screened(conditions=(condition(icd="K50.90"),))
    assert result.decision is Decision.REFER
    assert "K50.90" in result.unrecognised[0].reason


def test_an_unknown_condition_text_refers() -> None:
    assert screened(conditions=(condition("Sarcoidosis"),)).decision is Decision.REFER


def test_an_unknown_rxnorm_code_without_a_name_refers() -> None:
    result = screened(medications=(med(rxnorm=("99999999",)),))
    assert "99999999" in result.unrecognised[0].reason


def test_unrecognised_does_not_lower_a_more_severe_decision() -> None:
    result = screened(medications=(med("gabapentin"),), conditions=(condition(icd="L91.0"),))
    assert result.decision is Decision.DO_NOT_TREAT


def test_known_but_unclassified_medicines_go_to_review_with_the_reason() -> None:
    result = screened(medications=(med("Protopic 0.1% ointment"),))
    assert result.decision is Decision.REFER
    assert "systemic immunosuppression" in result.unrecognised[0].reason


def test_unmapped_facts_from_a_source_are_listed() -> None:
    intake = Intake(
        birth_date=date(1990, 1, 1),
        unmapped=(UnmappedFact("entry[3]", "pregnancy status: possible pregnancy"),),
    )
    from cit.protocol.screening import screen

    result = screen(intake, date(2025, 1, 1))
    assert result.decision is Decision.REFER
    assert result.unrecognised[0].path == "unmapped[0]"


def test_a_history_of_skin_cancer_goes_to_review_while_an_active_one_refers_as_a_lesion() -> None:
    active = screened(conditions=(condition(icd="C44.311"),))
    assert {f.rule for f in active.findings} == {"lesion-in-area"}
    past = screened(conditions=(condition("History of basal cell carcinoma"),))
    assert past.decision is Decision.REFER
    assert "History of skin cancer" in past.unrecognised[0].reason


def test_an_unknown_allergy_is_listed() -> None:
    result = screened(allergies=(allergy("adhesive tape"),))
    assert result.unrecognised[0].path == "allergies[0]"


def test_an_unknown_code_beside_a_harmless_one_is_not_hidden() -> None:
    # A Condition coded hypertension (I10) and with a code the knowledge base does not know:
    # the unknown code may say something worse, so a clinician reviews it.
    entry = condition("Hypertension", icd="I10", snomed="999999999")
    result = screened(conditions=(entry,))
    assert result.decision is Decision.REFER
    assert "999999999" in result.unrecognised[0].reason
