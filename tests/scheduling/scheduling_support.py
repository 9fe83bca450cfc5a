"""Builders and hypothesis strategies shared by the scheduling tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from cit.scheduling import (
    BookedSeries,
    BookedSession,
    BusyInterval,
    Clinic,
    ClinicState,
    Device,
    DeviceKind,
    IntervalWindow,
    PatientPreferences,
    Provider,
    ResourceKind,
    ResourceRef,
    Room,
    ScheduleProposal,
    SeriesRequest,
    TimeRange,
    TimeWindow,
    WeeklyHours,
    check_series,
)

LONDON = "Europe/London"
NEW_YORK = "America/New_York"
WEEKDAYS = range(5)
MONDAY = date(2025, 3, 3)


def at(day: date, hhmm: str, zone: str = LONDON) -> datetime:
    hours, minutes = hhmm.split(":")
    return datetime.combine(day, time(int(hours), int(minutes)), ZoneInfo(zone))


def make_clinic(
    zone: str = LONDON,
    opening: str = "08:00-18:00",
    days: Iterable[int] = range(6),
    closed: Iterable[date] = (),
) -> Clinic:
    return Clinic(zone, WeeklyHours.every(days, opening), frozenset(closed))


def make_provider(
    provider_id: str,
    *,
    licensed: bool = True,
    hours: str = "08:00-18:00",
    days: Iterable[int] = range(6),
    absences: Sequence[TimeRange] = (),
    capabilities: Iterable[str] = (),
) -> Provider:
    return Provider(
        provider_id,
        licensed,
        WeeklyHours.every(days, hours),
        tuple(absences),
        frozenset(capabilities),
    )


def make_state(
    *,
    clinic: Clinic | None = None,
    providers: Sequence[Provider] | None = None,
    rooms: Sequence[Room] | None = None,
    devices: Sequence[Device] | None = None,
    busy: Sequence[BusyInterval] = (),
) -> ClinicState:
    return ClinicState(
        clinic or make_clinic(),
        tuple(providers if providers is not None else [make_provider("lic-a")]),
        tuple(rooms if rooms is not None else [Room("room-1")]),
        tuple(devices if devices is not None else [Device("pen-1", DeviceKind.PEN)]),
        tuple(busy),
    )


def make_request(**overrides: Any) -> SeriesRequest:
    fields: dict[str, Any] = {
        "patient_id": "patient-1",
        "sessions": 4,
        "interval": IntervalWindow(14, 28, 42),
        "visit_minutes": 90,
        "needs_licensed_provider": True,
        "earliest_start": MONDAY,
    }
    fields.update(overrides)
    return SeriesRequest(**fields)


def hold(
    kind: ResourceKind, resource_id: str, start: datetime, end: datetime, tag: str | None = None
) -> BusyInterval:
    return BusyInterval(ResourceRef(kind, resource_id), start, end, tag)


def book(
    proposal: ScheduleProposal | Sequence[BookedSession], request: SeriesRequest, series_id: str
) -> BookedSeries:
    """A proposal as the booking layer would store it: appointment ids on every session."""
    sessions = proposal.sessions if isinstance(proposal, ScheduleProposal) else proposal
    numbered = tuple(
        BookedSession(
            s.number, s.start, s.end, s.provider_id, s.room_id, s.devices, f"{series_id}-{s.number}"
        )
        for s in sessions
    )
    return BookedSeries(series_id, request, numbered)


def with_booked(state: ClinicState, *series: BookedSeries) -> ClinicState:
    holds = [
        h for s in series for session in s.sessions for h in session.holds(s.request.patient_id)
    ]
    return state.with_changes(add=holds)


def assert_bookable(
    sessions: Sequence[BookedSession],
    request: SeriesRequest,
    state: ClinicState,
    **options: Any,
) -> None:
    violations = check_series(sessions, request, state, **options)
    assert not violations, "\n".join(f"{v.code}: {v.message}" for v in violations)


# -- hypothesis strategies ------------------------------------------------------------------

ZONES = (LONDON, NEW_YORK, "Australia/Sydney", "UTC", "Asia/Kolkata")
# Starts near DST changes on both hemispheres, and ordinary weeks.
START_DATES = (
    date(2025, 3, 3),
    date(2025, 3, 24),
    date(2025, 3, 8),
    date(2025, 10, 20),
    date(2025, 10, 31),
    date(2025, 3, 29),
    date(2025, 6, 2),
)


@st.composite
def time_windows(draw: st.DrawFn, *, allow_night: bool = True) -> TimeWindow:
    if allow_night and draw(st.integers(0, 9)) == 0:
        # Night opening exercises the small-hours DST gap and repeated hour.
        return TimeWindow(time(0, 0), time(draw(st.integers(3, 6)), 0))
    start = draw(st.integers(6 * 4, 11 * 4)) * 15
    end = draw(st.integers(max(start // 15 + 4, 13 * 4), 21 * 4)) * 15
    return TimeWindow(time(start // 60, start % 60), time(end // 60, end % 60))


@st.composite
def weekly_hours(draw: st.DrawFn) -> WeeklyHours:
    days = draw(st.sets(st.integers(0, 6), min_size=3, max_size=7))
    return WeeklyHours.from_mapping({day: [draw(time_windows())] for day in days})


@st.composite
def instants(draw: st.DrawFn, zone: str, first: date, span_days: int) -> datetime:
    day = first + timedelta(days=draw(st.integers(0, span_days)))
    minute = draw(st.integers(0, 24 * 60 - 1))
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    # Built from UTC so a nonexistent local time never sneaks in.
    local = naive.replace(tzinfo=ZoneInfo(zone))
    return local.astimezone(ZoneInfo("UTC")).astimezone(ZoneInfo(zone))


@st.composite
def scenarios(draw: st.DrawFn, *, max_busy: int = 25) -> tuple[ClinicState, SeriesRequest]:
    """A small random clinic, its existing bookings, and a series request."""
    zone = draw(st.sampled_from(ZONES))
    first = draw(st.sampled_from(START_DATES))
    span = 120
    clinic = Clinic(
        zone,
        draw(weekly_hours()),
        frozenset(
            first + timedelta(days=d) for d in draw(st.sets(st.integers(0, span), max_size=6))
        ),
        draw(st.sampled_from((15, 15, 30, 10))),
    )
    providers = []
    for n in range(draw(st.integers(1, 4))):
        absences = []
        for _ in range(draw(st.integers(0, 2))):
            start = draw(instants(zone, first, span))
            absences.append(
                TimeRange(start, start + timedelta(hours=draw(st.integers(1, 24 * 10))))
            )
        providers.append(
            Provider(
                f"prov-{n}",
                draw(st.booleans()),
                draw(weekly_hours()),
                tuple(absences),
                frozenset(draw(st.sets(st.sampled_from(("prp", "scalp")), max_size=2))),
            )
        )
    rooms = [
        Room(f"room-{n}", frozenset(draw(st.sets(st.just("sink"), max_size=1))))
        for n in range(draw(st.integers(1, 3)))
    ]
    devices = [Device(f"pen-{n}", DeviceKind.PEN) for n in range(draw(st.integers(1, 2)))]
    devices += [Device(f"roller-{n}", DeviceKind.ROLLER) for n in range(draw(st.integers(0, 1)))]
    devices += [
        Device(f"centrifuge-{n}", DeviceKind.CENTRIFUGE) for n in range(draw(st.integers(0, 1)))
    ]
    resources = (
        [(ResourceKind.PROVIDER, p.id) for p in providers]
        + [(ResourceKind.ROOM, r.id) for r in rooms]
        + [(ResourceKind.DEVICE, d.id) for d in devices]
        + [(ResourceKind.PATIENT, "patient-1")]
    )
    busy = []
    for n in range(draw(st.integers(0, max_busy))):
        kind, resource_id = draw(st.sampled_from(resources))
        start = draw(instants(zone, first, span))
        end = start + timedelta(minutes=draw(st.integers(10, 240)))
        busy.append(BusyInterval(ResourceRef(kind, resource_id), start, end, f"existing-{n}"))
    state = ClinicState(clinic, tuple(providers), tuple(rooms), tuple(devices), tuple(busy))

    minimum = draw(st.integers(1, 14))
    target = draw(st.integers(minimum, minimum + 14))
    maximum = draw(st.integers(target, target + 14))
    visit = draw(st.integers(6, 30)) * 5
    centrifuge = draw(st.integers(0, 3)) == 0 and visit >= 45
    latest = None
    if draw(st.booleans()):
        latest = first + timedelta(days=draw(st.integers(0, 40)))
    preferences = PatientPreferences(
        weekdays=frozenset(draw(st.sets(st.integers(0, 6), max_size=3))),
        time_windows=tuple(draw(st.lists(time_windows(allow_night=False), max_size=1))),
        provider_id=draw(st.sampled_from([None, *[p.id for p in providers]])),
    )
    request = SeriesRequest(
        patient_id="patient-1",
        sessions=draw(st.integers(1, 5)),
        interval=IntervalWindow(minimum, target, maximum),
        visit_minutes=visit,
        needs_licensed_provider=draw(st.booleans()),
        earliest_start=first,
        latest_start=latest,
        needs_centrifuge=centrifuge,
        needling_device=draw(
            st.sampled_from((DeviceKind.PEN, DeviceKind.PEN, DeviceKind.ROLLER, None))
        ),
        preferences=preferences,
        provider_capabilities=frozenset(draw(st.sampled_from(((), (), (), ("prp",))))),
        room_capabilities=frozenset(draw(st.sampled_from(((), (), ("sink",))))),
    )
    return state, request
