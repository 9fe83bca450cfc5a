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
from cit.clinic.labels import indication_label, zone_label
from cit.interop.fhir_elements import (
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
from cit.interop.fhir_intake import BREASTFEEDING_STATUS, PREGNANCY_STATUS, SNOMED_UNKNOWN
from cit.protocol.intake_json import IntakeError, intake_from_dict
from cit.protocol.model import AREA_FLAGS, ELSEWHERE, Intake, MedicationStatus, Sex

from .care import user_reference, zone_site

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


ADMINISTRATIVE_GENDER = "http://hl7.org/fhir/administrative-gender"


def _answer_item(link_id: str, text: str, answers: list[dict[str, Any]]) -> dict[str, Any] | None:
    answers = [answer for answer in answers if answer]
    return {"linkId": link_id, "text": text, "answer": answers} if answers else None


def _group(link_id: str, text: str, items: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    present = [item for item in items if item]
    return {"linkId": link_id, "text": text, "item": present} if present else None


def _words(*parts: str | None) -> dict[str, Any]:
    text = ", ".join(part for part in parts if part)
    return {"valueString": text} if text else {}


def questionnaire_response(record: IntakeRecord) -> dict[str, Any]:
    """One version of the patient's questionnaire as answered (every version, not only the
    latest: each is evidence). Codes are the answers' own."""
    intake = parsed(record)
    if intake is None:
        items: list[dict[str, Any] | None] = [
            _answer_item(
                "unreadable",
                "Answers",
                [{"valueString": "This version no longer reads with the current protocol."}],
            )
        ]
    else:
        items = _intake_items(intake)
    return validated(
        {
            "resourceType": "QuestionnaireResponse",
            "id": str(record.pk),
            "meta": meta(record.recorded_at),
            "identifier": {"value": f"version {record.version}"},
            "status": "completed",
            "subject": reference("Patient", record.patient_id),
            "authored": instant(record.recorded_at),
            "author": (
                user_reference(record.recorded_by) if record.recorded_by is not None else None
            ),
            "source": _informant(record),
            "item": items,
        }
    )


def _codings(codes: Any) -> list[dict[str, Any]]:
    return [{"valueCoding": coding(SYSTEM_URLS[code.system], code.code)} for code in codes]


def _intake_items(intake: Intake) -> list[dict[str, Any] | None]:
    if intake.pregnancy_unknown:
        pregnancy = coding(SNOMED, SNOMED_UNKNOWN, "Unknown")
    elif intake.pregnant:
        pregnancy = coding(SNOMED, "77386006", "Pregnant")
    else:
        pregnancy = coding(SNOMED, "60001007", "Not pregnant")
    history = intake.history
    return [
        _answer_item("birth_date", "Date of birth", [{"valueDate": intake.birth_date.isoformat()}]),
        _answer_item(
            "sex", "Sex", [{"valueCoding": coding(ADMINISTRATIVE_GENDER, intake.sex.value)}]
        ),
        _answer_item(
            "fitzpatrick",
            "Fitzpatrick skin type",
            [{"valueInteger": intake.fitzpatrick}] if intake.fitzpatrick else [],
        ),
        _answer_item(
            "glogau",
            "Glogau photo-ageing type",
            [{"valueInteger": intake.glogau}] if intake.glogau else [],
        ),
        _answer_item("pregnant", "Pregnant", [{"valueCoding": pregnancy}]),
        _answer_item("nursing", "Breastfeeding", [{"valueBoolean": intake.nursing}]),
        _group(
            "conditions",
            "Conditions",
            [
                _answer_item(
                    f"conditions.{n}",
                    entry.text or "Condition",
                    [
                        *_codings(entry.codes),
                        _words(entry.text, entry.status and entry.status.value),
                    ],
                )
                for n, entry in enumerate(intake.conditions, start=1)
            ],
        ),
        _group(
            "medications",
            "Medicines",
            [
                _answer_item(
                    f"medications.{n}",
                    entry.name or "Medicine",
                    [
                        *({"valueCoding": coding(RXNORM, code)} for code in entry.rxnorm),
                        _words(
                            entry.name,
                            entry.route and entry.route.value,
                            entry.status and entry.status.value,
                            f"from {entry.start.isoformat()}" if entry.start else None,
                            f"until {entry.end.isoformat()}" if entry.end else None,
                            f"last dose {entry.last_dose.isoformat()}" if entry.last_dose else None,
                        ),
                    ],
                )
                for n, entry in enumerate(intake.medications, start=1)
            ],
        ),
        _group(
            "allergies",
            "Allergies",
            [
                _answer_item(
                    f"allergies.{n}",
                    entry.substance or "Allergy",
                    [*_codings(entry.codes), _words(entry.substance, entry.reaction)],
                )
                for n, entry in enumerate(intake.allergies, start=1)
            ],
        ),
        _group(
            "history",
            "History",
            [
                _answer_item(
                    "history.cold_sores", "Cold sores", [{"valueBoolean": history.cold_sores}]
                ),
                _answer_item(
                    "history.keloids", "Keloid scars", [{"valueBoolean": history.keloids}]
                ),
                _answer_item(
                    "history.healing_concern",
                    "Healing concern",
                    [_words(history.healing_concern)],
                ),
            ],
        ),
        _group(
            "areas",
            "State of the areas to treat",
            [
                _answer_item(
                    f"areas.{n}",
                    zone_label(area.zone),
                    [
                        _words(
                            *(flag.replace("_", " ") for flag in AREA_FLAGS if getattr(area, flag))
                        )
                        or {"valueString": "nothing to note"}
                    ],
                )
                for n, area in enumerate(intake.areas, start=1)
            ],
        ),
        _group(
            "procedures",
            "Earlier procedures",
            [
                _answer_item(
                    f"procedures.{n}",
                    entry.kind.value.replace("_", " "),
                    [
                        _words(
                            entry.date.isoformat(),
                            entry.zone and zone_label(entry.zone),
                            entry.text,
                        )
                    ],
                )
                for n, entry in enumerate(intake.procedures, start=1)
            ],
        ),
        _group(
            "goals",
            "Treatment goals",
            [
                _answer_item(
                    f"goals.{n}",
                    indication_label(goal.indication),
                    [
                        _words(
                            ", ".join(zone_label(area) for area in goal.areas),
                            "with PRP" if goal.prp else None,
                            "single scar" if goal.single_scar else None,
                        )
                    ],
                )
                for n, goal in enumerate(intake.goals, start=1)
            ],
        ),
        _group(
            "unmapped",
            "Not recognised in the imported record",
            [
                _answer_item(f"unmapped.{n}", fact.source, [_words(fact.text)])
                for n, fact in enumerate(intake.unmapped, start=1)
            ],
        ),
    ]
