"""What a calendar column looks like on one day: when the clinic is open, when a provider
works, is away, or the day is closed. Pure: the calendar page shades from these answers and
offers a booking only where the answer is ``OPEN``."""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta

from cit.scheduling.state import ClinicState
from cit.scheduling.types import TimeRange


class Availability(enum.StrEnum):
    OPEN = "open"
    OFF = "off"  # outside opening or working hours
    AWAY = "away"  # a recorded absence (or a lapsed licence)
    CLOSED = "closed"  # a closure day or holiday


def _minute(value: time) -> int:
    return value.hour * 60 + value.minute


def availability(
    state: ClinicState,
    day: date,
    minutes: list[int],
    *,
    provider_id: str | None = None,
    length: int = 5,
) -> list[Availability]:
    """For each minute-of-day in ``minutes``, whether [minute, minute + length) on ``day`` is
    bookable for ``provider_id`` (or, without one, whether the clinic is open: a room)."""
    clinic = state.clinic
    if day in clinic.closed_dates:
        return [Availability.CLOSED for _ in minutes]
    zone = clinic.zone
    opening = clinic.opening_hours.windows_on(day.weekday())
    provider = state.provider(provider_id) if provider_id is not None else None
    working = provider.working_hours.windows_on(day.weekday()) if provider else ()
    absences: tuple[TimeRange, ...] = provider.absences if provider else ()
    answers = []
    for minute in minutes:
        end = minute + length
        inside_opening = any(_minute(w.start) <= minute and end <= _minute(w.end) for w in opening)
        if not inside_opening:
            answers.append(Availability.OFF)
            continue
        if provider is not None:
            if not any(_minute(w.start) <= minute and end <= _minute(w.end) for w in working):
                answers.append(Availability.OFF)
                continue
            start_at = datetime.combine(day, time(0), zone) + timedelta(minutes=minute)
            stop_at = start_at + timedelta(minutes=length)
            if any(a.overlaps(start_at, stop_at) for a in absences):
                answers.append(Availability.AWAY)
                continue
        answers.append(Availability.OPEN)
    return answers
