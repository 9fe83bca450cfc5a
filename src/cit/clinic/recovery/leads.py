"""Who an unacknowledged recovery alert escalates to."""

from __future__ import annotations

from cit.clinic.accounts.models import User
from cit.clinic.accounts.roles import Role
from cit.clinic.facilities.models import Clinic


def clinic_leads(clinic: Clinic) -> list[User]:
    """Who an unacknowledged alert goes to: the clinic's physicians (the medical lead, who
    may act on any clinical record); a clinic without one falls back to its clinic admins,
    who can find cover though they may not read the answers."""
    active = User.objects.filter(clinic=clinic, is_active=True).exclude(email="")
    physicians = list(active.filter(role=Role.PHYSICIAN).order_by("pk"))
    return physicians or list(active.filter(role=Role.CLINIC_ADMIN).order_by("pk"))
