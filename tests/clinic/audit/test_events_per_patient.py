"""A page that lists several patients' records audits each patient with the event
``record_event`` would write for them, all written at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from cit.clinic.audit.actions import record_event, record_events_per_patient
from cit.clinic.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

SAME = (
    "actor_id",
    "actor_username",
    "actor_role",
    "clinic_id",
    "action",
    "patient_id",
    "object_type",
    "object_id",
    "channel",
    "method",
    "path",
    "client_address",
    "detail",
)


def _fields(events: Any) -> list[tuple[Any, ...]]:
    return [tuple(getattr(e, name) for name in SAME) for e in events.order_by("patient_id")]


@pytest.mark.parametrize("as_integration", [False, True])
def test_each_patients_event_is_the_one_record_event_writes(
    nurse: Any, clinic: Any, make_patient: Any, as_integration: bool
) -> None:
    patients = [make_patient(clinic, given_name=name) for name in ("Ada", "Grace", "Alan")]
    request = RequestFactory().get("/fhir/Appointment?date=ge2026-01-01", REMOTE_ADDR="10.1.2.3")
    request.user = nurse
    if as_integration:
        request.oauth_grant = type("Grant", (), {"client_id": "lab-system"})()  # type: ignore[attr-defined]
    detail = {"fhir": "Appointment", "total": 3}
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for patient in patients:
        record_event(
            request, AuditAction.LIST, patient=patient, object_type="Appointment", detail=detail
        )
    middle = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    record_events_per_patient(
        request, AuditAction.LIST, patients=patients, object_type="Appointment", detail=detail
    )
    one_by_one = _fields(AuditEvent.objects.filter(id__gt=start, id__lte=middle))
    at_once = _fields(AuditEvent.objects.filter(id__gt=middle))
    assert len(at_once) == 3
    assert at_once == one_by_one
    assert request.audit_events_written == 6  # type: ignore[attr-defined]
    assert at_once[0][SAME.index("detail")] == (
        {**detail, "oauth_client": "lab-system"} if as_integration else detail
    )


def test_no_patients_no_event(nurse: Any) -> None:
    request = RequestFactory().get("/inventory/lots/1/recall/")
    request.user = nurse
    before = AuditEvent.objects.count()
    record_events_per_patient(request, AuditAction.VIEW, patients=[])
    assert AuditEvent.objects.count() == before
