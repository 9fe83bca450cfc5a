"""The life cycle of one appointment: which status changes are allowed, and when.

booked → arrived (check-in) → in treatment (session started) → completed (note signed);
a booked visit may instead become a no-show (after its start), cancelled, or late-cancelled
(cancelled within the notice period). Pure: the time and the clinic's zone are arguments.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class VisitStatus(enum.StrEnum):
    BOOKED = "booked"
    ARRIVED = "arrived"
    IN_TREATMENT = "in_treatment"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    LATE_CANCELLED = "late_cancelled"


class VisitEvent(enum.StrEnum):
    CHECK_IN = "check_in"
    UNDO_CHECK_IN = "undo_check_in"
    START = "start"
    COMPLETE = "complete"
    NO_SHOW = "no_show"
    CANCEL = "cancel"


S, E = VisitStatus, VisitEvent

# Statuses whose visit keeps its provider, room, devices and the patient's time.
HOLDING = frozenset({S.BOOKED, S.ARRIVED, S.IN_TREATMENT, S.COMPLETED})
# Statuses that end a visit; nothing changes them again.
FINAL = frozenset({S.COMPLETED, S.NO_SHOW, S.CANCELLED, S.LATE_CANCELLED})

ALLOWED: dict[VisitEvent, frozenset[VisitStatus]] = {
    E.CHECK_IN: frozenset({S.BOOKED}),
    E.UNDO_CHECK_IN: frozenset({S.ARRIVED}),
    # A clinician may start the session of a patient the desk did not check in.
    E.START: frozenset({S.BOOKED, S.ARRIVED}),
    E.COMPLETE: frozenset({S.IN_TREATMENT}),
    E.NO_SHOW: frozenset({S.BOOKED}),
    E.CANCEL: frozenset({S.BOOKED, S.ARRIVED}),
}

EVENT_WORDS = {
    E.CHECK_IN: "checked in",
    E.UNDO_CHECK_IN: "un-checked-in",
    E.START: "started",
    E.COMPLETE: "completed",
    E.NO_SHOW: "marked as a no-show",
    E.CANCEL: "cancelled",
}
STATUS_WORDS = {
    S.BOOKED: "booked",
    S.ARRIVED: "checked in",
    S.IN_TREATMENT: "in treatment",
    S.COMPLETED: "completed",
    S.NO_SHOW: "a no-show",
    S.CANCELLED: "cancelled",
    S.LATE_CANCELLED: "cancelled (late)",
}


class TransitionRefused(ValueError):
    """The change is not allowed now; ``message`` says why in the desk's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Visit:
    status: VisitStatus
    start: datetime
    end: datetime
    timezone: str


def _local_day(moment: datetime, zone: ZoneInfo) -> object:
    return moment.astimezone(zone).date()


def next_status(
    visit: Visit, event: VisitEvent, *, now: datetime, late_notice: timedelta
) -> VisitStatus:
    """The status ``event`` moves ``visit`` to at ``now``, or ``TransitionRefused``."""
    status = VisitStatus(visit.status)
    if status not in ALLOWED[event]:
        if status in FINAL:
            raise TransitionRefused(
                f"This visit is already {STATUS_WORDS[status]}; it cannot be "
                f"{EVENT_WORDS[event]} now."
            )
        raise TransitionRefused(
            f"This visit is {STATUS_WORDS[status]}; it cannot be {EVENT_WORDS[event]}."
        )
    zone = ZoneInfo(visit.timezone)
    now_utc, start, end = (
        now.astimezone(UTC),
        visit.start.astimezone(UTC),
        visit.end.astimezone(UTC),
    )
    on_the_day = _local_day(now_utc, zone) == _local_day(start, zone)
    if event is E.CHECK_IN:
        if not on_the_day:
            raise TransitionRefused("A patient is checked in on the day of the visit.")
        if now_utc >= end:
            raise TransitionRefused(
                "The visit's time is over; mark it as a no-show or move it instead."
            )
        return S.ARRIVED
    if event is E.UNDO_CHECK_IN:
        return S.BOOKED
    if event is E.START:
        if not on_the_day:
            raise TransitionRefused("A session is started on the day of the visit.")
        return S.IN_TREATMENT
    if event is E.COMPLETE:
        return S.COMPLETED
    if event is E.NO_SHOW:
        if now_utc < start:
            raise TransitionRefused(
                "The visit has not started yet; a patient is a no-show only after the start time."
            )
        return S.NO_SHOW
    # CANCEL
    if status is S.BOOKED and now_utc >= start:
        raise TransitionRefused(
            "This visit has already started; mark it as a no-show instead of cancelling."
        )
    return S.LATE_CANCELLED if now_utc > start - late_notice else S.CANCELLED
