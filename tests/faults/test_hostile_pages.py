"""Every page route, posted and queried with absurd values in every field name the forms
use (dates at the ends of the calendar, huge numbers, long text), answers below 500 and
stores no absurd date. A sweep, not a proof: each case the issue named has its own test in
test_hostile_input.py."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import cit.clinic
from cit.clinic.appointments.models import Appointment, ProviderAbsence
from cit.clinic.charting.models import ConsentForm, SessionNote
from cit.clinic.intake.models import ScreeningRecord
from cit.clinic.inventory.models import Lot
from cit.clinic.patients.models import Patient
from cit.clinic.plans.models import PlannedSession
from tests.clinic.charting.conftest import (  # noqa: F401
    cartridge_lot,
    consent_form,
    consented_patient,
    draft_note,
    pen,
    screened_patient,
    signed_note,
    today,
)
from tests.faults.test_audit_walk import PARAM, SKIPPED, routes

pytestmark = pytest.mark.django_db

DATE_FIELDS = [
    "date",
    "earliest_start",
    "effective_on",
    "expires_on",
    "new_date",
    "received_on",
    "session_date",
    "since",
    "until",
    "start",
    "on",
    "planned_on",
    "birth_date",
    "s0-first_session",
    "licence_expires_on",
    "onset_on",
    "rated_on",
    "stated_on",
    "face_frontal-taken_on",
]
for _list in ("conditions", "medications", "procedures"):
    DATE_FIELDS += [
        f"{_list}-0-{name}" for name in ("onset", "resolved", "start", "last_dose", "date")
    ]
NUMBER_FIELDS = [
    "quantity",
    "passes",
    "depth_mm",
    "page",
    "provider",
    "room",
    "device",
    "product",
    "lot",
    "s0-sessions",
    "s0-interval_target_weeks",
    "main-fitzpatrick",
    "main-glogau",
    "low_stock_threshold",
    "max_depth_mm",
    "in_value",
    "in_forehead.area",
]
TEXT_FIELDS = [
    "address",
    "given_name",
    "family_name",
    "q",
    "reason",
    "title",
    "body",
    "new_value",
    "typed_name",
    "lot_number",
    "name",
    "serial_number",
    "model",
    "actor",
    "patient",
    "immediate_reactions",
    "post_procedure_notes",
    "conditions-0-text",
    "day_0",
]
MANAGEMENT = {
    f"{name}-{part}": value
    for name in ("conditions", "medications", "allergies", "procedures", "goals", "areas")
    for part, value in (("TOTAL_FORMS", "1"), ("INITIAL_FORMS", "0"))
}


def _hostile(day: str, number: str) -> dict[str, str]:
    data = {name: day for name in DATE_FIELDS}
    data.update({name: number for name in NUMBER_FIELDS})
    data.update({name: "x" * 100_000 for name in TEXT_FIELDS})
    data.update(
        starts=f"{day}T00:00",
        ends=f"{day}T23:59",
        new_time="25:61",
        sex="female",
        confirm="1",
        procedure="microneedling",
        method="typed",
        patient_confirms="on",
        token="x" * 40,
        target="zone:cheeks:passes",
        endpoint="even_erythema",
        purpose="needle_cartridge",
        zone="cheeks",
        view="day",
        **MANAGEMENT,
    )
    return data


@pytest.mark.parametrize(
    ("day", "number"), [("0001-01-01", str(2**70)), ("9999-12-31", "-99999999999999999999")]
)
def test_absurd_values_in_every_field_of_every_page(
    signed_note: Any,  # noqa: F811
    booking_clinic: Any,
    make_plan: Any,
    book: Any,
    make_user: Any,
    settings: Any,
    day: str,
    number: str,
) -> None:
    settings.AXES_ENABLED = False
    record = signed_note.patient
    series = book(make_plan(record))
    ids = {
        "patient_id": record.pk,
        "note_id": signed_note.pk,
        "plan_id": series.plan_id,
        "series_index": 0,
        "appointment_id": series.appointments.first().pk,
        "session_id": PlannedSession.objects.filter(plan_id=series.plan_id).first().pk,
        "screening_id": signed_note.screening_id,
        "provider_id": series.appointments.first().provider_id,
        "lot_id": Lot.objects.first().pk,
        "service_id": "cit-screening",
        "scale_id": "mmasi",
    }
    data = _hostile(day, number)
    answered: dict[int, int] = {}
    for role in ("physician", "front_desk", "clinic_admin"):
        client = Client()
        client.force_login(make_user(role, booking_clinic))
        for route in routes():
            if route in SKIPPED or route.startswith(("api/", "cds-services")):
                continue
            path = "/" + PARAM.sub(lambda m: str(ids.get(m.group(1), 1)), route)
            for response in (client.get(path, data), client.post(path, data)):
                answered[response.status_code] = answered.get(response.status_code, 0) + 1
                assert response.status_code < 500, f"{role} {path}: {response.status_code}"
    assert sum(answered.values()) > 150
    # 401: the OAuth revocation endpoint refuses an unknown client (RFC 7009 2.2.1).
    assert set(answered) - {200, 302, 400, 401, 403, 404, 405, 409, 415, 422} == set()
    absurd = datetime.date.fromisoformat(day)
    assert not Appointment.objects.filter(start__date=absurd).exists()
    assert not ProviderAbsence.objects.exists()
    assert not ScreeningRecord.objects.filter(screened_for=absurd).exists()
    assert not SessionNote.objects.filter(session_date=absurd).exists()
    assert not ConsentForm.objects.filter(effective_on=absurd).exists()
    assert not Lot.objects.filter(expires_on=absurd).exists()
    assert not Patient.objects.filter(address__startswith="xxxx").exists()
    assert not PlannedSession.objects.filter(planned_on=absurd).exists()


def test_the_sweep_knows_every_date_field_of_the_forms() -> None:
    # A date field added to a form later must be added to the sweep above.
    root = Path(cit.clinic.__file__).parent
    declared: set[str] = set()
    for path in root.rglob("forms.py"):
        declared |= set(re.findall(r"(\w+) = forms\.Date(?:Time)?Field", path.read_text()))
    covered = {name.rsplit("-", 1)[-1] for name in DATE_FIELDS} | {"starts", "ends"}
    assert declared <= covered, declared - covered
