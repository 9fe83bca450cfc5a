"""A clinic with a whole record to serve as FHIR: a patient (with a portal account) whose
plan is accepted and booked, who signed consent and had a session charted and signed, and
whose latest questionnaire lists a condition, a medicine, an allergy and the pregnancy and
breastfeeding answers; a second patient of the clinic, and a patient of another clinic."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from cit.clinic.charting.consent import do_sign_consent
from cit.clinic.charting.sessions import (
    do_chart_zone,
    do_record_product,
    do_sign_note,
    do_start_session,
)
from cit.clinic.intake.actions import do_record_intake
from tests.clinic.appointments.conftest import GOALS, book, booking_clinic, make_plan  # noqa: F401
from tests.clinic.charting.conftest import (  # noqa: F401
    cartridge_lot,
    consent_form,
    pen,
    today,
)

RICH_INTAKE = {
    "birth_date": "1985-12-10",
    "sex": "female",
    "pregnant": False,
    "nursing": False,
    "conditions": [
        {"system": "icd10cm", "code": "I10", "text": "Hypertension", "status": "active"}
    ],
    "medications": [
        {
            "rxnorm": "17767",
            "name": "Amlodipine 5 mg tablet",
            "status": "active",
            "start": "2023-01-01",
        }
    ],  # fmt: skip
    "allergies": [{"substance": "latex", "reaction": "hives"}],
    "goals": GOALS,
}


@dataclass
class World:
    clinic: Any
    patient: Any
    portal_user: Any
    other_patient: Any
    other_portal_user: Any
    foreign_patient: Any
    note: Any
    plan: Any
    series: Any


@pytest.fixture
def world(
    booking_clinic: Any,  # noqa: F811
    other_clinic: Any,
    make_user: Any,
    make_patient: Any,
    make_plan: Any,  # noqa: F811
    book: Any,  # noqa: F811
    nurse: Any,  # noqa: F811
    pen: Any,  # noqa: F811
    consent_form: Any,  # noqa: F811
    cartridge_lot: Any,  # noqa: F811
    today: datetime.date,  # noqa: F811
) -> World:
    portal_user = make_user("patient", booking_clinic)
    patient = make_patient(booking_clinic, portal_user=portal_user, phone="+44 7700 900123")
    plan = make_plan(patient)
    series = book(plan)
    do_record_intake(actor=nurse, patient=patient, data=RICH_INTAKE, source="desk", today=today)
    do_sign_consent(
        actor=nurse, patient=patient, form=consent_form, method="typed", typed_name="Ada Lovelace"
    )
    note = do_start_session(
        actor=nurse, patient=patient, session_date=today, device=pen, photos_taken=True
    )
    do_chart_zone(
        actor=nurse, note=note, zone="cheeks", depth_mm="1.0", passes=3,
        endpoint="pinpoint_bleeding",
    )  # fmt: skip
    do_chart_zone(
        actor=nurse, note=note, zone="forehead", depth_mm="0.5", passes=2,
        endpoint="even_erythema",
    )  # fmt: skip
    do_record_product(actor=nurse, note=note, lot=cartridge_lot, purpose="needle_cartridge")
    note = do_sign_note(actor=nurse, note=note)
    other_portal_user = make_user("patient", booking_clinic)
    other_patient = make_patient(
        booking_clinic, portal_user=other_portal_user, given_name="Grace", family_name="Hopper",
        email="grace@example.com",
    )  # fmt: skip
    do_record_intake(
        actor=nurse, patient=other_patient, data=RICH_INTAKE, source="desk", today=today
    )
    foreign_patient = make_patient(other_clinic, given_name="Alan", family_name="Turing")
    return World(
        booking_clinic, patient, portal_user, other_patient, other_portal_user,
        foreign_patient, note, plan, series,
    )  # fmt: skip


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
