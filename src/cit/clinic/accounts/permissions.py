"""Who may see or change what: the one place CIT decides access.

A decision has two parts: the role must carry the capability, and for patient data the
user must be related to the patient (staff of the patient's clinic, or the patient).
Views and API endpoints ask here; they never test roles themselves.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cit.clinic.accounts.roles import CLINICAL_ROLES, LICENSED_ROLES, STAFF_ROLES, Role

if TYPE_CHECKING:
    from cit.clinic.patients.models import Patient


class Capability(StrEnum):
    PATIENT_LIST = "patient.list"
    PATIENT_VIEW = "patient.view"
    PATIENT_REGISTER = "patient.register"
    PATIENT_EDIT = "patient.edit"
    PATIENT_ARCHIVE = "patient.archive"
    CLINICAL_VIEW = "clinical.view"
    CLINICAL_EDIT = "clinical.edit"
    SCREENING_OVERRIDE = "screening.override"
    SCHEDULE_VIEW = "schedule.view"
    SCHEDULE_EDIT = "schedule.edit"
    CLINIC_VIEW = "clinic.view"
    CLINIC_MANAGE = "clinic.manage"
    AUDIT_VIEW = "audit.view"
    INVENTORY_VIEW = "inventory.view"
    INVENTORY_MANAGE = "inventory.manage"
    DECISION_SUPPORT = "protocol.decide"
    INTAKE_SUBMIT = "intake.submit"
    CONSENT_PUBLISH = "consent.publish"
    # FHIR Bulk Data export of the whole clinic (moving to another system).
    DATA_EXPORT = "data.export"


C = Capability
_FRONT_DESK = frozenset(
    {
        C.PATIENT_LIST,
        C.PATIENT_VIEW,
        C.PATIENT_REGISTER,
        C.PATIENT_EDIT,
        C.SCHEDULE_VIEW,
        C.SCHEDULE_EDIT,
        C.CLINIC_VIEW,
        C.INTAKE_SUBMIT,
    }
)
_CLINICIAN = _FRONT_DESK | {
    C.CLINICAL_VIEW,
    C.CLINICAL_EDIT,
    C.INVENTORY_VIEW,
    C.DECISION_SUPPORT,
}
_ADMIN = frozenset(
    {
        C.PATIENT_LIST,
        C.PATIENT_VIEW,
        C.PATIENT_REGISTER,
        C.PATIENT_EDIT,
        C.PATIENT_ARCHIVE,
        C.SCHEDULE_VIEW,
        C.SCHEDULE_EDIT,
        C.CLINIC_VIEW,
        C.CLINIC_MANAGE,
        C.AUDIT_VIEW,
        C.INVENTORY_VIEW,
        C.INVENTORY_MANAGE,
        C.CONSENT_PUBLISH,
        C.DATA_EXPORT,
    }
)
# A patient sees their own record, clinical notes and bookings in the portal.
_PATIENT = frozenset({C.PATIENT_VIEW, C.CLINICAL_VIEW, C.SCHEDULE_VIEW, C.INTAKE_SUBMIT})

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    # Licensed staff also receive stock and run recalls (lots are a clinical safety matter)
    # and publish consent text.
    **{
        role: _CLINICIAN | {C.SCREENING_OVERRIDE, C.INVENTORY_MANAGE, C.CONSENT_PUBLISH}
        for role in LICENSED_ROLES
    },
    Role.ESTHETICIAN: _CLINICIAN,
    Role.FRONT_DESK: _FRONT_DESK,
    Role.CLINIC_ADMIN: _ADMIN,
    Role.PATIENT: _PATIENT,
}
assert set(ROLE_CAPABILITIES) == {role.value for role in Role}, "every role needs an entry"
assert CLINICAL_ROLES <= STAFF_ROLES


def has_capability(user: Any, capability: Capability) -> bool:
    """True when the user's role carries the capability (no patient involved)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


def is_related_to_patient(user: Any, patient: Patient) -> bool:
    """Staff of the patient's clinic, or the patient themself through the portal."""
    if user.role == Role.PATIENT:
        return patient.portal_user_id is not None and patient.portal_user_id == user.pk
    return (
        user.role in STAFF_ROLES
        and user.clinic_id is not None
        and (user.clinic_id == patient.clinic_id)
    )


def can_access_patient(user: Any, patient: Patient, capability: Capability) -> bool:
    return has_capability(user, capability) and is_related_to_patient(user, patient)
