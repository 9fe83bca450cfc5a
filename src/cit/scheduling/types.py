"""Typed inputs and outputs of the scheduling core.

Everything here is a plain, immutable value: the Django layer converts its rows into these,
calls the core, and converts the answers back. Datetimes crossing this boundary are always
timezone-aware; wall-clock times (opening hours, working hours, preferences) are naive
``datetime.time`` values meant in the clinic's own time zone.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cit.protocol.dates import within_window

MINUTES_PER_DAY = 24 * 60


class DeviceKind(enum.StrEnum):
    PEN = "pen"
    ROLLER = "roller"
    CENTRIFUGE = "centrifuge"


class ResourceKind(enum.StrEnum):
    """Anything a visit holds exclusively for a while; the patient counts too, so one patient's
    two series never overlap."""

    PROVIDER = "provider"
    ROOM = "room"
    DEVICE = "device"
    PATIENT = "patient"


@dataclass(frozen=True, slots=True)
class ResourceRef:
    kind: ResourceKind
    id: str
    key: str = field(init=False, repr=False, compare=False)
    """A flat string key, computed once: the occupancy index hashes these a lot."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.kind.value}:{self.id}")


def _utc(value: datetime) -> datetime:
    """Compare instants in UTC: Python compares two datetimes sharing a tzinfo by wall clock."""
    return value.astimezone(UTC)


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")


def _parse_hhmm(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A wall-clock window within one day, [start, end). Overnight windows are not supported:
    a clinic visit never spans midnight."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("TimeWindow holds wall-clock times; pass naive times")
        if self.start >= self.end:
            raise ValueError(f"TimeWindow start {self.start} must be before end {self.end}")

    @classmethod
    def parse(cls, text: str) -> TimeWindow:
        """``"09:00-17:30"`` -> TimeWindow(09:00, 17:30)."""
        start, end = text.split("-")
        return cls(_parse_hhmm(start), _parse_hhmm(end))

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        return self.end.hour * 60 + self.end.minute

    def contains_minute(self, minute: int) -> bool:
        return self.start_minute <= minute < self.end_minute


def _as_window(value: TimeWindow | str) -> TimeWindow:
    return value if isinstance(value, TimeWindow) else TimeWindow.parse(value)


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Opening or working hours: for each weekday (0 = Monday … 6 = Sunday) a sorted tuple of
    non-overlapping windows; an empty tuple means closed / not working that day."""

    days: tuple[tuple[TimeWindow, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError(f"WeeklyHours needs 7 weekdays, got {len(self.days)}")
        for weekday, windows in enumerate(self.days):
            for earlier, later in zip(windows, windows[1:], strict=False):
                if earlier.end > later.start:
                    raise ValueError(f"weekday {weekday}: windows must be sorted and disjoint")

    @classmethod
    def from_mapping(cls, mapping: Mapping[int, Iterable[TimeWindow | str]]) -> WeeklyHours:
        """``{0: ["09:00-13:00", "14:00-18:00"], 5: ["09:00-12:00"]}``; missing days are closed."""
        for weekday in mapping:
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0..6, got {weekday}")
        days = tuple(
            tuple(sorted((_as_window(w) for w in mapping.get(day, ())), key=lambda w: w.start))
            for day in range(7)
        )
        return cls(days)

    @classmethod
    def every(cls, weekdays: Iterable[int], *windows: TimeWindow | str) -> WeeklyHours:
        """The same windows on each of ``weekdays``, e.g. ``every(range(5), "08:00-18:00")``."""
        return cls.from_mapping({day: windows for day in weekdays})

    def windows_on(self, weekday: int) -> tuple[TimeWindow, ...]:
        return self.days[weekday]


@dataclass(frozen=True, slots=True)
class Clinic:
    """One site: its IANA time zone, weekly opening hours and closed dates (holidays).

    ``slot_minutes`` is the booking grid: sessions start on multiples of it from local midnight.
    """

    timezone: str
    opening_hours: WeeklyHours
    closed_dates: frozenset[date] = frozenset()
    slot_minutes: int = 15

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {self.timezone!r}") from error
        if self.slot_minutes <= 0 or MINUTES_PER_DAY % self.slot_minutes:
            raise ValueError("slot_minutes must divide a day (e.g. 5, 10, 15, 30, 60)")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches instances per key


@dataclass(frozen=True, slots=True)
class TimeRange:
    """An absolute, half-open [start, end) range between aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "TimeRange.start")
        _require_aware(self.end, "TimeRange.end")
        if _utc(self.start) >= _utc(self.end):
            raise ValueError("TimeRange start must be before end")

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return _utc(self.start) < _utc(end) and _utc(start) < _utc(self.end)


@dataclass(frozen=True, slots=True)
class Provider:
    """A clinician. ``licensed`` means a licensed medical professional (physician, NP, PA, RN)
    who may needle deeper than the skin-breaking threshold (CLINICAL §3)."""

    id: str
    licensed: bool
    working_hours: WeeklyHours
    absences: tuple[TimeRange, ...] = ()
    capabilities: frozenset[str] = frozenset()
    name: str = ""


