"""An independent, deliberately naive check of a schedule against every hard rule.

It shares nothing with the search but the definition of a window boundary at a DST change
(``localtime.boundary_epoch``): no index, no grid, no memo, linear scans over the raw rows. The
booking layer can call it just before writing a proposal chosen minutes ago; the property tests
use it as the oracle for the search.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from cit.scheduling.localtime import boundary_epoch, to_epoch
from cit.scheduling.state import ClinicState, EpochBusy, EpochHold
from cit.scheduling.types import (
    BookedSession,
    BusyInterval,
    Provider,
    SeriesRequest,
    WeeklyHours,
)
from cit.scheduling.wording import day_words, provider_words, room_words, time_words


class ViolationCode(enum.StrEnum):
    NAIVE_DATETIME = "naive_datetime"
    WRONG_LENGTH = "wrong_length"
    CLINIC_CLOSED = "clinic_closed"
    OUTSIDE_OPENING_HOURS = "outside_opening_hours"
    OUTSIDE_WORKING_HOURS = "outside_working_hours"
    PROVIDER_ABSENT = "provider_absent"
    UNKNOWN_RESOURCE = "unknown_resource"
    NOT_LICENSED = "not_licensed"
    MISSING_CAPABILITY = "missing_capability"
    WRONG_DEVICES = "wrong_devices"
    DOUBLE_BOOKED = "double_booked"
    SERIES_OVERLAP = "series_overlap"
    INTERVAL_OUT_OF_WINDOW = "interval_out_of_window"
    START_OUT_OF_WINDOW = "start_out_of_window"
    IN_THE_PAST = "in_the_past"
    SESSION_NUMBERING = "session_numbering"


@dataclass(frozen=True, slots=True)
class Violation:
    code: ViolationCode
    session_number: int | None
    message: str


_Flag = Callable[[ViolationCode, int | None, str], None]


def _within(hours: WeeklyHours, day: date, start: int, end: int, zone: ZoneInfo) -> bool:
    """True when [start, end) lies inside one of ``day``'s windows, each running from the first
    instant the wall clock reads its start to the first instant it reads its end."""
    return any(
        boundary_epoch(day, w.start_minute, zone) <= start
        and end <= boundary_epoch(day, w.end_minute, zone)
        for w in hours.windows_on(day.weekday())
    )


def _epoch_holds(
    busy: Sequence[BusyInterval], extra: Sequence[BusyInterval]
) -> Iterator[EpochHold]:
    # Holds read as numbers from the database are used as they are, never turned into objects.
    if isinstance(busy, EpochBusy):
        yield from busy.rows
    else:
        extra = (*busy, *extra)
    for hold in extra:
        yield hold.resource.key, to_epoch(hold.start), to_epoch(hold.end), hold.appointment_id


def check_series(
    sessions: Sequence[BookedSession],
    request: SeriesRequest,
    state: ClinicState,
    *,
    ignore_appointment_ids: Collection[str] = (),
    not_before: datetime | None = None,
    require_complete: bool = True,
    extra_busy: Sequence[BusyInterval] = (),
) -> tuple[Violation, ...]:
    """Every hard-rule violation of ``sessions`` as a series for ``request``; empty when the
    schedule may be booked.

    ``ignore_appointment_ids`` are bookings being replaced (the series' own, when checking a
    re-plan). ``extra_busy`` are holds not yet in ``state`` (other series of the same batch).
    With ``require_complete`` false, a series cut short by a re-plan (a prefix of its
    sessions) passes as long as what is there is valid.
    """
    zone = state.zone
    found: list[Violation] = []

    def flag(code: ViolationCode, number: int | None, message: str) -> None:
        found.append(Violation(code, number, message))

    numbers = [s.number for s in sessions]
    expected = list(range(1, len(sessions) + 1))
    if numbers != expected or (require_complete and len(sessions) != request.sessions):
        flag(
            ViolationCode.SESSION_NUMBERING,
            None,
            f"sessions numbered {numbers}, expected 1..{request.sessions}",
        )
    if len(sessions) > request.sessions:
        flag(ViolationCode.SESSION_NUMBERING, None, "more sessions than the request")

    for session in sessions:
        if session.start.tzinfo is None or session.end.tzinfo is None:
            flag(ViolationCode.NAIVE_DATETIME, session.number, "naive datetime")
            return tuple(found)

    busy_by_key: dict[str, list[tuple[int, int]]] = defaultdict(list)
    ignored = set(ignore_appointment_ids)
    for key, hold_start, hold_end, appointment_id in _epoch_holds(state.busy, extra_busy):
        if appointment_id is None or appointment_id not in ignored:
            busy_by_key[key].append((hold_start, hold_end))

    for session in sessions:
        _check_session(session, request, state, zone, busy_by_key, not_before, flag)

    # Sessions of one series never share a resource at the same time.
    for i, first in enumerate(sessions):
        for second in sessions[i + 1 :]:
            for a in first.holds(request.patient_id):
                for b in second.holds(request.patient_id):
                    if a.resource == b.resource and _overlap(a, b):
                        flag(
                            ViolationCode.SERIES_OVERLAP,
                            second.number,
                            f"sessions {first.number} and {second.number} both hold "
                            f"{a.resource.key} at the same time",
                        )

    window = request.interval
    for earlier, later in zip(sessions, sessions[1:], strict=False):
        days = (later.start.astimezone(zone).date() - earlier.start.astimezone(zone).date()).days
        if not window.allows(days):
            flag(
                ViolationCode.INTERVAL_OUT_OF_WINDOW,
                later.number,
                f"session {later.number} is {days} days after session {earlier.number}; the "
                f"window is {window.min_days}-{window.max_days}",
            )

    if sessions and sessions[0].number == 1:
        first_day = sessions[0].start.astimezone(zone).date()
        if first_day < request.earliest_start or (
            request.latest_start is not None and first_day > request.latest_start
        ):
            flag(
                ViolationCode.START_OUT_OF_WINDOW,
                1,
                f"session 1 on {first_day} is outside {request.earliest_start}.."
                f"{request.latest_start or 'open'}",
            )
    return tuple(found)


def _overlap(a: BusyInterval, b: BusyInterval) -> bool:
    return to_epoch(a.start) < to_epoch(b.end) and to_epoch(b.start) < to_epoch(a.end)


def _check_session(
    session: BookedSession,
    request: SeriesRequest,
    state: ClinicState,
    zone: ZoneInfo,
    busy_by_key: dict[str, list[tuple[int, int]]],
    not_before: datetime | None,
    flag: _Flag,
) -> None:
    number = session.number
    start = session.start.astimezone(zone)
    end = session.end.astimezone(zone)
    start_epoch, end_epoch = to_epoch(session.start), to_epoch(session.end)
    day = start.date()
    if end_epoch - start_epoch != request.visit_minutes * 60:
        flag(ViolationCode.WRONG_LENGTH, number, f"lasts {(end_epoch - start_epoch) // 60} min")
    if not_before is not None and start_epoch < to_epoch(not_before):
        flag(
            ViolationCode.IN_THE_PAST,
            number,
            f"starts {time_words(start, None, zone)}, which has passed",
        )
    clinic = state.clinic
    if day in clinic.closed_dates or not clinic.opening_hours.windows_on(day.weekday()):
        flag(ViolationCode.CLINIC_CLOSED, number, f"the clinic is closed on {day_words(day)}")
    elif not _within(clinic.opening_hours, day, start_epoch, end_epoch, zone):
        flag(
            ViolationCode.OUTSIDE_OPENING_HOURS,
            number,
            f"{time_words(start, end, zone)} is outside the opening hours",
        )

    provider: Provider | None = next(
        (p for p in state.providers if p.id == session.provider_id), None
    )
    if provider is None:
        flag(ViolationCode.UNKNOWN_RESOURCE, number, "the chosen provider is not on staff")
    else:
        who, when = provider_words(state, provider.id), time_words(start, end, zone)
        if request.needs_licensed_provider and not provider.licensed:
            flag(
                ViolationCode.NOT_LICENSED,
                number,
                f"{who} may not needle this deep",
            )
        if not request.provider_capabilities <= provider.capabilities:
            flag(
                ViolationCode.MISSING_CAPABILITY,
                number,
                f"{who} lacks a skill this visit needs",
            )
        if not _within(provider.working_hours, day, start_epoch, end_epoch, zone):
            flag(
                ViolationCode.OUTSIDE_WORKING_HOURS,
                number,
                f"{who} is not working at {when}",
            )
        if any(a.overlaps(session.start, session.end) for a in provider.absences):
            flag(
                ViolationCode.PROVIDER_ABSENT,
                number,
                f"{who} is absent at {when}",
            )

    room = next((r for r in state.rooms if r.id == session.room_id), None)
    if room is None:
        flag(ViolationCode.UNKNOWN_RESOURCE, number, "the chosen room is not in use")
    elif not request.room_capabilities <= room.capabilities:
        flag(
            ViolationCode.MISSING_CAPABILITY,
            number,
            f"{room_words(state, room.id)} is not suitable for this visit",
        )

    devices = {d.id: d for d in state.devices}
    needs = sorted(
        (
            need.kind.value,
            start_epoch + need.offset_minutes * 60,
            end_epoch
            if need.minutes is None
            else start_epoch + (need.offset_minutes + need.minutes) * 60,
        )
        for need in request.device_needs()
    )
    uses = sorted(
        (use.kind.value, to_epoch(use.start), to_epoch(use.end)) for use in session.devices
    )
    if needs != uses:
        flag(ViolationCode.WRONG_DEVICES, number, f"devices {uses} do not match needs {needs}")
    if len({use.device_id for use in session.devices}) != len(session.devices):
        flag(ViolationCode.WRONG_DEVICES, number, "one device used twice")
    for use in session.devices:
        device = devices.get(use.device_id)
        if device is None or device.kind is not use.kind:
            flag(ViolationCode.WRONG_DEVICES, number, f"device {use.device_id} is not a {use.kind}")

    for hold in session.holds(request.patient_id):
        hold_start, hold_end = to_epoch(hold.start), to_epoch(hold.end)
        for other_start, other_end in busy_by_key.get(hold.resource.key, ()):
            if other_start < hold_end and hold_start < other_end:
                flag(
                    ViolationCode.DOUBLE_BOOKED,
                    number,
                    f"{hold.resource.key} is already held "
                    f"{datetime.fromtimestamp(other_start, UTC).isoformat()}-"
                    f"{datetime.fromtimestamp(other_end, UTC).isoformat()}",
                )
