"""Idempotency-Key on the API (issue 12, point 10): a retried amendment, booking, signature
or registration returns the first answer and writes nothing twice."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cit.clinic.appointments.models import Appointment, SeriesBooking
from cit.clinic.audit.models import AuditEvent
from cit.clinic.charting.models import NoteAmendment
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
    signed_note,
    today,
)

pytestmark = pytest.mark.django_db


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, path: str, body: dict[str, Any], key: str | None = "k-1") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


AMEND = {"target": "zone:cheeks:passes", "new_value": "4", "reason": "Miscounted"}
PATIENT = {
    "given_name": "Grace",
    "family_name": "Hopper",
    "birth_date": "1986-12-09",
    "sex": "female",
}


def test_a_retried_amendment_is_written_once(signed_note: Any, nurse: Any) -> None:  # noqa: F811
    client = _as(nurse)
    path = f"/api/sessions/{signed_note.pk}/amendments"
    first = _post(client, path, AMEND)
    again = _post(client, path, AMEND)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert NoteAmendment.objects.filter(note=signed_note).count() == 1
    # A new key is a new amendment; no key at all is too.
    assert _post(client, path, {**AMEND, "new_value": "5"}, key="k-2").status_code == 201
    assert _post(client, path, {**AMEND, "new_value": "6"}, key=None).status_code == 201
    assert NoteAmendment.objects.filter(note=signed_note).count() == 3


def test_a_retried_registration_registers_once(clinic: Any, make_user: Any) -> None:
    client = _as(make_user("front_desk", clinic))
    first = _post(client, "/api/patients", PATIENT)
    again = _post(client, "/api/patients", PATIENT)
    assert first.status_code == again.status_code == 201
    assert again.json()["record_number"] == first.json()["record_number"]
    assert Patient.objects.filter(family_name="Hopper").count() == 1


def test_a_retried_signature_is_the_first_answer(
    draft_note: Any,  # noqa: F811
    nurse: Any,  # noqa: F811
    cartridge_lot: Any,  # noqa: F811
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
    client = _as(nurse)
    path = f"/api/sessions/{draft_note.pk}/sign"
    first = _post(client, path, {})
    assert first.status_code == 200
    assert first.json()["status"] == "signed"
    again = _post(client, path, {})
    assert again.status_code == 200
    assert again.json() == first.json()  # not the 409 of a re-sign
    assert _post(client, path, {}, key="other").status_code == 409


def test_a_retried_booking_books_once(
    booking_clinic: Any, desk: Any, make_patient: Any, make_plan: Any
) -> None:
    plan = make_plan(make_patient(booking_clinic))
    client = _as(desk)
    proposals = client.get(f"/api/patients/{plan.patient_id}/plans/{plan.pk}/series/0/proposals")
    token = proposals.json()["proposals"][0]["token"]
    first = _post(client, "/api/bookings", {"token": token})
    again = _post(client, "/api/bookings", {"token": token})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert SeriesBooking.objects.filter(plan=plan).count() == 1
    assert Appointment.objects.filter(series__plan=plan).count() == len(
        first.json()["appointments"]
    )


def test_the_same_key_for_another_request_is_refused(clinic: Any, make_user: Any) -> None:
    client = _as(make_user("front_desk", clinic))
    assert _post(client, "/api/patients", PATIENT).status_code == 201
    other_body = _post(client, "/api/patients", {**PATIENT, "given_name": "Ada"})
    assert other_body.status_code == 422
    assert set(other_body.json()) == {"detail", "errors"}
    assert "another request body" in other_body.json()["detail"]
    other_route = _post(client, "/api/consent-forms", {})
    assert other_route.status_code == 422
    assert "POST /api/patients" in other_route.json()["detail"]
    assert Patient.objects.count() == 1


def test_keys_are_per_user(clinic: Any, make_user: Any) -> None:
    for _ in range(2):
        assert (
            _post(_as(make_user("front_desk", clinic)), "/api/patients", PATIENT).status_code == 201
        )
    assert Patient.objects.filter(family_name="Hopper").count() == 2


def test_a_key_still_running_is_a_409(clinic: Any, make_user: Any) -> None:
    user = make_user("front_desk", clinic)
    IdempotentRequest.objects.create(
        user=user,
        key="k-1",
        method="POST",
        path="/api/patients",
        fingerprint=__import__("hashlib").sha256(json.dumps(PATIENT).encode()).hexdigest(),
        created_at=timezone.now(),
    )
    response = _post(_as(user), "/api/patients", PATIENT)
    assert response.status_code == 409
    assert "still being handled" in response.json()["detail"]
    assert not Patient.objects.exists()


def test_keys_expire_after_a_day(clinic: Any, make_user: Any, settings: Any) -> None:
    client = _as(make_user("front_desk", clinic))
    assert _post(client, "/api/patients", PATIENT).status_code == 201
    day_ago = timezone.now() - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, minutes=1)
    IdempotentRequest.objects.update(created_at=day_ago)
    assert _post(client, "/api/patients", PATIENT).status_code == 201
    assert Patient.objects.filter(family_name="Hopper").count() == 2
    assert IdempotentRequest.objects.count() == 1  # the expired one was removed


def test_refusals_are_kept_but_rate_limits_are_not(
    clinic: Any, make_user: Any, settings: Any
) -> None:
    client = _as(make_user("front_desk", clinic))
    bad = {**PATIENT, "birth_date": "2999-01-01"}
    assert _post(client, "/api/patients", bad, key="bad").status_code == 422
    assert _post(client, "/api/patients", bad, key="bad")["Idempotent-Replayed"] == "true"
    # A post refused for its missing CSRF token is not kept: the retry with it goes through.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user("front_desk", clinic))
    assert _post(strict, "/api/patients", PATIENT, key="csrf").status_code == 403
    assert not IdempotentRequest.objects.filter(key="csrf").exists()
    settings.RATE_LIMIT_API_PER_MINUTE = 1
    assert _post(client, "/api/patients", PATIENT, key="late").status_code == 429
    assert not IdempotentRequest.objects.filter(key="late").exists()


def test_a_replay_is_audited_and_bad_keys_refused(clinic: Any, make_user: Any) -> None:
    client = _as(make_user("front_desk", clinic))
    _post(client, "/api/patients", PATIENT)
    before = AuditEvent.objects.count()
    _post(client, "/api/patients", PATIENT)
    replay = AuditEvent.objects.order_by("id")[before:]
    assert [e.object_type for e in replay] == ["api.IdempotentReplay"]
    assert _post(client, "/api/patients", PATIENT, key="x" * 201).status_code == 400
