"""Whether a person belongs to a clinic, for the tokens a client of that clinic may get."""

from __future__ import annotations

from typing import Any

from cit.clinic.accounts.roles import Role
from cit.clinic.patients.models import Patient


def user_in_clinic(user: Any, clinic_id: int) -> bool:
    """Is the person one of the clinic's (staff of it, or a patient with a record there)?"""
    if user.role == Role.PATIENT:
        return Patient.objects.filter(portal_user=user, clinic_id=clinic_id).active().exists()
    return bool(user.clinic_id == clinic_id)
