"""Where can one visit of a given shape go? The shared engine under find_series, replan and the
solver's candidate generation.

A ``SlotFinder`` answers for one request (visit length, devices, room needs, patient) against
one occupancy index, memoising per local day and provider, because the searches above ask the
same (day, provider) question many times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from cit.scheduling.localtime import DayClock, from_epoch, local_date, minute_of_day
from cit.scheduling.occupancy import Occupancy, resource_key
from cit.scheduling.state import ClinicState
from cit.scheduling.types import (
    BookedSession,
    Device,
    DeviceKind,
    DeviceNeed,
    DeviceUse,
    Provider,
    ResourceKind,
    Room,
    SeriesRequest,
)
from cit.scheduling.wording import day_words, provider_words, room_words, time_words

DeviceHold = tuple[str, DeviceKind, int, int]


@dataclass(frozen=True, slots=True)
class Placement:
    """One feasible spot for a session, in epoch seconds, with every resource chosen."""

    day: date
    minute: int
    start: int
    end: int
    provider_id: str
    room_id: str
    devices: tuple[DeviceHold, ...]

    def to_session(
        self, number: int, zone: ZoneInfo, appointment_id: str | None = None
    ) -> BookedSession:
        return BookedSession(
            number=number,
            start=from_epoch(self.start, zone),
            end=from_epoch(self.end, zone),
            provider_id=self.provider_id,
            room_id=self.room_id,
            devices=tuple(
                DeviceUse(device_id, kind, from_epoch(s, zone), from_epoch(e, zone))
                for device_id, kind, s, e in self.devices
            ),
            appointment_id=appointment_id,
        )

    def resource_holds(self, patient_key: str) -> list[tuple[str, int, int]]:
        holds = [
            (resource_key(ResourceKind.PROVIDER, self.provider_id), self.start, self.end),
            (resource_key(ResourceKind.ROOM, self.room_id), self.start, self.end),
            (patient_key, self.start, self.end),
        ]
        holds.extend(
            (resource_key(ResourceKind.DEVICE, device_id), s, e)
            for device_id, _kind, s, e in self.devices
        )
        return holds


def _intersect(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Intersection of two sorted lists of disjoint [start, end) stretches."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def eligible_providers(state: ClinicState, request: SeriesRequest) -> tuple[Provider, ...]:
    """Providers allowed to treat this series: licence for skin-breaking depth, capabilities."""
    return tuple(
        p
        for p in state.providers
        if (p.licensed or not request.needs_licensed_provider)
        and request.provider_capabilities <= p.capabilities
    )


def suitable_rooms(state: ClinicState, request: SeriesRequest) -> tuple[Room, ...]:
    return tuple(r for r in state.rooms if request.room_capabilities <= r.capabilities)


def devices_for(state: ClinicState, need: DeviceNeed) -> tuple[Device, ...]:
    return tuple(d for d in state.devices if d.kind is need.kind)


ResourceChoice = tuple[str, tuple[DeviceHold, ...]]


class SlotFinder:
    """Feasible starts for one visit shape. Not thread-safe; make one per call."""

    def __init__(
        self,
        state: ClinicState,
        occupancy: Occupancy,
        request: SeriesRequest,
        *,
        not_before: int | None = None,
    ) -> None:
        self.state = state
        self.occupancy = occupancy
        self.request = request
        self.zone = state.zone
        self.not_before = not_before
        self.slot_minutes = state.clinic.slot_minutes
        self.visit_seconds = request.visit_minutes * 60
        self.patient_key = resource_key(ResourceKind.PATIENT, request.patient_id)
        self.providers = eligible_providers(state, request)
        self.provider_ids = frozenset(p.id for p in self.providers)
        self._provider_by_id = {p.id: p for p in self.providers}
        self.rooms = suitable_rooms(state, request)
        self._room_keys = tuple((r.id, resource_key(ResourceKind.ROOM, r.id)) for r in self.rooms)
        self.device_needs = tuple(
            (
                need,
                tuple(
                    (d.id, resource_key(ResourceKind.DEVICE, d.id))
                    for d in devices_for(state, need)
                ),
            )
            for need in request.device_needs()
        )
        self._clocks: dict[date, DayClock] = {}
        self._windows: dict[tuple[date, str], tuple[tuple[int, int, int, int], ...]] = {}
        self._starts: dict[tuple[date, str], list[tuple[int, int]]] = {}
        self._resources: dict[int, ResourceChoice | None] = {}

    # -- days and windows ------------------------------------------------------------------

    def clock(self, day: date) -> DayClock:
        clock = self._clocks.get(day)
        if clock is None:
            clock = self._clocks[day] = DayClock(day, self.zone)
        return clock

    def clinic_open(self, day: date) -> bool:
        clinic = self.state.clinic
        return day not in clinic.closed_dates and bool(
            clinic.opening_hours.windows_on(day.weekday())
        )

    def windows(self, day: date, provider_id: str) -> tuple[tuple[int, int, int, int], ...]:
        """(start_minute, end_minute, start_epoch, end_epoch) where the clinic is open and the
        provider works on ``day`` (absences and bookings are left to the occupancy index)."""
        cache_key = (day, provider_id)
        cached = self._windows.get(cache_key)
        if cached is not None:
            return cached
        result: list[tuple[int, int, int, int]] = []
        if self.clinic_open(day):
            provider = self._provider_by_id.get(provider_id) or self.state.provider(provider_id)
            weekday = day.weekday()
            clock = self.clock(day)
            for opening in self.state.clinic.opening_hours.windows_on(weekday):
                for working in provider.working_hours.windows_on(weekday):
                    start = max(opening.start_minute, working.start_minute)
                    end = min(opening.end_minute, working.end_minute)
                    if start < end:
                        result.append(
                            (
                                start,
                                end,
                                clock.boundary(start),
                                clock.boundary(end),
                            )
                        )
        windows = tuple(sorted(result))
        self._windows[cache_key] = windows
        return windows

    # -- starts ----------------------------------------------------------------------------

    def provider_starts(self, day: date, provider_id: str) -> list[tuple[int, int]]:
        """(wall minute, epoch) of grid starts on ``day`` where the whole visit fits the
        opening and working hours and both the provider and the patient are free."""
        cache_key = (day, provider_id)
        cached = self._starts.get(cache_key)
        if cached is not None:
            return cached
        starts: list[tuple[int, int]] = []
        grid = self.slot_minutes
        visit = self.visit_seconds
        clock = self.clock(day)
        provider_key = resource_key(ResourceKind.PROVIDER, provider_id)
        earliest = self.not_before
        for start_minute, end_minute, window_start, window_end in self.windows(day, provider_id):
            # Free stretches of both provider and patient, walked alongside the grid: one
            # pass over the day instead of two bisections per slot.
            # A stretch shorter than the visit holds no start: a booked-up day is skipped
            # without walking its grid.
            gaps = [
                gap
                for gap in _intersect(
                    self.occupancy.free_gaps(provider_key, window_start, window_end),
                    self.occupancy.free_gaps(self.patient_key, window_start, window_end),
                )
                if gap[1] - gap[0] >= visit
            ]
            if not gaps:
                continue
            first = -(-start_minute // grid) * grid
            base = clock.uniform_base
            if base is not None:
                # One offset all day: each gap's grid starts are a range, found by arithmetic.
                for gap_start, gap_end in gaps:
                    low = gap_start if earliest is None else max(gap_start, earliest)
                    high = gap_end - visit  # the last instant a visit may start in this gap
                    lowest = max(first, -(-(low - base) // 60))
                    lowest = -(-lowest // grid) * grid
                    highest = min(end_minute - 1, (high - base) // 60)
                    # Two ranges zipped: the pairs made in C, not one by one in Python.
                    starts.extend(
                        zip(
                            range(lowest, highest + 1, grid),
                            range(base + lowest * 60, base + highest * 60 + 1, grid * 60),
                            strict=True,
                        )
                    )
                continue
            g = 0
            for minute in range(first, end_minute, grid):
                start = clock.start_epoch(minute)
                if start is None or start < window_start:
                    continue  # skipped by a DST gap, or before a boundary moved by one
                end = start + visit
                if end > window_end:
                    break
                if earliest is not None and start < earliest:
                    continue
                while g < len(gaps) and gaps[g][1] < end:
                    g += 1
                if g == len(gaps):
                    break
                if gaps[g][0] <= start:
                    starts.append((minute, start))
        self._starts[cache_key] = starts
        return starts

    # -- rooms and devices -----------------------------------------------------------------

    def resources_at(
        self,
        start: int,
        *,
        prefer_room: str | None = None,
        prefer_devices: Sequence[str] = (),
    ) -> ResourceChoice | None:
        """A free suitable room and the needed devices for a visit starting at ``start``."""
        if prefer_room is None and not prefer_devices:
            if start not in self._resources:
                self._resources[start] = self._first_choice(start, None, ())
            return self._resources[start]
        return self._first_choice(start, prefer_room, prefer_devices)

    def _first_choice(
        self, start: int, prefer_room: str | None, prefer_devices: Sequence[str]
    ) -> ResourceChoice | None:
        """``resource_options(start, limit=1)``'s one choice, without listing every free room
        and device: the first free ones will do."""
        end = start + self.visit_seconds
        is_free = self.occupancy.is_free
        room = next(
            (
                room_id
                for room_id, key in self._ordered(self._room_keys, prefer_room)
                if is_free(key, start, end)
            ),
            None,
        )
        if room is None:
            return None
        chosen: list[DeviceHold] = []
        used: set[str] = set()
        for need, devices in self.device_needs:
            need_start = start + need.offset_minutes * 60
            need_end = end if need.minutes is None else need_start + need.minutes * 60
            pick = next(
                (
                    (device_id, need.kind, need_start, need_end)
                    for device_id, key in self._ordered_many(devices, prefer_devices)
                    if device_id not in used and is_free(key, need_start, need_end)
                ),
                None,
            )
            if pick is None:
                return None
            used.add(pick[0])
            chosen.append(pick)
        return room, tuple(chosen)

    def resource_options(
        self,
        start: int,
        *,
        limit: int,
        prefer_room: str | None = None,
        prefer_devices: Sequence[str] = (),
    ) -> list[ResourceChoice]:
        """Up to ``limit`` different (room, devices) choices, the n-th using the n-th free room
        and the n-th free device of each kind, so a solver has real alternatives to pick from."""
        end = start + self.visit_seconds
        is_free = self.occupancy.is_free
        rooms = [
            room_id
            for room_id, key in self._ordered(self._room_keys, prefer_room)
            if is_free(key, start, end)
        ]
        if not rooms:
            return []
        per_need: list[list[DeviceHold]] = []
        for need, devices in self.device_needs:
            need_start = start + need.offset_minutes * 60
            need_end = end if need.minutes is None else need_start + need.minutes * 60
            free = [
                (device_id, need.kind, need_start, need_end)
                for device_id, key in self._ordered_many(devices, prefer_devices)
                if is_free(key, need_start, need_end)
            ]
            if not free:
                return []
            per_need.append(free)
        options: list[ResourceChoice] = []
        for n in range(limit):
            if n >= len(rooms) and all(n >= len(free) for free in per_need):
                break
            chosen: list[DeviceHold] = []
            used: set[str] = set()
            for free in per_need:
                pick = next(
                    (d for d in free[n % len(free) :] + free[: n % len(free)] if d[0] not in used),
                    None,
                )
                if pick is None:
                    return options
                used.add(pick[0])
                chosen.append(pick)
            options.append((rooms[n % len(rooms)], tuple(chosen)))
        return options

    @staticmethod
    def _ordered(
        items: tuple[tuple[str, str], ...], preferred: str | None
    ) -> list[tuple[str, str]]:
        if preferred is None:
            return list(items)
        return sorted(items, key=lambda item: item[0] != preferred)

    @staticmethod
    def _ordered_many(
        items: tuple[tuple[str, str], ...], preferred: Sequence[str]
    ) -> list[tuple[str, str]]:
        if not preferred:
            return list(items)
        return sorted(items, key=lambda item: item[0] not in preferred)

    # -- whole placements ------------------------------------------------------------------

    def place(
        self,
        day: date,
        minute: int,
        start: int,
        provider_id: str,
        *,
        prefer_room: str | None = None,
        prefer_devices: Sequence[str] = (),
    ) -> Placement | None:
        """Complete a provider-feasible grid start with a room and devices, if any are free."""
        choice = self.resources_at(start, prefer_room=prefer_room, prefer_devices=prefer_devices)
        if choice is None:
            return None
        room_id, devices = choice
        return Placement(
            day, minute, start, start + self.visit_seconds, provider_id, room_id, devices
        )

    def check_start(
        self,
        start: int,
        provider_id: str,
        *,
        prefer_room: str | None = None,
        prefer_devices: Sequence[str] = (),
    ) -> Placement | str:
        """Place a visit at an exact instant (on or off the grid) with ``provider_id``, or say
        why it cannot go there. Used when the front desk picks a time by hand."""
        moment = from_epoch(start, self.zone)
        day = local_date(moment, self.zone)
        minute = minute_of_day(moment, self.zone)
        end = start + self.visit_seconds
        who = provider_words(self.state, provider_id)
        when = time_words(moment, from_epoch(end, self.zone), self.zone)
        if provider_id not in self.provider_ids:
            try:
                provider = self.state.provider(provider_id)
            except KeyError:
                return "the chosen provider is not on staff"
            if self.request.needs_licensed_provider and not provider.licensed:
                return f"{who} is not licensed to needle this deep (it breaks the skin)"
            return f"{who} lacks a skill or training this visit needs"
        if self.not_before is not None and start < self.not_before:
            return f"{when} is in the past"
        if not self.clinic_open(day):
            return f"the clinic is closed on {day_words(day)}"
        if not any(w0 <= start and end <= w1 for _s, _e, w0, w1 in self.windows(day, provider_id)):
            return f"{when} is outside the opening hours or {who}'s working hours"
        if not self.occupancy.is_free(resource_key(ResourceKind.PROVIDER, provider_id), start, end):
            return f"{who} is absent or already booked at {when}"
        if not self.occupancy.is_free(self.patient_key, start, end):
            return f"the patient already has an appointment at {when}"
        choice = self.resources_at(start, prefer_room=prefer_room, prefer_devices=prefer_devices)
        if choice is None:
            if prefer_room is not None and not self.occupancy.is_free(
                resource_key(ResourceKind.ROOM, prefer_room), start, end
            ):
                return (
                    f"{room_words(self.state, prefer_room)} and every other suitable room "
                    f"or device is taken at {when}"
                )
            return f"no suitable room or device is free at {when}"
        room_id, devices = choice
        return Placement(day, minute, start, end, provider_id, room_id, devices)
