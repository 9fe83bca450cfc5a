"""FHIR R4 Bundle -> Intake, as EHRs send them: codes and/or display text only."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cit.interop.fhir_intake import (
    PREFETCH_KEYS,
    FhirIntakeError,
    bundle_from_prefetch,
    intake_from_fhir_bundle,
    is_fhir_bundle,
)
from cit.protocol.model import (
    ClinicalStatus,
    CodeSystem,
    Coding,
    Decision,
    MedicationStatus,
    ProcedureKind,
    Route,
    Sex,
)
from cit.protocol.screening import screen

FIXTURES = Path(__file__).with_name("fixtures")
ON = date(2025, 1, 10)


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def errors(data: Any, today: date | None = ON) -> list[str]:
    with pytest.raises(FhirIntakeError) as caught:
        intake_from_fhir_bundle(data, today=today)
    return [str(error) for error in caught.value.errors]


def test_an_ehr_searchset() -> None:
    result = intake_from_fhir_bundle(load("searchset_ehr.json"), today=ON)
    intake = result.intake
    assert intake.birth_date == date(1987, 9, 12)
    assert intake.sex is Sex.FEMALE
    assert not intake.pregnant
    assert not intake.nursing
    hypertension, acne, herpes = intake.conditions
    assert hypertension.codes == (
        Coding(CodeSystem.ICD10CM, "I10"),
        Coding(CodeSystem.SNOMED, "59621000"),
    )
    assert hypertension.status is ClinicalStatus.ACTIVE
    assert hypertension.onset == date(2019, 3, 1)
    assert acne.status is ClinicalStatus.RESOLVED
    assert acne.resolved == date(2010, 6, 1)
    assert herpes.status is ClinicalStatus.INACTIVE
    statin, isotretinoin = intake.medications
    assert statin.rxnorm == ("617310",)
    assert statin.route is Route.ORAL
    assert statin.start == date(2023, 5, 2)
    assert isotretinoin.status is MedicationStatus.STOPPED
    assert isotretinoin.end == date(2024, 8, 15)
    assert [a.substance for a in intake.allergies] == ["Penicillin", "Lidocaine"]
    assert intake.allergies[0].reaction == "Hives"
    (peel,) = intake.procedures
    assert (peel.kind, peel.date, peel.zone) == (
        ProcedureKind.CHEMICAL_PEEL,
        date(2025, 1, 3),
        "cheeks",
    )
    assert result.warnings == (
        "entry[3].resource: Condition skipped (refuted)",
        "entry[10].resource: Observation 'Heart rate' ignored (not used for screening)",
        "entry[12].resource: Encounter ignored (not used for screening)",
        "entry[13].resource: OperationOutcome ignored (not used for screening)",
    )


def test_screening_an_ehr_searchset() -> None:
    result = screen(intake_from_fhir_bundle(load("searchset_ehr.json"), today=ON).intake, ON)
    assert result.decision is Decision.DEFER
    assert result.until == date(2025, 8, 15)
    assert {f.rule for f in result.findings} == {
        "isotretinoin",
        "resurfacing-recent",
        "herpes-history",
        "anaesthetic-allergy",
    }
    assert result.unrecognised == ()


def test_a_transaction_with_references_and_a_dispensed_supply() -> None:
    result = intake_from_fhir_bundle(load("transaction_references.json"), today=ON)
    claravis, eliquis = result.intake.medications
    assert claravis.name == "Claravis 40 mg capsule"
    # 30 days x (1 + 4 repeats) from 1 May 2024: the supply lasts until 27 September.
    assert claravis.end == date(2024, 9, 27)
    assert claravis.status is MedicationStatus.STOPPED
    assert eliquis.name == "Eliquis 5 mg tablet"
    assert eliquis.start == date(2024, 11, 20)
    assert (
        "entry[4].resource: MedicationStatement skipped (status entered-in-error)"
        in result.warnings
    )
    assert any("estimated from the dispensed supply (2024-09-27)" in w for w in result.warnings)
    screening = screen(result.intake, ON)
    assert screening.decision is Decision.REFER
    assert {f.rule: f.until for f in screening.findings}["isotretinoin"] == date(2025, 9, 27)


def test_display_text_only() -> None:
    intake = intake_from_fhir_bundle(load("display_only.json"), today=ON).intake
    assert intake.nursing is True
    assert intake.conditions[1].codes == ()
    assert intake.conditions[1].text == "Type 2 diabetes"
    assert intake.medications[0].route is Route.TOPICAL
    assert intake.procedures[0].kind is ProcedureKind.OTHER
    result = screen(intake, ON)
    assert result.decision is Decision.DO_NOT_TREAT
    assert {f.rule for f in result.findings} == {
        "keloid",
        "diabetes",
        "metal-allergy",
        "clinician-review",
        "nursing",
        "retinoid-topical",
    }
    assert result.unrecognised[0].text == "Botulinum toxin injection"


def test_pregnancy_status_the_latest_observation_decides() -> None:
    bundle = load("display_only.json")
    observation = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "82810-3"}]},
        "subject": {"reference": "Patient/x"},
    }
    older = {
        **observation,
        "effectiveDateTime": "2024-01-01",
        "valueCodeableConcept": {
            "coding": [{"system": "http://snomed.info/sct", "code": "77386006"}]
        },
    }
    newer = {**observation, "effectiveDateTime": "2025-01-01", "valueBoolean": False}
    bundle["entry"] += [{"resource": older}, {"resource": newer}]
    assert intake_from_fhir_bundle(bundle).intake.pregnant is False
    bundle["entry"][-1]["resource"] = {**newer, "valueBoolean": True}
    assert intake_from_fhir_bundle(bundle).intake.pregnant is True


def test_an_unreadable_pregnancy_value_goes_to_review() -> None:
    bundle = load("display_only.json")
    bundle["entry"].append(
        {
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "82810-3"}]},
                "valueCodeableConcept": {"text": "Possible pregnancy"},
            }
        }
    )
    intake = intake_from_fhir_bundle(bundle).intake
    assert intake.pregnant is False
    assert intake.unmapped[-1].text == "pregnancy status: Possible pregnancy"
    assert screen(intake, ON).unrecognised[-1].path.startswith("unmapped[")


def test_is_fhir_bundle() -> None:
    assert is_fhir_bundle({"resourceType": "Bundle"})
    assert not is_fhir_bundle({"birth_date": "1990-01-01"})


MINIMAL: dict[str, Any] = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [{"resource": {"resourceType": "Patient", "id": "p", "birthDate": "1990-01-01"}}],
}


def with_entry(resource: dict[str, Any]) -> dict[str, Any]:
    bundle = copy.deepcopy(MINIMAL)
    bundle["entry"].append({"resource": resource})
    return bundle


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], ["expected a FHIR Bundle (a JSON object)"]),
        ({"resourceType": "Patient"}, ["resourceType: expected 'Bundle', got 'Patient'"]),
        (
            {"resourceType": "Bundle", "type": "history", "entry": []},
            [
                "type: unsupported bundle type 'history' (expected one of "
                "collection, transaction, searchset)"
            ],
        ),
        (
            {"resourceType": "Bundle", "type": "collection"},
            ["entry: the bundle is empty (no resources)"],
        ),
        (
            {
                **MINIMAL,
                "type": "searchset",
                "link": [{"relation": "next", "url": "https://ehr.example/fhir?page=2"}],
            },
            ["link: one page of a longer search result (a next link): send every page"],
        ),
        (
            {"resourceType": "Bundle", "type": "collection", "entry": []},
            ["entry: the bundle is empty (no resources)"],
        ),
        (
            with_entry({"resourceType": "Widget"}),
            ["entry[1].resource.resourceType: unknown FHIR resource type 'Widget'"],
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"request": {"method": "DELETE", "url": "Patient/1"}}],
            },
            ["entry[0].resource: missing (every entry needs a resource)"],
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "Encounter",
                            "status": "finished",
                            "class": {"code": "AMB"},
                        }
                    }
                ],
            },
            ["entry: no Patient resource (the birth date is needed)"],
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": {"resourceType": "Patient"}}],
            },
            ["entry[0].resource.birthDate: missing (the age rules need it)"],
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": {"resourceType": "Patient", "birthDate": "2030-01-01"}}],
            },
            ["entry[0].resource.birthDate: is in the future (2030-01-01)"],
        ),
        (
            with_entry({"resourceType": "Patient", "birthDate": "1990-01-01"}),
            ["entry[1].resource: a second Patient: a bundle must be about one patient"],
        ),
        (
            with_entry(
                {
                    "resourceType": "Condition",
                    "code": {"text": "x"},
                    "subject": {"reference": "Patient/q"},
                }
            ),
            ["entry[1].resource.subject: refers to Patient/q, not the bundle's patient"],
        ),
        (
            with_entry(
                {
                    "resourceType": "Condition",
                    "code": {"text": "x"},
                    "subject": {"reference": "Patient/p"},
                    "clinicalStatus": {"coding": [{"code": "dormant"}]},
                }
            ),
            ["entry[1].resource.clinicalStatus: unknown clinical status 'dormant'"],
        ),
        (
            with_entry(
                {
                    "resourceType": "MedicationStatement",
                    "status": "active",
                    "subject": {"reference": "Patient/p"},
                    "medicationCodeableConcept": {"text": "x"},
                    "effectivePeriod": {"start": "2024-05-01", "end": "2024-01-01"},
                }
            ),
            [
                "entry[1].resource.effectivePeriod.end: ends before it starts "
                "(2024-01-01 < 2024-05-01)"
            ],
        ),
        (
            with_entry(
                {
                    "resourceType": "Procedure",
                    "status": "completed",
                    "subject": {"reference": "Patient/p"},
                    "code": {"text": "chemical peel"},
                    "performedDateTime": "2026-01-01",
                }
            ),
            ["entry[1].resource.performedDateTime: is in the future (2026-01-01)"],
        ),
    ],
)
def test_errors_name_the_entry_and_the_path(data: Any, expected: Any) -> None:
    assert errors(data) == expected


def test_model_validation_errors_carry_the_fhir_path() -> None:
    bundle = copy.deepcopy(MINIMAL)
    bundle["entry"][0]["resource"]["birthDate"] = "12/09/1987"
    assert errors(bundle)[0].startswith("entry[0].resource.birthDate: ")
    bundle = with_entry(
        {
            "resourceType": "Condition",
            "subject": {"reference": "Patient/p"},
            "clinicalStatus": "active",
        }
    )
    assert errors(bundle)[0].startswith("entry[1].resource.clinicalStatus: ")


def test_a_partial_birth_date_is_taken_at_its_latest_and_said() -> None:
    bundle = copy.deepcopy(MINIMAL)
    bundle["entry"][0]["resource"]["birthDate"] = "1990-07"
    result = intake_from_fhir_bundle(bundle)
    assert result.intake.birth_date == date(1990, 7, 31)
    assert result.warnings == (
        "entry[0].resource.birthDate: partial date 1990-07; taken as 1990-07-31",
    )


def test_skipped_statuses() -> None:
    bundle = with_entry(
        {
            "resourceType": "AllergyIntolerance",
            "patient": {"reference": "Patient/p"},
            "code": {"text": "nickel"},
            "clinicalStatus": {"coding": [{"code": "resolved"}]},
        }
    )
    result = intake_from_fhir_bundle(bundle)
    assert result.intake.allergies == ()
    assert result.warnings == ("entry[1].resource: AllergyIntolerance skipped (resolved)",)


def test_a_condition_without_a_readable_code_is_kept_for_review() -> None:
    bundle = with_entry(
        {
            "resourceType": "Condition",
            "subject": {"reference": "Patient/p"},
            "code": {"coding": [{"system": "http://example.org", "code": "Z"}]},
        }
    )
    intake = intake_from_fhir_bundle(bundle).intake
    assert intake.conditions == ()
    assert intake.unmapped[0].source == "entry[1].resource"
    assert screen(intake, ON).decision is Decision.REFER


def test_cds_hooks_prefetch_becomes_one_bundle() -> None:
    searchset = load("searchset_ehr.json")
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in searchset["entry"]:
        by_type.setdefault(entry["resource"]["resourceType"], []).append(entry)

    def bundle_of(*types: str) -> dict[str, Any]:
        entries = [entry for kind in types for entry in by_type.get(kind, [])]
        return {"resourceType": "Bundle", "type": "searchset", "entry": entries}

    prefetch = {
        "patient": by_type["Patient"][0]["resource"],
        "conditions": bundle_of("Condition"),
        "medications": bundle_of("MedicationRequest"),
        "medication_statements": bundle_of("MedicationStatement"),
        "allergies": bundle_of("AllergyIntolerance"),
        "observations": bundle_of("Observation", "OperationOutcome"),
        "procedures": bundle_of("Procedure"),
    }
    bundle = bundle_from_prefetch(prefetch)
    assert bundle["type"] == "collection"
    from_prefetch = intake_from_fhir_bundle(bundle, today=ON).intake
    assert from_prefetch == intake_from_fhir_bundle(load("searchset_ehr.json"), today=ON).intake


def test_missing_prefetch_is_an_error_naming_the_keys() -> None:
    with pytest.raises(FhirIntakeError) as caught:
        bundle_from_prefetch({"patient": MINIMAL["entry"][0]["resource"]})
    assert [str(e) for e in caught.value.errors] == [
        "prefetch.conditions: missing (not prefetched)",
        "prefetch.medications: missing (not prefetched)",
        "prefetch.medication_statements: missing (not prefetched)",
        "prefetch.allergies: missing (not prefetched)",
        "prefetch.observations: missing (not prefetched)",
        "prefetch.procedures: missing (not prefetched)",
    ]
    assert bundle_from_prefetch({"patient": MINIMAL["entry"][0]["resource"]}, required=("patient",))


def test_null_prefetch_means_no_data_not_missing() -> None:
    """CDS Hooks: a null prefetch value is an empty result; only an absent key is missing."""
    patient = MINIMAL["entry"][0]["resource"]
    prefetch = {"patient": patient, **{key: None for key in PREFETCH_KEYS if key != "patient"}}
    intake = intake_from_fhir_bundle(bundle_from_prefetch(prefetch), today=ON).intake
    assert intake.conditions == ()
    assert intake.medications == ()
    with pytest.raises(FhirIntakeError, match="no such patient"):
        bundle_from_prefetch({**prefetch, "patient": None})
    outcome = {"resourceType": "OperationOutcome", "issue": []}
    with pytest.raises(FhirIntakeError, match="could not fetch it"):
        bundle_from_prefetch({**prefetch, "conditions": outcome})


def test_a_prefetched_page_that_is_not_the_whole_search_is_an_error() -> None:
    """The CDS service reads the other pages first; reaching here with one is a bug, never a
    screening of part of the record."""
    patient = MINIMAL["entry"][0]["resource"]
    prefetch: dict[str, Any] = {"patient": patient, **{k: None for k in PREFETCH_KEYS[1:]}}
    prefetch["conditions"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "link": [{"relation": "next", "url": "https://ehr.example/fhir?page=2"}],
        "entry": [],
    }
    with pytest.raises(FhirIntakeError, match="one page of a longer search"):
        bundle_from_prefetch(prefetch)
    prefetch["conditions"] = {"resourceType": "Bundle", "entry": {"resource": patient}}
    with pytest.raises(FhirIntakeError, match=r"prefetch.conditions.entry: expected a list"):
        bundle_from_prefetch(prefetch)
