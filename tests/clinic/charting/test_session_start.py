"""A session starts only after a re-screen that allows treatment and with a valid consent."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cit.clinic.audit.models import AuditEvent
from cit.clinic.charting.errors import ChartingConflict
from cit.clinic.charting.models import SessionNote
from cit.clinic.charting.sessions import do_start_session
from cit.clinic.facilities.models import Device
from cit.clinic.intake.actions import do_record_intake
from cit.clinic.intake.models import ScreeningRecord
from tests.clinic.charting.conftest import intake

pytestmark = pytest.mark.django_db


def test_start_rescreens_for_the_day_and_records_the_checklist(
    consented_patient: Any, nurse: Any, pen: Device, today: datetime.date
) -> None:
    before = ScreeningRecord.objects.count()
    note = do_start_session(
        actor=nurse,
        patient=consented_patient,
        session_date=today,
        device=pen,
        photos_taken=True,
        numbing_applied_at=datetime.time(9, 0),
        numbing_removed_at=datetime.time(9, 30),
    )
    assert ScreeningRecord.objects.count() == before + 1
    assert note.screening.screened_for == today
    assert note.screening.decision == "treat"
    assert note.consent.form.version == 1
    assert note.photos_taken
    assert not note.is_signed
    assert AuditEvent.objects.filter(object_type="charting.SessionNote", action="create").exists()


def test_no_consent_refuses_the_start(
    screened_patient: Any, consent_form: Any, nurse: Any, pen: Device, today: datetime.date
) -> None:
    with pytest.raises(ChartingConflict) as error:
        do_start_session(
            actor=nurse, patient=screened_patient, session_date=today, device=pen, photos_taken=True
        )
    assert "has not signed" in error.value.message_dict["consent"][0]
    assert not SessionNote.objects.exists()


def test_no_published_form_refuses_the_start(
    screened_patient: Any, nurse: Any, pen: Device, today: datetime.date
) -> None:
    with pytest.raises(ChartingConflict, match="No consent form"):
        do_start_session(
            actor=nurse, patient=screened_patient, session_date=today, device=pen, photos_taken=True
        )


def test_a_rescreen_that_defers_refuses_the_start_and_writes_nothing(
    consented_patient: Any, nurse: Any, pen: Device, today: datetime.date
) -> None:
    do_record_intake(
        actor=nurse,
        patient=consented_patient,
        data=intake(pregnant=True),
        source="desk",
        today=consented_patient.clinic.today(),
    )
    screenings = ScreeningRecord.objects.count()
    with pytest.raises(ChartingConflict) as error:
        do_start_session(
            actor=nurse,
            patient=consented_patient,
            session_date=today,
            device=pen,
            photos_taken=True,
        )
    assert "says defer" in error.value.message_dict["screening"][0]
    assert "Pregnan" in error.value.message_dict["screening"][0]
    assert not SessionNote.objects.exists()
    assert ScreeningRecord.objects.count() == screenings


def test_no_intake_refuses_the_start(
    clinic: Any, make_patient: Any, consent_form: Any, nurse: Any, pen: Device, today: datetime.date
) -> None:
    from cit.clinic.charting.consent import do_sign_consent

    patient = make_patient(clinic, given_name="New")
    do_sign_consent(
        actor=nurse, patient=patient, form=consent_form, method="typed", typed_name="New Lovelace"
    )
    with pytest.raises(ChartingConflict, match="no intake"):
        do_start_session(
            actor=nurse, patient=patient, session_date=today, device=pen, photos_taken=False
        )


def test_checklist_input_is_checked(
    consented_patient: Any,
    other_clinic: Any,
    clinic: Any,
    nurse: Any,
    pen: Device,
    today: datetime.date,
) -> None:
    foreign = Device.objects.create(
        clinic=other_clinic, kind="pen", model="X", serial_number="1", max_depth_mm=Decimal("2")
    )
    centrifuge = Device.objects.create(
        clinic=clinic, kind="centrifuge", model="Spin", serial_number="C1"
    )
    cases = [
        ({"device": foreign}, "device"),
        ({"device": centrifuge}, "device"),
        ({"numbing_removed_at": datetime.time(9, 0)}, "numbing_removed_at"),
        (
            {"numbing_applied_at": datetime.time(9, 30), "numbing_removed_at": datetime.time(9, 0)},
            "numbing_removed_at",
        ),
        ({"session_date": today + datetime.timedelta(days=1)}, "session_date"),
        ({"procedure": "laser"}, "procedure"),
    ]
    for change, field in cases:
        fields: dict[str, Any] = {
            "session_date": today,
            "device": pen,
            "photos_taken": True,
            **change,
        }
        with pytest.raises(ValidationError) as error:
            do_start_session(actor=nurse, patient=consented_patient, **fields)
        assert field in error.value.message_dict, change
    assert not SessionNote.objects.exists()


def test_session_starts_when_a_standing_override_lifts_the_refer(
    consented_patient: Any, nurse: Any, physician: Any, pen: Any, today: Any
) -> None:
    from cit.clinic.intake.actions import do_override_finding

    _, screening = do_record_intake(
        actor=nurse,
        patient=consented_patient,
        data={
            "birth_date": "1985-06-01",
            "medications": [{"name": "Eliquis 5 mg"}],
            "goals": [{"indication": "rejuvenation", "areas": ["face"]}],
        },
        source="desk",
        today=today,
    )
    do_override_finding(
        actor=physician,
        screening=screening,
        rule="anticoagulant",
        reason="Apixaban paused 48 h by cardiology",
    )
    note = do_start_session(
        actor=nurse, patient=consented_patient, device=pen, session_date=today, photos_taken=True
    )
    assert note.screening.decision == "refer"
    assert note.pk is not None
