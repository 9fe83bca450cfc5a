"""A patient's FHIR R4 Bundle (from their EHR) as a new questionnaire version.

The bundle gives what an EHR records: birth date and sex, conditions, medicines, allergies,
pregnancy and breastfeeding status, earlier procedures, and the facts it could not map
(kept, so screening lists them for review). What only the questionnaire asks (treatment
goals, the state of the areas, history flags, Fitzpatrick and Glogau types) is carried over
from the patient's latest version. The new version is screened like any other.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError

from cit.clinic.accounts.models import User
from cit.clinic.intake.actions import do_record_intake
from cit.clinic.intake.models import IntakeRecord, IntakeSource, ScreeningRecord
from cit.clinic.patients.models import Patient
from cit.interop.fhir_intake import FhirIntakeError, intake_from_fhir_bundle
from cit.protocol.serialise import intake_to_dict

# Questionnaire-only answers a bundle never carries.
CARRIED_OVER = ("goals", "areas", "history", "fitzpatrick", "glogau")


def do_import_fhir_bundle(
    *,
    actor: User,
    patient: Patient,
    bundle: Any,
    today: datetime.date,
    request: Any = None,
) -> tuple[IntakeRecord, ScreeningRecord, tuple[str, ...]]:
    """Record the bundle as the patient's next intake version (source FHIR); the warnings
    say what the bundle held that was ignored. Refused (ValidationError, nothing written)
    when the bundle cannot be read or is about someone born on another day."""
    try:
        read = intake_from_fhir_bundle(bundle, today=today)
    except FhirIntakeError as error:
        raise ValidationError({"bundle": [str(problem) for problem in error.errors]}) from None
    if read.intake.birth_date != patient.birth_date:
        raise ValidationError(
            {
                "bundle": [
                    f"The bundle's patient was born on {read.intake.birth_date.isoformat()}, "
                    f"this patient on {patient.birth_date.isoformat()}: not the same person."
                ]
            }
        )
    data = intake_to_dict(read.intake)
    latest = IntakeRecord.objects.filter(patient=patient).order_by("-version").first()
    if latest is not None and isinstance(latest.data, dict):
        for key in CARRIED_OVER:
            if key not in data and key in latest.data:
                data[key] = latest.data[key]
    record, screening = do_record_intake(
        actor=actor,
        patient=patient,
        data=data,
        source=IntakeSource.FHIR,
        today=today,
        request=request,
    )
    return record, screening, read.warnings
