"""When a finished series is due for maintenance, and how urgent that is today.

The months come from the accepted plan (the protocol's maintenance interval, CLINICAL §3:
one session every 4–6 months, and the plan's target); the window is counted from the day of
the last session actually held, not the day the plan once expected it. Pure: ``today`` is an
argument.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from cit.protocol.dates import add_months

# The front desk's look-ahead: a window opening within this many days is "due soon".
DUE_SOON_DAYS = 30


class DueState(enum.StrEnum):
    SOON = "soon"
    NOW = "now"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class MaintenanceDue:
    """One maintenance session is due in [opens, closes], ideally on ``target``."""

    last_session: date
    target: date
    opens: date
    closes: date

    def state(self, today: date, soon_days: int = DUE_SOON_DAYS) -> DueState | None:
        """Overdue after the window, due now inside it, due soon shortly before it opens;
        None while the window is further off."""
        if today > self.closes:
            return DueState.OVERDUE
        if today >= self.opens:
            return DueState.NOW
        if (self.opens - today).days <= soon_days:
            return DueState.SOON
        return None


def maintenance_due(
    last_session: date, interval_months: tuple[int, int], target_months: int
) -> MaintenanceDue:
    """The window ``interval_months`` after ``last_session``, the target inside it."""
    low, high = interval_months
    if not 0 < low <= target_months <= high:
        raise ValueError(f"maintenance months must satisfy 0 < {low} <= {target_months} <= {high}")
    return MaintenanceDue(
        last_session=last_session,
        target=add_months(last_session, target_months),
        opens=add_months(last_session, low),
        closes=add_months(last_session, high),
    )
