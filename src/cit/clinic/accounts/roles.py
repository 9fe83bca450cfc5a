"""The roles of CIT and what each kind of role is, in one place."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    PHYSICIAN = "physician", "Physician"
    NURSE_PRACTITIONER = "nurse_practitioner", "Nurse practitioner"
    PHYSICIAN_ASSISTANT = "physician_assistant", "Physician assistant"
    REGISTERED_NURSE = "registered_nurse", "Registered nurse"
    ESTHETICIAN = "esthetician", "Esthetician"
    FRONT_DESK = "front_desk", "Front desk"
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"
    PATIENT = "patient", "Patient"


# Licensed medical professionals: may perform skin-breaking (> threshold depth) needling
# and override screening findings (CLINICAL.md §3 "Who may treat").
LICENSED_ROLES = frozenset(
    {
        Role.PHYSICIAN,
        Role.NURSE_PRACTITIONER,
        Role.PHYSICIAN_ASSISTANT,
        Role.REGISTERED_NURSE,
    }
)
# Roles that treat patients and keep clinical records.
CLINICAL_ROLES = LICENSED_ROLES | {Role.ESTHETICIAN}
STAFF_ROLES = CLINICAL_ROLES | {Role.FRONT_DESK, Role.CLINIC_ADMIN}
