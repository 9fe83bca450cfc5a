"""Reading FHIR search values (dates with prefixes, counts, references), framework-free.

Every reader raises :class:`SearchError` with a message fit for an OperationOutcome."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

PREFIXES = ("eq", "ne", "ge", "gt", "le", "lt")
MAX_COUNT = 200
DEFAULT_COUNT = 50
_DATE = re.compile(
    r"^(?P<year>\d{4})(-(?P<month>\d{2})(-(?P<day>\d{2})"
    r"(T(?P<time>\d{2}:\d{2}(:\d{2}(\.\d+)?)?)(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


class SearchError(ValueError):
    """A search parameter or value CIT cannot use: the answer is 400."""


@dataclass(frozen=True, slots=True)
class DateBound:
    """``prefix`` applied to the instant range [start, end) the value stands for."""

    prefix: str
    start: datetime.datetime
    end: datetime.datetime

    def matches(self, moment: datetime.datetime) -> bool:
        inside = self.start <= moment < self.end
        return {
            "eq": inside,
            "ne": not inside,
            "ge": moment >= self.start,
            "gt": moment >= self.end,
            "le": moment < self.end,
            "lt": moment < self.start,
        }[self.prefix]


def parse_date(raw: str, zone: datetime.tzinfo) -> DateBound:
    """``ge2026-03``, ``2026-03-01``, ``lt2026-03-01T10:00:00Z``. A value without a time zone
    is read in ``zone`` (the clinic's)."""
    prefix = raw[:2] if raw[:2] in PREFIXES else "eq"
    value = raw[2:] if raw[:2] in PREFIXES else raw
    match = _DATE.match(value)
    if not match:
        raise SearchError(f"'{raw}' is not a FHIR date (use e.g. 2026-03-01 or ge2026-03).")
    year = int(match["year"])
    month = int(match["month"] or 1)
    day = int(match["day"] or 1)
    try:
        if match["time"]:
            parts = [int(float(p)) for p in match["time"].split(":")]
            hour, minute, second = (parts + [0])[:3]
            tz: datetime.tzinfo = zone
            if match["tz"] == "Z":
                tz = datetime.UTC
            elif match["tz"]:
                sign = 1 if match["tz"][0] == "+" else -1
                hours, minutes = (int(p) for p in match["tz"][1:].split(":"))
                tz = datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))
            start = datetime.datetime(year, month, day, hour, minute, second, tzinfo=tz)
            end = start + datetime.timedelta(seconds=1)
        else:
            start = datetime.datetime(year, month, day, tzinfo=zone)
            if match["day"]:
                end_date = datetime.date(year, month, day) + datetime.timedelta(days=1)
            elif match["month"]:
                end_date = datetime.date(year + month // 12, month % 12 + 1, 1)
            else:
                end_date = datetime.date(year + 1, 1, 1)
            end = datetime.datetime.combine(end_date, datetime.time(), tzinfo=zone)
        # In UTC, as the database compares; the first and last days may not fit.
        start, end = start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)
    except (ValueError, OverflowError) as error:
        raise SearchError(f"'{raw}' is not a valid date: {error}.") from None
    return DateBound(prefix, start, end)


def parse_count(raw: str) -> int:
    if not raw.isdigit():
        raise SearchError(f"_count must be a whole number from 0 to {MAX_COUNT}.")
    return min(int(raw), MAX_COUNT)


def parse_offset(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise SearchError("_offset must be a whole number.")
    return int(raw)


def parse_reference(raw: str, resource_type: str) -> int:
    """``Patient/12`` or ``12`` (a CIT id is a whole number)."""
    value = raw.removeprefix(f"{resource_type}/")
    if not value.isdigit() or len(value) > 18:
        raise SearchError(f"'{raw}' is not a {resource_type} reference (e.g. {resource_type}/12).")
    return int(value)
