"""What the patient's latest questionnaire version says, as FHIR: Condition,
MedicationStatement, AllergyIntolerance and the pregnancy and breastfeeding status
Observations.

Each entry of the intake is one resource whose id is ``<intake record id>-<n>`` (n counts the
entries of that list from 1), so an id stays the same while the version is the latest. Codes
are those the record holds (ICD-10-CM, ICD-10, SNOMED CT, RxNorm), never added; an entry
without one carries its words in ``text``.
"""

from __future__ import annotations

import datetime
from typing import Any

from cit.clinic.intake.models import IntakeRecord, IntakeSource
from cit.interop.fhir_intake import BREASTFEEDING_STATUS, PREGNANCY_STATUS, SNOMED_UNKNOWN
from cit.protocol.intake_json import IntakeError, intake_from_dict
from cit.protocol.model import ELSEWHERE, Intake, MedicationStatus, Sex

from .care import zone_site
from .common import (
    LOINC,
    RXNORM,
    SNOMED,
    SYSTEM_URLS,
    coding,
    concept,
    instant,
    meta,
    reference,
    validated,
)

CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


def parsed(record: IntakeRecord) -> Intake | None:
    """The stored intake, or None when it no longer reads (the knowledge base changed)."""
    try:
        return intake_from_dict(record.data)
    except IntakeError:
        return None


def _common(record: IntakeRecord) -> dict[str, Any]:
    return {"meta": meta(record.recorded_at)}


def _informant(record: IntakeRecord) -> dict[str, Any] | None:
    if record.source == IntakeSource.PORTAL:
        return reference("Patient", record.patient_id)
    return None


def conditions(record: IntakeRecord, intake: Intake) -> list[dict[str, Any]]:
    resources = []
    for number, entry in enumerate(intake.conditions, start=1):
        status = entry.status.value if entry.status is not None else None
        if status is None and entry.resolved is not None:
            status = "resolved"
        site = None
        if entry.site and entry.site != ELSEWHERE:
            site = [zone_site(entry.site)]
        resources.append(
            validated(
                {
                    "resourceType": "Condition",
                    "id": f"{record.pk}-{number}",
                    **_common(record),
                    "clinicalStatus": (
                        concept(None, coding(CONDITION_CLINICAL, status)) if status else None
                    ),
                    "category": [
                        concept(
                            None,
                            coding(CONDITION_CATEGORY, "problem-list-item", "Problem List Item"),
                        )
                    ],
                    "code": concept(
                        entry.text,
                        *(coding(SYSTEM_URLS[code.system], code.code) for code in entry.codes),
                    ),
                    "bodySite": site,
                    "subject": reference("Patient", record.patient_id),
                    "onsetDateTime": entry.onset.isoformat() if entry.onset else None,
                    "abatementDateTime": entry.resolved.isoformat() if entry.resolved else None,
                    "recordedDate": instant(record.recorded_at),
                    "asserter": _informant(record),
                }
            )
        )
    return resources


def _medication_status(status: MedicationStatus | None, end: datetime.date | None) -> str:
    if status == MedicationStatus.ACTIVE:
        return "active"
    if status == MedicationStatus.STOPPED or end is not None:
        return "stopped"
    return "unknown"


def medication_statements(record: IntakeRecord, intake: Intake) -> list[dict[str, Any]]:
    resources = []
    for number, entry in enumerate(intake.medications, start=1):
        end = entry.end or entry.last_dose
        resources.append(
            validated(
                {
                    "resourceType": "MedicationStatement",
                    "id": f"{record.pk}-{number}",
                    **_common(record),
                    "status": _medication_status(entry.status, end),
                    "medicationCodeableConcept": concept(
                        entry.name, *(coding(RXNORM, code) for code in entry.rxnorm)
                    ),
                    "subject": reference("Patient", record.patient_id),
                    "effectivePeriod": {
                        "start": entry.start.isoformat() if entry.start else None,
                        "end": end.isoformat() if end else None,
                    },
                    "dateAsserted": instant(record.recorded_at),
                    "informationSource": _informant(record),
                    "dosage": [{"route": concept(entry.route.value)}] if entry.route else [],
                }
            )
        )
    return resources


def allergy_intolerances(record: IntakeRecord, intake: Intake) -> list[dict[str, Any]]:
    resources = []
    for number, entry in enumerate(intake.allergies, start=1):
        resources.append(
            validated(
                {
                    "resourceType": "AllergyIntolerance",
                    "id": f"{record.pk}-{number}",
                    **_common(record),
                    "code": concept(
                        entry.substance,
                        *(coding(SYSTEM_URLS[code.system], code.code) for code in entry.codes),
                    ),
                    "patient": reference("Patient", record.patient_id),
                    "recordedDate": instant(record.recorded_at),
                    "asserter": _informant(record),
                    "reaction": (
                        [{"manifestation": [concept(entry.reaction)]}] if entry.reaction else []
                    ),
                }
            )
        )
    return resources


def status_observations(record: IntakeRecord, intake: Intake) -> list[dict[str, Any]]:
    """Pregnancy status (LOINC 82810-3, SNOMED CT answers) and breastfeeding status (LOINC
    63895-7). The stored intake keeps only a yes (or "unknown"), so a no is emitted for a
    female patient (whom the questionnaire asks) and nothing for others who said no."""
    asked = intake.sex == Sex.FEMALE
    resources = []
    if asked or intake.pregnant or intake.pregnancy_unknown:
        if intake.pregnancy_unknown:
            value = coding(SNOMED, SNOMED_UNKNOWN, "Unknown")
        elif intake.pregnant:
            value = coding(SNOMED, "77386006", "Pregnant")
        else:
            value = coding(SNOMED, "60001007", "Not pregnant")
        resources.append(
            _status(record, "pregnancy", PREGNANCY_STATUS, "Pregnancy status", concept(None, value))
        )
    if asked or intake.nursing:
        words = "Breastfeeding" if intake.nursing else "Not breastfeeding"
        resources.append(
            _status(
                record,
                "breastfeeding",
                BREASTFEEDING_STATUS,
                "Breastfeeding status",
                concept(words),
            )
        )
    return resources


def _status(
    record: IntakeRecord, suffix: str, loinc: str, display: str, value: dict[str, Any]
) -> dict[str, Any]:
    return validated(
        {
            "resourceType": "Observation",
            "id": f"{record.pk}-{suffix}",
            **_common(record),
            "status": "final",
            "category": [
                concept(None, coding(OBSERVATION_CATEGORY, "social-history", "Social History"))
            ],
            "code": concept(display, coding(LOINC, loinc, display)),
            "subject": reference("Patient", record.patient_id),
            "effectiveDateTime": instant(record.recorded_at),
            "issued": instant(record.recorded_at),
            "performer": [_informant(record)] if _informant(record) else [],
            "valueCodeableConcept": value,
        }
    )


BUILDERS = {
    "Condition": conditions,
    "MedicationStatement": medication_statements,
    "AllergyIntolerance": allergy_intolerances,
    "Observation": status_observations,
}
