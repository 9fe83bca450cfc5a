"""Refusal words the front desk (and the patient) reads: people and rooms by name, times on
the clinic's local clock with its zone named, never an internal id or a UTC timestamp."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from cit.scheduling.state import ClinicState


def provider_words(state: ClinicState, provider_id: str) -> str:
    """The provider's name, or "the chosen provider" when the snapshot has none."""
    try:
        name = state.provider(provider_id).name
    except KeyError:
        name = ""
    return name or "the chosen provider"


def room_words(state: ClinicState, room_id: str | None) -> str:
    room = next((r for r in state.rooms if r.id == room_id), None)
    return room.name if room is not None and room.name else "the room"


def day_words(day: date) -> str:
    """2026-12-01 -> "Tue 1 Dec 2026"."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def time_words(start: datetime, end: datetime | None, zone: ZoneInfo) -> str:
    """A moment (or span) on the clinic's clock: "Tue 1 Dec 2026 14:30–15:30 (Europe/London)"."""
    local = start.astimezone(zone)
    until = f"–{end.astimezone(zone):%H:%M}" if end is not None else ""
    return f"{day_words(local.date())} {local:%H:%M}{until} ({zone.key})"
