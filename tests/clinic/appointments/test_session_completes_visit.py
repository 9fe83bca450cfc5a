"""Starting a session note puts the patient's visit of the day in treatment; signing the note
completes it. A session with no visit that day (a walk-in) changes no appointment."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cit.clinic.appointments.models import Appointment
from cit.clinic.charting.consent import do_publish_consent_form, do_sign_consent
from cit.clinic.charting.sessions import (
    do_chart_zone,
    do_record_product,
    do_sign_note,
    do_start_session,
)
from cit.clinic.facilities.models import Device
from tests.clinic.charting.conftest import CONSENT_TEXT, make_lot

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit_today(
    booking_clinic: Any, nurse: Any, physician: Any, make_patient: Any, make_plan: Any, book: Any
) -> Appointment:
    patient = make_patient(booking_clinic)
    series = book(make_plan(patient))
    visit = Appointment.objects.get(series=series, number=1)
    now = timezone.now()
    Appointment.objects.filter(pk=visit.pk).update(
        start=now - datetime.timedelta(minutes=5), end=now + datetime.timedelta(minutes=80)
    )
    form = do_publish_consent_form(
        actor=physician,
        clinic=booking_clinic,
        procedure="microneedling",
        title="Micro-needling consent",
        body=CONSENT_TEXT,
        effective_on=booking_clinic.today() - datetime.timedelta(days=30),
    )
    do_sign_consent(
        actor=nurse, patient=patient, form=form, method="typed", typed_name=patient.full_name
    )
    visit.refresh_from_db()
    return visit


def test_start_then_sign_completes_the_visit(visit_today: Appointment, nurse: Any) -> None:
    patient = visit_today.patient
    pen = Device.objects.filter(clinic=patient.clinic, kind="pen").first()
    note = do_start_session(
        actor=nurse,
        patient=patient,
        session_date=patient.clinic.today(),
        device=pen,
        photos_taken=True,
    )
    visit_today.refresh_from_db()
    assert visit_today.status == "in_treatment"
    assert visit_today.session_note == note
    do_chart_zone(
        actor=nurse, note=note, zone="cheeks", depth_mm="0.5", passes=2, endpoint="even_erythema"
    )
    lot = make_lot(patient.clinic, "needle_cartridge", "12-pin cartridge")
    do_record_product(actor=nurse, note=note, lot=lot, purpose="needle_cartridge")
    do_sign_note(actor=nurse, note=note)
    visit_today.refresh_from_db()
    assert visit_today.status == "completed"
    assert visit_today.completed_at is not None


def test_a_refused_sign_leaves_the_visit_in_treatment(visit_today: Appointment, nurse: Any) -> None:
    from django.core.exceptions import ValidationError

    patient = visit_today.patient
    pen = Device.objects.filter(clinic=patient.clinic, kind="pen").first()
    note = do_start_session(
        actor=nurse,
        patient=patient,
        session_date=patient.clinic.today(),
        device=pen,
        photos_taken=True,
    )
    with pytest.raises(ValidationError):
        do_sign_note(actor=nurse, note=note)
    visit_today.refresh_from_db()
    assert visit_today.status == "in_treatment"
