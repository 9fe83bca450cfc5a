"""Dates written the clinic's way: day first ("10 Jul 2026") or month first ("Jul 10, 2026").

Templates write ``{{ value|clinic_date:"j M Y" }}`` with the day-first pattern; for a
month-first clinic (set by ``ClinicTimezoneMiddleware`` for the request) the same date is
written with the month-first pattern below. Times are left as they are.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime

from django.utils.formats import date_format

DAY_FIRST, MONTH_FIRST = "dmy", "mdy"

_order: ContextVar[str] = ContextVar("date_order", default=DAY_FIRST)

# Every day-first pattern the pages use, and its month-first twin.
MONTH_FIRST_PATTERNS = {
    "j M Y": "M j, Y",
    "j M Y H:i": "M j, Y H:i",
    "D j M Y H:i": "D M j, Y H:i",
    "j M H:i": "M j H:i",
    "D j M Y": "D M j, Y",
    "j F Y": "F j, Y",
    "l j F Y": "l, F j, Y",
    "l j F Y, H:i": "l, F j, Y, H:i",
    "j F": "F j",
    "H:i, j M": "H:i, M j",
    "D j M H:i": "D M j H:i",
    "j F Y, H:i": "F j, Y, H:i",
    "D j": "D j",
    "D j M Y, H:i": "D M j, Y, H:i",
    "j M": "M j",
    "D j M": "D M j",
}


def activate_date_order(order: str) -> object:
    """Write dates in ``order`` for this request; returns a token for ``reset_date_order``."""
    return _order.set(order if order in (DAY_FIRST, MONTH_FIRST) else DAY_FIRST)


def reset_date_order(token: object) -> None:
    _order.reset(token)  # type: ignore[arg-type]


def pattern_for(order: str, day_first_pattern: str) -> str:
    """The pattern that writes a date in ``order`` ("dmy" or "mdy")."""
    if order == MONTH_FIRST:
        return MONTH_FIRST_PATTERNS.get(day_first_pattern, day_first_pattern)
    return day_first_pattern


def clinic_pattern(day_first_pattern: str) -> str:
    """The pattern to write a date with for the active clinic (messages outside a request
    use ``pattern_for`` with the clinic's own order)."""
    return pattern_for(_order.get(), day_first_pattern)


def clinic_date_text(value: date | datetime, day_first_pattern: str, *, order: str = "") -> str:
    """``value`` written with ``day_first_pattern`` (Django's date format characters) in the
    clinic's order: ``order`` when given (a message sent outside a request passes its
    clinic's ``date_order``), else the order active for this request."""
    pattern = pattern_for(order, day_first_pattern) if order else clinic_pattern(day_first_pattern)
    return date_format(value, pattern)
