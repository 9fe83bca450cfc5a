"""The refusal check of the role tables sees a write, and lets the refusal's own audit pass."""

from __future__ import annotations

from typing import Any

import pytest

from cit.clinic.audit.models import AuditAction, AuditEvent
from cit.clinic.facilities.models import Room
from tests.row_counts import snapshot, writes_since

pytestmark = pytest.mark.django_db


def test_a_new_row_is_a_write(clinic: Any) -> None:
    before = snapshot()
    Room.objects.create(clinic=clinic, name="Room 9")
    assert writes_since(before, "POST") == {"facilities.Room": (0, 1)}


def test_the_refusals_own_audit_events_are_not_writes(clinic: Any, patient: Any) -> None:
    before = snapshot()
    AuditEvent.objects.create(action=AuditAction.DENIED, clinic=clinic, patient=patient)
    AuditEvent.objects.create(
        action=AuditAction.VIEW, clinic=clinic, patient=patient, detail={"status": 403}
    )
    assert writes_since(before, "POST") == {}


def test_any_other_audit_event_is_a_write(clinic: Any, patient: Any) -> None:
    before = snapshot()
    AuditEvent.objects.create(
        action=AuditAction.CREATE, clinic=clinic, patient=patient, object_type="plans.Plan"
    )
    AuditEvent.objects.create(action=AuditAction.VIEW, clinic=clinic, patient=patient)
    assert writes_since(before, "POST") == {"audit events": ["create plans.Plan", "view "]}
    # A page may audit its read of the record before refusing the role.
    assert writes_since(before, "GET") == {"audit events": ["create plans.Plan"]}
