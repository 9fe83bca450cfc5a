"""The ranges every input is held to, in one place: forms, API schemas and views all check here.

A date the clinic can use lies between :data:`EARLIEST_DATE` and :data:`YEARS_AHEAD` years
after today; a birth date is not after today. Anything outside is refused with a message a
person can act on, never passed on to date arithmetic (``date.max + 1 day`` is an
OverflowError), the scheduler or the database. Counts that page through lists are bounded
too (an ``OFFSET`` of 2**70 overflows SQLite's integers).

Free of Django and Pydantic: the adapters (``cit.clinic.bounds`` for forms and views,
``cit.api.bounds`` for API schemas) only translate :class:`OutOfBounds` into their errors.
"""

from __future__ import annotations

import datetime

EARLIEST_DATE = datetime.date(1900, 1, 1)
"""No date the clinic records or books is before this (birth dates included)."""

YEARS_AHEAD = 10
"""Nothing is booked, planned, dated or looked up more than this many years ahead."""

MAX_OFFSET = 1_000_000
"""The largest ``offset`` a paged list accepts (larger than any clinic's list)."""

MAX_PAGE = 100_000
"""The largest page number a paged page accepts."""

MAX_SERIES_INDEX = 50
"""A plan never has more series than this; larger indexes are refused before any lookup."""

MAX_DATABASE_ID = 2**63 - 1
"""The largest primary key the databases hold (PostgreSQL ``bigint``, SQLite ``INTEGER``)."""

ADDRESS_MAX_LENGTH = 500
"""A postal address, however long, fits in this many characters."""


class OutOfBounds(ValueError):
    """A value outside the range the clinic can use; the message says what is allowed."""


def latest_date(today: datetime.date) -> datetime.date:
    """The last day :data:`YEARS_AHEAD` years after ``today`` (29 February becomes the 28th)."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def check_date(
    value: datetime.date, today: datetime.date, *, not_after_today: bool = False
) -> datetime.date:
    """``value`` if the clinic can use it; else :class:`OutOfBounds` saying the range."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if value < EARLIEST_DATE:
        raise OutOfBounds(f"Enter a date on or after {EARLIEST_DATE.isoformat()}.")
    if not_after_today:
        if value > today:
            raise OutOfBounds("Enter a date that is not in the future.")
    elif value > latest_date(today):
        raise OutOfBounds(
            f"Enter a date no more than {YEARS_AHEAD} years ahead "
            f"(on or before {latest_date(today).isoformat()})."
        )
    return value


def check_birth_date(value: datetime.date, today: datetime.date) -> datetime.date:
    """A birth date: on or after :data:`EARLIEST_DATE` and not after today."""
    return check_date(value, today, not_after_today=True)


def check_datetime(value: datetime.datetime, today: datetime.date) -> datetime.datetime:
    """A moment whose calendar day is one the clinic can use (see :func:`check_date`).

    The day before :data:`EARLIEST_DATE` and after the latest date are refused in any time
    zone, so converting the moment to another zone can never leave ``datetime``'s range."""
    check_date(value.date(), today)
    return value


def check_range(value: int, *, low: int, high: int, what: str = "The number") -> int:
    """An integer within [low, high]."""
    if not low <= value <= high:
        raise OutOfBounds(f"{what} must be between {low} and {high}.")
    return value


def check_offset(value: int) -> int:
    return check_range(value, low=0, high=MAX_OFFSET, what="The offset")


def check_id(value: int) -> int:
    """A database id: positive and within a 64-bit integer."""
    return check_range(value, low=1, high=MAX_DATABASE_ID, what="The id")


def parse_day(text: str | None, today: datetime.date) -> datetime.date | None:
    """An ISO date from a query string: None when absent; OutOfBounds when unreadable or out
    of range (pages answer 400 rather than guess another day)."""
    if not text:
        return None
    try:
        value = datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise OutOfBounds(f"{text[:20]!r} is not a date (YYYY-MM-DD).") from None
    return check_date(value, today)
