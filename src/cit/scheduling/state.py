"""A snapshot of one clinic's resources and bookings, indexed once and reused."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import overload
from zoneinfo import ZoneInfo

from cit.scheduling.localtime import to_epoch, to_epoch_ceil
from cit.scheduling.occupancy import Occupancy, resource_key
from cit.scheduling.types import (
    BusyInterval,
    Clinic,
    Device,
    Provider,
    ResourceKind,
    ResourceRef,
    Room,
    TimeRange,
)

EpochHold = tuple[str, int, int, str | None]
"""A hold as a database returns it cheaply: resource key ("room:3"), start and end in epoch
seconds, and the id of the appointment holding it."""


class EpochBusy(Sequence[BusyInterval]):
    """``ClinicState.busy`` from plain numbers. The occupancy index reads the numbers
    directly; ``BusyInterval`` objects are made only when someone iterates (validation,
    re-plans), so a proposal over a busy clinic's horizon never builds them."""

    __slots__ = ("_rows", "_read", "_intervals")

    def __init__(self, rows: Iterable[EpochHold]) -> None:
        self._rows: tuple[EpochHold, ...] | None = tuple(rows)
        self._read: Callable[[], Iterable[EpochHold]] | None = None
        self._intervals: tuple[BusyInterval, ...] | None = None

    @classmethod
    def when_asked(cls, read: Callable[[], Iterable[EpochHold]]) -> EpochBusy:
        """Rows ``read`` only if someone asks for them: a search on a cached index never
        does."""
        busy = cls(())
        busy._rows, busy._read = None, read
        return busy

    @property
    def rows(self) -> tuple[EpochHold, ...]:
        if self._rows is None:
            assert self._read is not None
            self._rows, self._read = tuple(self._read()), None
        return self._rows

    def _all(self) -> tuple[BusyInterval, ...]:
        if self._intervals is None:
            self._intervals = tuple(_interval(row) for row in self.rows)
        return self._intervals

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> BusyInterval: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[BusyInterval]: ...

    def __getitem__(self, index: int | slice) -> BusyInterval | Sequence[BusyInterval]:
        return self._all()[index]

    def __iter__(self) -> Iterator[BusyInterval]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EpochBusy):
            return self.rows == other.rows
        if isinstance(other, Sequence):
            return self._all() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _interval(row: EpochHold) -> BusyInterval:
    key, start, end, appointment_id = row
    kind, resource_id = key.split(":", 1)
    return BusyInterval(
        ResourceRef(ResourceKind(kind), resource_id),
        datetime.fromtimestamp(start, UTC),
        datetime.fromtimestamp(end, UTC),
        appointment_id,
    )


@dataclass(frozen=True, slots=True)
class ClinicState:
    """Everything the search must respect: the clinic, its providers, rooms and devices, and
    ``busy``, one row per resource held by an existing appointment or block.

    The occupancy index is built on first use and cached, so one snapshot can answer many
    ``find_series`` calls; build a new snapshot (or use ``with_changes``) after bookings change.
    """

    clinic: Clinic
    providers: tuple[Provider, ...]
    rooms: tuple[Room, ...]
    devices: tuple[Device, ...]
    busy: Sequence[BusyInterval] = ()
    _index: list[Occupancy] = field(default_factory=list, init=False, repr=False, compare=False)
    _providers_by_id: dict[str, Provider] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for kind, ids in (
            ("provider", [p.id for p in self.providers]),
            ("room", [r.id for r in self.rooms]),
            ("device", [d.id for d in self.devices]),
        ):
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate {kind} ids")
        self._providers_by_id.update((p.id, p) for p in self.providers)

    @property
    def zone(self) -> ZoneInfo:
        return self.clinic.zone

    def provider(self, provider_id: str) -> Provider:
        try:
            return self._providers_by_id[provider_id]
        except KeyError:
            raise KeyError(f"unknown provider {provider_id!r}") from None

    def occupancy(self) -> Occupancy:
        """The shared, read-only index of ``busy`` plus provider absences; ``copy()`` to write."""
        if not self._index:
            self._index.append(_build_index(self.busy, self.providers).freeze())
        return self._index[0]

    def on_shared_index(self, shared: Occupancy, own: Iterable[EpochHold]) -> ClinicState:
        """This snapshot answering from ``shared``: an index of every hold in ``busy`` except
        ``own``, built once and reused by many requests (a clinic's cached index). Only
        ``own`` and the providers' absences are indexed here, on a copy-on-write fork."""
        if self._index:
            raise ValueError("this snapshot is already indexed")
        index = shared.copy()
        for key, start, end, appointment_id in own:
            index.add(key, start, end, appointment_id)
        for provider in self.providers:
            key = resource_key(ResourceKind.PROVIDER, provider.id)
            for absence in provider.absences:
                index.add(key, to_epoch(absence.start), to_epoch_ceil(absence.end))
        self._index.append(index.freeze())
        return self

    def with_changes(
        self,
        *,
        add: Iterable[BusyInterval] = (),
        release: Collection[str] = (),
    ) -> ClinicState:
        """A new snapshot with the holds of appointments ``release`` removed and ``add`` added.

        Reuses this snapshot's index (copy-on-write) instead of re-indexing every booking.
        """
        added = tuple(add)
        released = frozenset(release)
        kept = (
            tuple(b for b in self.busy if b.appointment_id not in released)
            if released
            else tuple(self.busy)
        )
        changed = replace(self, busy=kept + added)
        if self._index:
            index = self._index[0].copy()
            index.release(released)
            for hold in added:
                index.add(
                    hold.resource.key,
                    to_epoch(hold.start),
                    to_epoch_ceil(hold.end),
                    hold.appointment_id,
                )
            changed._index.append(index.freeze())
        return changed

    def with_absence(self, provider_id: str, absence: TimeRange) -> ClinicState:
        """A new snapshot in which ``provider_id`` is also away during ``absence``."""
        provider = self.provider(provider_id)
        updated = replace(provider, absences=provider.absences + (absence,))
        providers = tuple(updated if p.id == provider_id else p for p in self.providers)
        changed = replace(self, providers=providers)
        if self._index:
            index = self._index[0].copy()
            index.add(
                resource_key(ResourceKind.PROVIDER, provider_id),
                to_epoch(absence.start),
                to_epoch_ceil(absence.end),
            )
            changed._index.append(index.freeze())
        return changed


def _build_index(busy: Iterable[BusyInterval], providers: Iterable[Provider]) -> Occupancy:
    # Inlined epoch arithmetic: this loop runs once per hold of the whole book.
    floor, ceil = math.floor, math.ceil
    holds: list[EpochHold] = (
        list(busy.rows)
        if isinstance(busy, EpochBusy)
        else [
            (b.resource.key, floor(b.start.timestamp()), ceil(b.end.timestamp()), b.appointment_id)
            for b in busy
        ]
    )
    # An absence blocks a provider exactly like a booking does, but is never released.
    for provider in providers:
        key = resource_key(ResourceKind.PROVIDER, provider.id)
        holds.extend(
            (key, to_epoch(a.start), to_epoch_ceil(a.end), None) for a in provider.absences
        )
    return Occupancy.from_holds(holds)
