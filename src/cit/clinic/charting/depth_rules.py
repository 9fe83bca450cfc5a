"""The depth rules as the clinic applies them: its zone limits, the depth that breaks the
skin, and who may needle that deep on a given day (the numbers are the core's)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from cit.clinic.accounts.models import Provider, User
from cit.clinic.charting.errors import refusal
from cit.clinic.charting.models import (
    SessionNote,
)
from cit.clinic.facilities.models import Clinic
from cit.protocol import depth as depth_rules
from cit.protocol.depth import NEEDLE_DEPTH_CAP_MM, ZoneLimits
from cit.protocol.profiles import load_profile

# A drawn signature is a small PNG; anything bigger is not a signature pad image.


def zone_limits(clinic: Clinic) -> dict[str, ZoneLimits]:
    """The zones, in knowledge-base order, with the clinic profile's depth ranges."""
    return depth_rules.zone_limits(load_profile(clinic.protocol_profile))


def skin_breaking_threshold(clinic: Clinic) -> Decimal:
    return depth_rules.skin_breaking_threshold(load_profile(clinic.protocol_profile))


def may_break_skin(user: User, day: datetime.date) -> bool:
    provider = Provider.objects.active().filter(user=user).select_related("user").first()
    return provider is not None and provider.may_break_skin_on(day)


def depth_refusals(*, user: User, note: SessionNote, zone: str, depth_mm: Decimal) -> list[str]:
    """Why ``user`` may not needle ``zone`` at ``depth_mm`` in this session (empty: allowed);
    the rules are :func:`cit.protocol.depth.depth_refusals`."""
    return depth_rules.depth_refusals(
        depth_mm,
        zone=zone,
        profile=load_profile(note.patient.clinic.protocol_profile),
        device=str(note.device),
        device_max_mm=note.device.max_depth_mm,
        may_break_skin=lambda: may_break_skin(user, note.session_date),
    )


def parse_depth(value: Any) -> Decimal:
    try:
        depth = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise refusal("depth_mm", "Enter the depth in millimetres, e.g. 0.5.") from None
    if not depth.is_finite() or depth <= 0 or depth > NEEDLE_DEPTH_CAP_MM:
        raise refusal(
            "depth_mm", f"Depth must be more than 0 and at most {NEEDLE_DEPTH_CAP_MM} mm."
        )
    return depth
