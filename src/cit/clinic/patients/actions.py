"""State changes of patient records. Each runs in one transaction and writes its audit event."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from cit.clinic.accounts.models import User
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.facilities.models import Clinic
from cit.clinic.patients.models import Patient

EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "fitzpatrick_type",
    "email",
    "phone",
    "address",
)


def _next_record_number(clinic_id: int) -> str:
    # The row lock serialises concurrent registrations, so no two patients share an MRN.
    clinic = Clinic.objects.select_for_update().get(pk=clinic_id)
    clinic.last_record_number += 1
    clinic.save(update_fields=["last_record_number"])
    return f"{clinic.record_number_prefix}{clinic.last_record_number:06d}"


@transaction.atomic
def do_register_patient(
    *, actor: User, clinic: Clinic, request: HttpRequest | None = None, **fields: Any
) -> Patient:
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"portal_user"}
    if unknown:
        raise TypeError(f"Unknown patient fields: {', '.join(sorted(unknown))}")
    patient = Patient(clinic=clinic, record_number=_next_record_number(clinic.pk), **fields)
    patient.full_clean()
    patient.save()
    record_event(request, AuditAction.CREATE, actor=actor, patient=patient, obj=patient)
    return patient


@transaction.atomic
def do_update_patient(
    *, actor: User, patient: Patient, changes: dict[str, Any], request: HttpRequest | None = None
) -> Patient:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Fields that cannot be changed here: {', '.join(sorted(unknown))}")
    locked: Patient = Patient.objects.select_for_update().get(pk=patient.pk)
    changed = sorted(name for name, value in changes.items() if getattr(locked, name) != value)
    for name in changed:
        setattr(locked, name, changes[name])
    locked.full_clean()
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    # Field names only: the audit log must not become a second copy of the record.
    record_event(
        request,
        AuditAction.UPDATE,
        actor=actor,
        patient=locked,
        obj=locked,
        detail={"fields": changed},
    )
    return locked


@transaction.atomic
def do_archive_patient(
    *, actor: User, patient: Patient, request: HttpRequest | None = None
) -> None:
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    locked.archive()
    record_event(request, AuditAction.ARCHIVE, actor=actor, patient=locked, obj=locked)


@transaction.atomic
def do_restore_patient(
    *, actor: User, patient: Patient, request: HttpRequest | None = None
) -> None:
    """Bring an archived record back into everyday lists (an admin's correction)."""
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    locked.restore()
    record_event(
        request,
        AuditAction.UPDATE,
        actor=actor,
        patient=locked,
        obj=locked,
        detail={"restored": True},
    )
