"""A page form sent twice acts once (issue 12, point 10): registering a patient, booking a
series, signing a note. The hidden one-time token makes the second submit (a double click,
a resend after a lost answer, Back and submit again) follow the first's redirect."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from cit.clinic.appointments.models import SeriesBooking
from cit.clinic.audit.models import AuditEvent
from cit.clinic.charting.models import SessionNote
from cit.clinic.charting.sessions import do_chart_zone, do_record_product
from cit.clinic.idempotency.models import IdempotentRequest
from cit.clinic.patients.models import Patient
from tests.clinic.charting.conftest import (  # noqa: F401
    cartridge_lot,
    consent_form,
    consented_patient,
    draft_note,
    pen,
    screened_patient,
    today,
)

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "given_name": "Zoë",
    "family_name": "Ångström",
    "birth_date": "1988-07-14",
    "sex": "female",
    "fitzpatrick_type": "3",
}


def _form_tokens(page: str) -> list[str]:
    return re.findall(r'name="form_token" value="([0-9a-f]+)"', page)


@pytest.fixture
def desk_client(desk: Any) -> Client:
    client = Client()
    client.force_login(desk)
    return client


def test_registering_twice_makes_one_patient(desk_client: Client) -> None:
    [token] = _form_tokens(desk_client.get("/patients/new/").content.decode())
    first = desk_client.post("/patients/new/", {**NEW_PATIENT, "form_token": token})
    second = desk_client.post("/patients/new/", {**NEW_PATIENT, "form_token": token})
    created = Patient.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/patients/{created.pk}/"
    assert AuditEvent.objects.filter(object_type="forms.ResubmittedForm").count() == 1


def test_booking_twice_books_one_series(
    desk_client: Client, booking_clinic: Any, make_patient: Any, make_plan: Any
) -> None:
    plan = make_plan(make_patient(booking_clinic))
    url = f"/patients/{plan.patient.pk}/bookings/plan/{plan.pk}/series/0/"
    html = desk_client.get(url).content.decode()
    proposal = re.findall(r'name="token" value="([^"]+)"', html)[0]
    token = _form_tokens(html)[0]
    data = {"token": proposal, "back": url, "form_token": token}
    first = desk_client.post("/appointments/book/", data)
    second = desk_client.post("/appointments/book/", data)
    assert first.status_code == second.status_code == 302, "not a 409 'already booked'"
    assert first["Location"] == second["Location"] == f"/patients/{plan.patient.pk}/bookings/"
    assert SeriesBooking.objects.filter(plan=plan).count() == 1


def test_signing_twice_signs_once(
    draft_note: Any,  # noqa: F811
    cartridge_lot: Any,  # noqa: F811
    nurse: Any,
) -> None:
    do_chart_zone(
        actor=nurse,
        note=draft_note,
        zone="cheeks",
        depth_mm="1.0",
        passes=3,
        endpoint="pinpoint_bleeding",
    )
    do_record_product(actor=nurse, note=draft_note, lot=cartridge_lot, purpose="needle_cartridge")
    client = Client()
    client.force_login(nurse)
    page = client.get(f"/sessions/{draft_note.pk}/").content.decode()
    sign_form = page[page.index(f'action="/sessions/{draft_note.pk}/sign/"') :]
    token = _form_tokens(sign_form)[0]
    first = client.post(f"/sessions/{draft_note.pk}/sign/", {"form_token": token})
    second = client.post(f"/sessions/{draft_note.pk}/sign/", {"form_token": token})
    assert first.status_code == second.status_code == 302, "not a 409 'Not signed'"
    assert second["Location"] == f"/sessions/{draft_note.pk}/"
    note = SessionNote.objects.get(pk=draft_note.pk)
    assert note.is_signed


def test_the_same_token_with_other_values_is_refused(desk_client: Client) -> None:
    [token] = _form_tokens(desk_client.get("/patients/new/").content.decode())
    desk_client.post("/patients/new/", {**NEW_PATIENT, "form_token": token})
    changed = {**NEW_PATIENT, "given_name": "Zoe", "form_token": token}
    response = desk_client.post("/patients/new/", changed)
    assert response.status_code == 409
    assert "already sent with other values" in response.content.decode()
    assert Patient.objects.count() == 1


def test_a_form_refused_for_its_errors_can_be_corrected_and_sent(desk_client: Client) -> None:
    [token] = _form_tokens(desk_client.get("/patients/new/").content.decode())
    wrong = desk_client.post("/patients/new/", {**NEW_PATIENT, "sex": "", "form_token": token})
    assert wrong.status_code == 422
    assert not Patient.objects.exists()
    right = desk_client.post("/patients/new/", {**NEW_PATIENT, "form_token": token})
    assert right.status_code == 302
    assert Patient.objects.count() == 1


def test_a_second_submit_while_the_first_runs_says_so(
    desk_client: Client, desk: Any, settings: Any
) -> None:
    settings.FORM_TOKEN_WAIT_SECONDS = 0
    [token] = _form_tokens(desk_client.get("/patients/new/").content.decode())
    first = desk_client.post("/patients/new/", {**NEW_PATIENT, "form_token": token})
    # As if the first were still being handled: its answer not yet kept.
    IdempotentRequest.objects.filter(key=f"form:{token}").update(status=None)
    second = desk_client.post("/patients/new/", {**NEW_PATIENT, "form_token": token})
    assert first.status_code == 302
    assert second.status_code == 409
    assert "still being handled" in second.content.decode()
    assert Patient.objects.count() == 1