@dataclass(frozen=True, slots=True)
class Room:
    id: str
    capabilities: frozenset[str] = frozenset()
    name: str = ""


@dataclass(frozen=True, slots=True)
class Device:
    id: str
    kind: DeviceKind
    name: str = ""


@dataclass(frozen=True, slots=True)
class BusyInterval:
    """One resource held over [start, end).

    ``appointment_id`` names the booking that holds it, so a re-plan can release exactly the
    holds of the sessions it moves; blocks that are not bookings (maintenance, a meeting) leave
    it ``None`` and are never released.
    """

    resource: ResourceRef
    start: datetime
    end: datetime
    appointment_id: str | None = None

    def __post_init__(self) -> None:
        _require_aware(self.start, "BusyInterval.start")
        _require_aware(self.end, "BusyInterval.end")
        if _utc(self.start) >= _utc(self.end):
            raise ValueError("BusyInterval start must be before end")


@dataclass(frozen=True, slots=True)
class IntervalWindow:
    """Days between consecutive sessions, counted in local calendar days: always within
    [min_days, max_days], as close to target_days as possible."""

    min_days: int
    target_days: int
    max_days: int

    def __post_init__(self) -> None:
        if not 1 <= self.min_days <= self.target_days <= self.max_days:
            raise ValueError(
                "IntervalWindow needs 1 <= min_days <= target_days <= max_days, got "
                f"{self.min_days}/{self.target_days}/{self.max_days}"
            )

    def allows(self, days: int) -> bool:
        return within_window(days, self.min_days, self.max_days)


@dataclass(frozen=True, slots=True)
class PatientPreferences:
    """Soft wishes: they rank proposals but never exclude one."""

    weekdays: frozenset[int] = frozenset()
    time_windows: tuple[TimeWindow, ...] = ()
    provider_id: str | None = None

    def __post_init__(self) -> None:
        if any(day not in range(7) for day in self.weekdays):
            raise ValueError("preferred weekdays must be 0 (Monday) .. 6 (Sunday)")

    def likes_weekday(self, weekday: int) -> bool:
        return not self.weekdays or weekday in self.weekdays

    def likes_minute(self, minute: int) -> bool:
        return not self.time_windows or any(w.contains_minute(minute) for w in self.time_windows)


@dataclass(frozen=True, slots=True)
class DeviceNeed:
    """A device of ``kind`` held from ``offset_minutes`` after the visit starts for
    ``minutes`` (``None``: until the visit ends)."""

    kind: DeviceKind
    offset_minutes: int = 0
    minutes: int | None = None


# CLINICAL §4: check-in 15 min, then the 10-minute PRP draw; the 15-minute spin runs during
# numbing. The centrifuge is only needed for the spin, so it is held for that part of the visit.
PRP_SPIN_OFFSET_MINUTES = 15 + 10
PRP_SPIN_MINUTES = 15


@dataclass(frozen=True, slots=True)
class SeriesRequest:
    """A treatment series to book, as the protocol engine's plan describes it.

    ``visit_minutes`` is the whole visit (check-in + numbing + needling + aftercare, plus the
    PRP draw when ``needs_centrifuge``). ``needs_licensed_provider`` is true when the planned
    depth breaks the skin. The first session falls in [earliest_start, latest_start].
    """

    patient_id: str
    sessions: int
    interval: IntervalWindow
    visit_minutes: int
    needs_licensed_provider: bool
    earliest_start: date
    latest_start: date | None = None
    needs_centrifuge: bool = False
    needling_device: DeviceKind | None = DeviceKind.PEN
    preferences: PatientPreferences = field(default_factory=PatientPreferences)
    provider_capabilities: frozenset[str] = frozenset()
    room_capabilities: frozenset[str] = frozenset()
    centrifuge_offset_minutes: int = PRP_SPIN_OFFSET_MINUTES
    centrifuge_minutes: int = PRP_SPIN_MINUTES

    def __post_init__(self) -> None:
        if self.sessions < 1:
            raise ValueError("a series needs at least one session")
        if self.visit_minutes <= 0:
            raise ValueError("visit_minutes must be positive")
        if self.latest_start is not None and self.latest_start < self.earliest_start:
            raise ValueError("latest_start is before earliest_start")
        if self.needling_device is DeviceKind.CENTRIFUGE:
            raise ValueError("a centrifuge is not a needling device; set needs_centrifuge")
        if self.needs_centrifuge and (
            self.centrifuge_offset_minutes < 0
            or self.centrifuge_minutes <= 0
            or self.centrifuge_offset_minutes + self.centrifuge_minutes > self.visit_minutes
        ):
            raise ValueError("the centrifuge spin must lie within the visit")

    def device_needs(self) -> tuple[DeviceNeed, ...]:
        needs: list[DeviceNeed] = []
        if self.needling_device is not None:
            needs.append(DeviceNeed(self.needling_device))
        if self.needs_centrifuge:
            needs.append(
                DeviceNeed(
                    DeviceKind.CENTRIFUGE, self.centrifuge_offset_minutes, self.centrifuge_minutes
                )
            )
        return tuple(needs)


