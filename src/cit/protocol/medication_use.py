"""Whether a recorded medicine is in use on a day (CLINICAL.md v2, section 2).

A record says more or less: a status (active, stopped, or none), a start, an end and a last
dose. :func:`medication_use` reads them the way CLINICAL.md prescribes, before any rule:

- a course that starts after the day is planned, and counts as in use;
- a record marked active is in use; a last dose on it is only the most recent dose, and only
  an end date before the day ends it;
- with no status, a last dose means the medicine was stopped on that day (the questionnaire
  asks "last dose, if stopped"), and an end date before the day ends it;
- stopped with a date: stopped on the last dose (else the end date);
- stopped without any date counts as in use: the stop may have been yesterday.

The washout that follows a stop is the rule's business (:func:`in_use_with_washout`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from cit.protocol.model import MedicationEntry, MedicationStatus


class Use(enum.StrEnum):
    IN_USE = "in_use"
    PLANNED = "planned"
    STOPPED_DATE_UNKNOWN = "stopped_date_unknown"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class MedicationUse:
    """How a medicine stands on a day. ``stopped_on``: the last day it was taken, for
    :attr:`Use.STOPPED` only."""

    use: Use
    stopped_on: date | None = None

    @property
    def counts_as_in_use(self) -> bool:
        return self.use is not Use.STOPPED

    def describe(self) -> str:
        """Plain words for a finding's fact."""
        if self.use is Use.PLANNED:
            return "planned to start"
        if self.use is Use.STOPPED_DATE_UNKNOWN:
            return "stopped, date not recorded: counts as in use"
        if self.use is Use.STOPPED:
            assert self.stopped_on is not None
            return f"last dose {self.stopped_on.isoformat()}"
        return "in use"


def medication_use(entry: MedicationEntry, on: date) -> MedicationUse:
    """How ``entry`` stands on ``on``."""
    if entry.start is not None and entry.start > on:
        return MedicationUse(Use.PLANNED)
    if entry.status is MedicationStatus.ACTIVE:
        stop = entry.end
    elif entry.status is MedicationStatus.STOPPED:
        stop = entry.last_dose if entry.last_dose is not None else entry.end
        if stop is None:
            return MedicationUse(Use.STOPPED_DATE_UNKNOWN)
    else:
        stop = entry.last_dose if entry.last_dose is not None else entry.end
    if stop is None or stop >= on:
        return MedicationUse(Use.IN_USE)
    return MedicationUse(Use.STOPPED, stop)


def in_use_with_washout(use: MedicationUse, on: date, washout_days: int) -> bool:
    """Whether the medicine still counts as in use on ``on``: in use, or stopped less than
    ``washout_days`` days before (a washout of N days after a last dose on day X ends on
    X + N, when treatment is allowed again, as CLINICAL.md's windows do)."""
    if use.counts_as_in_use:
        return True
    assert use.stopped_on is not None
    return on < use.stopped_on + timedelta(days=washout_days)
