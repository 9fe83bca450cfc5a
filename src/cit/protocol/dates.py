"""Calendar arithmetic of the protocol: month windows and ages."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day-of-month ``months`` later (or earlier), clamped to the month's end.

    A window of N months after a last dose on ``day`` ends on this date, and treatment is
    allowed on it: 31 January + 1 month is 28 (or 29) February.
    """
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last_day))


def parse_day(text: str) -> date:
    """A ``YYYY-MM-DD`` date; anything else (other ISO forms included) is a ValueError."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(f"not a date {text!r} (expected YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date {text!r} (expected YYYY-MM-DD)") from None


MAX_AGE_YEARS = 130


def birth_date_problem(birth_date: date, today: date) -> str | None:
    """Why a birth date is impossible on ``today`` (in the future, or a patient older than
    any human), or None."""
    if birth_date > today:
        return f"is in the future ({birth_date.isoformat()})"
    if birth_date < add_months(today, -12 * MAX_AGE_YEARS):
        return f"is more than {MAX_AGE_YEARS} years ago ({birth_date.isoformat()})"
    return None


def age_on(birth_date: date, on: date) -> int:
    """Completed years on ``on``. Someone born on 29 February turns a year older on
    1 March in non-leap years."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - before_birthday


def within_window(gap_days: int, min_days: int, max_days: int) -> bool:
    """Whether consecutive sessions ``gap_days`` apart keep an interval window of
    ``min_days`` to ``max_days`` (both allowed): the one rule that booking and hand-dated
    sessions both apply."""
    return min_days <= gap_days <= max_days
