"""Closure days and holidays: the dates a clinic is shut whatever its weekly hours say.

A closure is one date, or a date that repeats every year (25 December). ``closed_dates``
expands them over a range of days into the ``Clinic.closed_dates`` the search, validation
and solver already respect. A yearly closure on 29 February is closed in leap years only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Closure:
    day: date
    name: str = ""
    yearly: bool = False

    def falls_on(self, day: date) -> bool:
        if not self.yearly:
            return day == self.day
        return day >= self.day and (day.month, day.day) == (self.day.month, self.day.day)

    def dates_between(self, first: date, last: date) -> list[date]:
        """Every date in [first, last] this closure shuts (a yearly one from its first year)."""
        if first > last:
            return []
        if not self.yearly:
            return [self.day] if first <= self.day <= last else []
        found = []
        for year in range(max(first.year, self.day.year), last.year + 1):
            try:
                candidate = self.day.replace(year=year)
            except ValueError:  # 29 February outside a leap year
                continue
            if first <= candidate <= last:
                found.append(candidate)
        return found


def closed_dates(closures: Iterable[Closure], first: date, last: date) -> frozenset[date]:
    """The closed dates in [first, last]."""
    return frozenset(day for closure in closures for day in closure.dates_between(first, last))


def closure_on(closures: Iterable[Closure], day: date) -> Closure | None:
    """The closure that shuts ``day``, if any (for saying why a day is shaded)."""
    return next((c for c in closures if c.falls_on(day)), None)
