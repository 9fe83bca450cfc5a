"""Tests of "today" pages put their visits later today; this keeps "today" long enough."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

# UTC offsets at most 8 hours apart all round the clock: in one of them it is morning now.
MORNING_ZONES = [
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "America/New_York",
    "Europe/London",
    "Asia/Dubai",
    "Asia/Tokyo",
    "Pacific/Auckland",
]


def move_clinic_to_morning(clinic: Any) -> None:
    """Put the clinic in a time zone where it is morning now, so that visits later today fall
    on today in the clinic whatever the hour the suite runs at."""
    now = timezone.now()
    clinic.timezone = next(
        zone for zone in MORNING_ZONES if 6 <= now.astimezone(ZoneInfo(zone)).hour < 14
    )
    clinic.save(update_fields=["timezone"])
