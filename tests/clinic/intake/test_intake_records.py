"""Intake answers are versioned, validated before anything is written, and screened."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cit.clinic.archive import RecordImmutable
from cit.clinic.audit.models import AuditEvent
from cit.clinic.intake.actions import do_record_intake, do_rescreen
from cit.clinic.intake.models import IntakeRecord, ScreeningRecord
from cit.protocol import protocol_version

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


def _intake(**extra: Any) -> dict[str, Any]:
    return {
        "birth_date": "1985-12-10",
        "sex": "female",
        "goals": [{"indication": "rejuvenation", "areas": ["face"]}],
        **extra,
    }


def test_new_answers_are_new_versions_and_each_is_screened(
    clinic: Any, make_patient: Any, make_user: Any
) -> None:
    patient = make_patient(clinic)
    nurse = make_user("registered_nurse", clinic)
    first, first_screening = do_record_intake(
        actor=nurse, patient=patient, data=_intake(), source="desk", today=TODAY
    )
    second, second_screening = do_record_intake(
        actor=nurse,
        patient=patient,
        data=_intake(history={"cold_sores": True}),
        source="desk",
        today=TODAY,
    )
    assert (first.version, second.version) == (1, 2)
    assert first_screening.decision == "treat"
    assert second_screening.decision == "treat_with_precautions"
    assert second_screening.result["findings"][0]["rule"] == "herpes-history"
    assert second_screening.protocol_version == protocol_version()
    assert second_screening.profile == "default"
    first.refresh_from_db()
    assert first.data.get("history", {}).get("cold_sores") in (None, False)
    actions = list(AuditEvent.objects.filter(patient=patient).values_list("object_type", flat=True))
    assert actions.count("intake.IntakeRecord") == 2
    assert actions.count("intake.ScreeningRecord") == 2


def test_invalid_intake_names_fields_and_writes_nothing(clinic: Any, make_patient: Any) -> None:
    patient = make_patient(clinic)
    with pytest.raises(ValidationError) as error:
        do_record_intake(
            actor=None,
            patient=patient,
            data=_intake(medications=[{"name": "Accutane", "last_dose": "yesterday"}]),
            source="desk",
            today=TODAY,
        )
    assert "medications[0].last_dose" in error.value.message_dict
    assert not IntakeRecord.objects.exists()
    assert not ScreeningRecord.objects.exists()


def test_clinic_profile_decides_the_window(clinic: Any, make_patient: Any) -> None:
    clinic.protocol_profile = "six-month-isotretinoin"
    clinic.full_clean()
    clinic.save()
    patient = make_patient(clinic)
    _, screening = do_record_intake(
        actor=None,
        patient=patient,
        data=_intake(medications=[{"name": "Absorica", "last_dose": "2026-09-01"}]),
        source="desk",
        today=TODAY,
    )
    assert screening.decision == "defer"
    assert screening.until == datetime.date(2027, 3, 1)
    assert screening.profile == "six-month-isotretinoin"


def test_unknown_profile_is_refused(clinic: Any) -> None:
    clinic.protocol_profile = "mars"
    with pytest.raises(ValidationError, match="not a protocol profile"):
        clinic.full_clean()


def test_rescreen_uses_latest_intake_and_a_new_day(clinic: Any, make_patient: Any) -> None:
    patient = make_patient(clinic)
    with pytest.raises(ValidationError, match="no intake yet"):
        do_rescreen(actor=None, patient=patient, on=TODAY)
    do_record_intake(
        actor=None,
        patient=patient,
        data=_intake(procedures=[{"kind": "chemical_peel", "date": "2026-11-10"}]),
        source="desk",
        today=TODAY,
    )
    later = do_rescreen(actor=None, patient=patient, on=datetime.date(2026, 12, 10))
    assert later.decision == "treat"
    assert ScreeningRecord.objects.filter(patient=patient).count() == 2


def test_records_are_append_only(clinic: Any, make_patient: Any) -> None:
    record, screening = do_record_intake(
        actor=None, patient=make_patient(clinic), data=_intake(), source="desk", today=TODAY
    )
    record.data = {}
    with pytest.raises(RecordImmutable):
        record.save()
    with pytest.raises(RecordImmutable):
        screening.delete()
