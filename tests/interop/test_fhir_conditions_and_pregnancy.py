"""FHIR Condition (codings, body site) and pregnancy status -> the intake, as CLINICAL.md v2
reads them ("Records from EHRs carry more", "Pregnancy status unknown")."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cit.interop.fhir_intake import intake_from_fhir_bundle
from cit.protocol.model import ELSEWHERE, CodeSystem, Coding, Decision, Intake
from cit.protocol.screening import screen

ON = date(2025, 1, 10)
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"


def patient(gender: str = "female") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": "p", "gender": gender, "birthDate": "1990-01-01"}


def intake(*resources: dict[str, Any], gender: str = "female") -> Intake:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": patient(gender)}]
        + [{"resource": {**r, "subject": {"reference": "Patient/p"}}} for r in resources],
    }
    return intake_from_fhir_bundle(bundle, today=ON).intake


def condition(*codings: tuple[str, str, str], text: str | None = None, **more: Any) -> Any:
    code: dict[str, Any] = {
        "coding": [{"system": s, "code": c, "display": d} for s, c, d in codings]
    }
    if text:
        code["text"] = text
    return {"resourceType": "Condition", "code": code, **more}


# -- several codings: one entry, every coding, the most severe match wins ------------------------


def test_icd10_and_snomed_codings_are_one_entry_with_every_code() -> None:
    [entry] = intake(
        condition(
            (ICD10CM, "L91.0", "Hypertrophic scar"),
            (SNOMED, "49420001", "Keloid"),
            text="Keloid scar, left shoulder",
        )
    ).conditions
    assert entry.codes == (
        Coding(CodeSystem.ICD10CM, "L91.0"),
        Coding(CodeSystem.SNOMED, "49420001"),
    )
    assert entry.text == "Keloid scar, left shoulder"


def test_a_harmless_coding_does_not_hide_a_severe_one() -> None:
    """Two SNOMED codings, hypertension (no screening relevance) first and keloid (do not
    treat) second, no text: one entry with both codes; the keloid decides."""
    result = intake(
        condition(
            (SNOMED, "59621000", "Essential hypertension"), (SNOMED, "33659008", "Keloid scar")
        )
    )
    [entry] = result.conditions
    assert entry.codes == (
        Coding(CodeSystem.SNOMED, "59621000"),
        Coding(CodeSystem.SNOMED, "33659008"),
    )
    assert entry.text == "Essential hypertension"
    screening = screen(result, ON)
    assert screening.decision is Decision.DO_NOT_TREAT
    assert [f.rule for f in screening.findings] == ["keloid"]


def test_code_systems_given_by_oid_are_read() -> None:
    [entry] = intake(
        condition(
            ("urn:oid:2.16.840.1.113883.6.90", "L91.0", "Hypertrophic scar"),
            ("urn:oid:2.16.840.1.113883.6.96", "49420001", "Keloid"),
        )
    ).conditions
    assert entry.codes == (
        Coding(CodeSystem.ICD10CM, "L91.0"),
        Coding(CodeSystem.SNOMED, "49420001"),
    )


# -- bodySite -> ConditionEntry.site ---------------------------------------------------------------


def _snomed(code: str, display: str) -> dict[str, str]:
    return {"system": SNOMED, "code": code, "display": display}


@pytest.mark.parametrize(
    ("body_site", "site"),
    [
        ({"text": "Cheek"}, "cheeks"),
        ({"coding": [_snomed("60819002", "Cheek structure")]}, "cheeks"),
        ({"text": "Face"}, "face"),
        ({"coding": [_snomed("89545001", "Face structure")]}, "face"),
        ({"text": "Neck"}, "neck"),
        ({"text": "Scalp"}, "scalp"),
        ({"text": "Back of hand"}, "hands"),
        ({"text": "Skin structure of back of hand"}, "hands"),
        ({"text": "Upper lip"}, "perioral"),
        ({"text": "Left eyelid"}, "periorbital"),
        ({"text": "Forearm"}, "arms"),
        ({"text": "Cheek and chin"}, "face"),
        # another body place: elsewhere
        ({"text": "Structure of left lower leg"}, ELSEWHERE),
        ({"text": "Back"}, ELSEWHERE),
        ({"coding": [_snomed("77568009", "Back structure, excluding neck")]}, ELSEWHERE),
        ({"text": "Neck of femur"}, ELSEWHERE),
        ({"text": "Left ear"}, ELSEWHERE),
        # a place that may include a zone, several places, or nothing readable: not said
        ({"text": "Leg"}, None),
        ({"text": "Head and neck"}, None),
        ({"text": "Cheek; lower leg"}, None),
        ({"text": "Skin structure"}, None),
        ({"text": "Entire body"}, None),
        ({"coding": [{"system": SNOMED, "code": "60819002"}]}, None),
    ],
)  # fmt: skip
def test_body_site_becomes_the_condition_site(body_site: dict[str, Any], site: str | None) -> None:
    [entry] = intake(condition(text="Open wound", bodySite=[body_site])).conditions
    assert entry.site == site


def test_no_body_site_is_no_site() -> None:
    [entry] = intake(condition(text="Open wound")).conditions
    assert entry.site is None


def test_several_body_sites_in_one_block_and_apart() -> None:
    same_block = [{"text": "Cheek"}, {"text": "Skin structure of face"}]
    [entry] = intake(condition(text="Impetigo", bodySite=same_block)).conditions
    assert entry.site == "face"
    apart = [{"text": "Cheek"}, {"text": "Lower back"}]
    [entry] = intake(condition(text="Impetigo", bodySite=apart)).conditions
    assert entry.site is None


def test_procedure_body_sites_are_read_the_same_way() -> None:
    peel = {
        "resourceType": "Procedure",
        "status": "completed",
        "code": {"text": "Chemical peel"},
        "performedDateTime": "2025-01-03",
    }
    [on_face] = intake({**peel, "bodySite": [{"text": "Skin structure of cheek"}]}).procedures
    assert on_face.zone == "cheeks"
    # A procedure elsewhere has no zone field value for it: not recorded, assumed the area.
    [on_back] = intake({**peel, "bodySite": [{"text": "Back"}]}).procedures
    assert on_back.zone is None


# -- pregnancy status unknown ----------------------------------------------------------------------


def pregnancy_status(value: dict[str, Any] | None = None, when: str = "2025-01-05") -> Any:
    observation = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "82810-3", "display": "Pregnancy status"}]},
        "effectiveDateTime": when,
    }
    return {**observation, **(value or {})}


UNKNOWN_VALUE = {
    "valueCodeableConcept": {
        "coding": [{"system": SNOMED, "code": "261665006", "display": "Unknown"}]
    }
}


@pytest.mark.parametrize(
    "value",
    [
        UNKNOWN_VALUE,
        None,
        {"dataAbsentReason": {"coding": [{"code": "asked-unknown"}]}},
        {"valueCodeableConcept": {"text": "Not sure"}},
        {"valueString": "unknown"},
    ],
    ids=["snomed-unknown", "no-value", "data-absent", "not-sure", "string-unknown"],
)
def test_pregnancy_status_unknown_defers_until_recorded(value: dict[str, Any] | None) -> None:
    result = intake(pregnancy_status(value))
    assert (result.pregnant, result.pregnancy_unknown) == (False, True)
    assert result.unmapped == ()
    screening = screen(result, ON)
    assert screening.decision is Decision.DEFER
    assert [(f.rule, f.until) for f in screening.findings] == [("pregnancy-unknown", None)]


def test_not_asked_is_not_unknown() -> None:
    assert not intake().pregnancy_unknown
    assert screen(intake(), ON).decision is Decision.TREAT


def test_a_male_patient_is_not_pregnancy_unknown() -> None:
    result = intake(pregnancy_status(UNKNOWN_VALUE), gender="male")
    assert (result.pregnant, result.pregnancy_unknown) == (False, False)
    assert screen(result, ON).decision is Decision.TREAT


def test_the_latest_pregnancy_status_decides_unknown_too() -> None:
    not_pregnant = {"valueCodeableConcept": {"coding": [{"system": SNOMED, "code": "60001007"}]}}
    older_unknown = pregnancy_status(UNKNOWN_VALUE, when="2024-06-01")
    newer_known = pregnancy_status(not_pregnant, when="2025-01-05")
    assert not intake(older_unknown, newer_known).pregnancy_unknown
    older_known = pregnancy_status(not_pregnant, when="2024-06-01")
    newer_unknown = pregnancy_status(UNKNOWN_VALUE, when="2025-01-05")
    assert intake(older_known, newer_unknown).pregnancy_unknown
    pregnant = {"valueCodeableConcept": {"coding": [{"system": SNOMED, "code": "77386006"}]}}
    result = intake(older_unknown, pregnancy_status(pregnant, when="2025-01-05"))
    assert (result.pregnant, result.pregnancy_unknown) == (True, False)
