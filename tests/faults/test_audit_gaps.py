"""The four routes issue 12 found reading patient data without an audit event, and a failed
form post that re-renders the record: each now writes one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _new_events(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("id")[before:])


@pytest.mark.parametrize(
    ("role", "path", "object_type"),
    [
        ("clinic_admin", "/audit/", "audit.AuditEvent"),
        ("clinic_admin", "/", "audit.AuditEvent"),
        ("front_desk", "/calendar/absences/", "appointments.ProviderAbsence"),
        ("clinic_admin", "/api/consent-forms", "charting.ConsentForm"),
    ],
)
def test_reading_these_lists_is_audited(
    clinic: Any, make_user: Any, role: str, path: str, object_type: str
) -> None:
    client = _as(make_user(role, clinic))
    before = AuditEvent.objects.count()
    assert client.get(path).status_code == 200
    events = _new_events(before)
    assert [(e.action, e.object_type) for e in events] == [(AuditAction.LIST, object_type)]


def test_reading_the_audit_log_with_filters_records_them(clinic: Any, make_user: Any) -> None:
    client = _as(make_user("clinic_admin", clinic))
    before = AuditEvent.objects.count()
    client.get("/audit/", {"patient": "TC000001", "action": "view"})
    (event,) = _new_events(before)
    assert event.detail["filters"] == {"patient": "TC000001", "action": "view"}


def test_a_refused_edit_that_re_renders_the_record_is_audited(
    clinic: Any, make_user: Any, make_patient: Any
) -> None:
    patient = make_patient(clinic)
    client = _as(make_user("front_desk", clinic))
    before = AuditEvent.objects.count()
    response = client.post(
        f"/patients/{patient.pk}/edit/",
        {"given_name": "", "family_name": "Lovelace", "birth_date": "1985-12-10", "sex": "female"},
    )
    assert response.status_code == 422
    assert b"Lovelace" in response.content
    (event,) = _new_events(before)
    assert (event.action, event.patient_id) == (AuditAction.VIEW, patient.pk)
    assert event.detail == {"status": 422, "outcome": "not changed"}


def test_a_successful_edit_writes_only_its_own_event(
    clinic: Any, make_user: Any, make_patient: Any
) -> None:
    patient = make_patient(clinic)
    client = _as(make_user("front_desk", clinic))
    before = AuditEvent.objects.count()
    response = client.post(
        f"/patients/{patient.pk}/edit/",
        {"given_name": "Ada", "family_name": "King", "birth_date": "1985-12-10", "sex": "female"},
    )
    assert response.status_code == 302
    assert [e.action for e in _new_events(before)] == [AuditAction.UPDATE]