@dataclass(frozen=True, slots=True)
class DeviceUse:
    device_id: str
    kind: DeviceKind
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class BookedSession:
    """One placed session. ``number`` counts from 1 within its series. ``appointment_id`` is
    ``None`` for a proposal not yet booked and the booking's id once it is."""

    number: int
    start: datetime
    end: datetime
    provider_id: str
    room_id: str
    devices: tuple[DeviceUse, ...] = ()
    appointment_id: str | None = None

    def __post_init__(self) -> None:
        _require_aware(self.start, "BookedSession.start")
        _require_aware(self.end, "BookedSession.end")
        if _utc(self.start) >= _utc(self.end):
            raise ValueError("BookedSession start must be before end")

    @property
    def device_ids(self) -> tuple[str, ...]:
        return tuple(use.device_id for use in self.devices)

    def holds(self, patient_id: str) -> tuple[BusyInterval, ...]:
        """Every resource this session holds, one row each: exactly what the booking layer
        writes to its exclusion-constrained table and what ``ClinicState.busy`` expects."""
        tag = self.appointment_id
        rows = [
            BusyInterval(
                ResourceRef(ResourceKind.PROVIDER, self.provider_id), self.start, self.end, tag
            ),
            BusyInterval(ResourceRef(ResourceKind.ROOM, self.room_id), self.start, self.end, tag),
            BusyInterval(ResourceRef(ResourceKind.PATIENT, patient_id), self.start, self.end, tag),
        ]
        rows.extend(
            BusyInterval(ResourceRef(ResourceKind.DEVICE, use.device_id), use.start, use.end, tag)
            for use in self.devices
        )
        return tuple(rows)

    @property
    def duration(self) -> timedelta:
        return _utc(self.end) - _utc(self.start)


@dataclass(frozen=True, slots=True)
class BookedSeries:
    """A series already in the book: its request (for the windows and needs) and its sessions,
    each with an ``appointment_id`` matching the holds in ``ClinicState.busy``."""

    series_id: str
    request: SeriesRequest
    sessions: tuple[BookedSession, ...]

    def __post_init__(self) -> None:
        numbers = [s.number for s in self.sessions]
        if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
            raise ValueError(f"series {self.series_id}: sessions must be in order of number")

    def session(self, number: int) -> BookedSession:
        for session in self.sessions:
            if session.number == number:
                return session
        raise KeyError(f"series {self.series_id} has no session {number}")


@dataclass(frozen=True, slots=True)
class ScoreComponent:
    """One reason a proposal costs what it costs: ``amount`` in ``unit`` times ``weight``."""

    name: str
    amount: float
    unit: str
    weight: float
    cost: float
    note: str


@dataclass(frozen=True, slots=True)
class ScoreBreakdown:
    """Lower is better. Components are listed even when zero, so two proposals compare line
    by line."""

    components: tuple[ScoreComponent, ...]

    @property
    def total(self) -> float:
        return sum(c.cost for c in self.components)

    def component(self, name: str) -> ScoreComponent:
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(name)

    def explain(self) -> tuple[str, ...]:
        """The non-zero components as sentences, costliest first."""
        ranked = sorted((c for c in self.components if c.cost), key=lambda c: -c.cost)
        return tuple(f"{c.note} (+{c.cost:g})" for c in ranked)


@dataclass(frozen=True, slots=True)
class ScheduleProposal:
    """A complete series: ``rank`` 1 is the best; ``lead_provider_id`` treats session 1."""

    rank: int
    sessions: tuple[BookedSession, ...]
    score: ScoreBreakdown
    lead_provider_id: str

    @property
    def start(self) -> datetime:
        return self.sessions[0].start


class FailureCode(enum.StrEnum):
    NO_ELIGIBLE_PROVIDER = "no_eligible_provider"
    NO_SUITABLE_ROOM = "no_suitable_room"
    NO_DEVICE = "no_device"
    NO_SHARED_HOURS = "no_shared_hours"
    VISIT_TOO_LONG = "visit_too_long"
    NO_FIRST_SESSION_SLOT = "no_first_session_slot"
    SERIES_DOES_NOT_FIT = "series_does_not_fit"


@dataclass(frozen=True, slots=True)
class SchedulingFailure:
    """Why nothing could be proposed, in words the front desk can act on."""

    code: FailureCode
    message: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SeriesSearchResult:
    """Either proposals (best first) or a failure with its reason; never silently empty."""

    proposals: tuple[ScheduleProposal, ...]
    failure: SchedulingFailure | None = None

    def __post_init__(self) -> None:
        if not self.proposals and self.failure is None:
            raise ValueError("an empty search result must say why")

    @property
    def found(self) -> bool:
        return bool(self.proposals)

    @property
    def best(self) -> ScheduleProposal | None:
        return self.proposals[0] if self.proposals else None

    @property
    def alternatives(self) -> tuple[ScheduleProposal, ...]:
        return self.proposals[1:]
