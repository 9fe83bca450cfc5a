"""Each clinic's scheduling index, built once per process and reused by every proposal.

A proposal needs every provider, room and device hold over the days it may touch: tens of
thousands of rows at a busy clinic, the same for every proposal until the book changes. Those
shared holds, indexed (``Occupancy``), are cached per process and per clinic under the clinic's
``ScheduleVersion``, and so is the clinic's set-up (``ClinicSetup``: providers, their rota and
absences, rooms, devices, opening hours, closure days). Every action that writes holds,
absences or set-up bumps the version in its transaction, logging which appointments it changed
and whether it changed the set-up (``ScheduleChange``), so one cheap query per proposal says
whether the cached index is current; when it is not, the holds of the appointments changed
since are reloaded into a copy-on-write fork of the index (or, past the log, every shared hold
is loaded again), and the set-up only when a change since touched it.

Safe across processes (several gunicorn workers, PostgreSQL or SQLite): a write's rows, its
version and its log row commit together, versions commit in order (the version row stays
locked until commit), and a reader reads the version before the rows, so an index is never
older than the version it is filed under. Other patients' own holds are never in it
(they cannot clash with this patient); this patient's holds are read fresh for each proposal.

Only proposals use the cache: booking re-checks every rule against fresh rows inside its
transaction, and the database constraint has the last word.
"""

from __future__ import annotations

import datetime
import gc
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db import DatabaseError, connections
from django.db.models import F, QuerySet
from django.utils import timezone

from cit.clinic.appointments.convert import ClinicSetup, busy_rows, load_setup, search_span
from cit.clinic.appointments.models import (
    HoldKind,
    ResourceHold,
    ScheduleChange,
    ScheduleVersion,
)
from cit.clinic.facilities.models import Clinic
from cit.scheduling import ClinicState, EpochBusy, EpochHold, SeriesRequest, booking_horizon
from cit.scheduling.occupancy import Occupancy

logger = logging.getLogger(__name__)

# A load covers at least this long from the request's start, and a little of the past, so
# the next proposals (other patients, other start days) find their days already loaded.
WINDOW = datetime.timedelta(days=400)
PAST = datetime.timedelta(days=2)
# How many versions of change log a clinic keeps.
LOG_LENGTH = 500


def bump_schedule_version(
    clinic_id: int, appointment_ids: Iterable[int], *, setup: bool = False
) -> None:
    """Say that the clinic's schedule changed: the holds of ``appointment_ids`` (none for an
    absence or a set-up change alone), and its set-up when ``setup`` (an absence, a provider,
    their rota, a room, a device, opening hours, a closure day). Call it as the last write of
    the action's transaction: it locks the clinic's version row until commit, and a
    transaction holding that lock must wait for nothing else (no deadlock with the exclusion
    constraint or with the provider locks bookings take)."""
    bumped = ScheduleVersion.objects.filter(clinic_id=clinic_id)
    if not bumped.update(version=F("version") + 1):
        # The clinic's first change: make the row (a racing creator's is as good), bump it.
        ScheduleVersion.objects.bulk_create(
            [ScheduleVersion(clinic_id=clinic_id)], ignore_conflicts=True
        )
        bumped.update(version=F("version") + 1)
    version = schedule_version(clinic_id)
    ScheduleChange.objects.create(
        clinic_id=clinic_id,
        version=version,
        appointments=sorted(set(appointment_ids)),
        setup=setup,
    )
    if version % LOG_LENGTH == 0:
        ScheduleChange.objects.filter(
            clinic_id=clinic_id, version__lte=version - LOG_LENGTH
        ).delete()


def note_setup_changed(clinic_id: int) -> None:
    """``bump_schedule_version`` for a set-up change that moves no appointment: the last write
    of the set-up action's transaction."""
    bump_schedule_version(clinic_id, [], setup=True)


def schedule_version(clinic_id: int) -> int:
    version = (
        ScheduleVersion.objects.filter(clinic_id=clinic_id)
        .values_list("version", flat=True)
        .first()
    )
    return version or 0


@dataclass(frozen=True)
class SharedHolds:
    """A clinic's active provider, room and device holds over [start, end), as they were at
    ``version``, in their frozen index."""

    version: int
    start: datetime.datetime
    end: datetime.datetime
    index: Occupancy

    @property
    def rows(self) -> tuple[EpochHold, ...]:
        return tuple(self.index.holds())

    def covers(self, start: datetime.datetime, end: datetime.datetime) -> bool:
        return self.start <= start and end <= self.end

    def refreshed(self, version: int, changed: set[int], rows: Iterable[EpochHold]) -> SharedHolds:
        """These holds with those of the ``changed`` appointments replaced by ``rows``."""
        index = self.index.copy()
        index.release({str(pk) for pk in changed})
        for key, start, end, tag in rows:
            index.add(key, start, end, tag)
        return SharedHolds(version, self.start, self.end, index.freeze())


class ScheduleIndexCache:
    """One process's shared holds and set-up, per clinic, each under the version it was
    loaded at."""

    def __init__(self) -> None:
        self._by_clinic: dict[int, SharedHolds] = {}
        self._setups: dict[int, ClinicSetup] = {}
        self._log: tuple[tuple[int, int, int], list[Change] | None] | None = None
        self.loads = 0
        """How often every shared hold was read from the database (tests, benchmarks)."""
        self.refreshes = 0
        """How often only the changed appointments' holds were."""
        self.setup_loads = 0
        """How often the set-up was."""

    def setup(
        self,
        clinic: Clinic,
        start: datetime.datetime | None = None,
        end: datetime.datetime | None = None,
        *,
        version: int | None = None,
    ) -> ClinicSetup:
        """The clinic's set-up as of ``version`` (read now when not given), with the absences
        over [start, end) when given (else over the next proposals' days)."""
        if version is None:
            version = schedule_version(clinic.pk)
        now = timezone.now()
        # Without days asked, any set-up that covers the next months will do.
        wanted_start, wanted_end = start or now, end or now + WINDOW / 2
        cached = self._setups.get(clinic.pk)
        if cached is not None and cached.covers(wanted_start, wanted_end):
            if cached.version >= version:
                return cached
            changes = self._changes_since(clinic.pk, cached.version, version)
            if changes is not None and not any(setup for _, setup in changes):
                current = self._setups[clinic.pk] = cached.at_version(version)
                return current
        lower = min(wanted_start, now - PAST)
        upper = max(wanted_end, wanted_start + WINDOW)
        loaded = self._setups[clinic.pk] = load_setup(clinic, lower, upper, version=version)
        self.setup_loads += 1
        return loaded

    def shared_holds(
        self,
        clinic: Clinic,
        start: datetime.datetime,
        end: datetime.datetime,
        *,
        version: int | None = None,
    ) -> SharedHolds:
        """The clinic's shared holds over [start, end) as of ``version`` (read now when not
        given) or later."""
        # The version first: holds read after it are at least that new (see the module doc).
        if version is None:
            version = schedule_version(clinic.pk)
        cached = self._by_clinic.get(clinic.pk)
        if cached is not None and cached.version >= version and cached.covers(start, end):
            return cached
        if cached is not None and cached.version < version and cached.covers(start, end):
            changes = self._changes_since(clinic.pk, cached.version, version)
            if changes is not None:
                changed = {pk for appointments, _ in changes for pk in appointments}
                changed_rows = busy_rows(
                    _shared(clinic, cached.start, cached.end).filter(appointment_id__in=changed)
                )
                refreshed = cached.refreshed(version, changed, changed_rows)
                self._by_clinic[clinic.pk] = refreshed
                self.refreshes += 1
                return refreshed
        lower = min(start, timezone.now() - PAST)
        upper = max(end, start + WINDOW)
        if cached is not None and cached.version == version:
            lower, upper = min(lower, cached.start), max(upper, cached.end)
        rows = tuple(busy_rows(_shared(clinic, lower, upper)))
        loaded = SharedHolds(version, lower, upper, Occupancy.from_holds(rows).freeze())
        self._by_clinic[clinic.pk] = loaded
        self.loads += 1
        return loaded

    def _changes_since(self, clinic_id: int, old: int, new: int) -> list[Change] | None:
        """``changes_since``, remembered for the last range asked: the holds and the set-up
        of a clinic are usually behind by the same versions."""
        key = (clinic_id, old, new)
        if self._log is None or self._log[0] != key:
            self._log = (key, changes_since(clinic_id, old, new))
        return self._log[1]

    def clear(self) -> None:
        self._by_clinic.clear()
        self._setups.clear()
        self._log = None


def _shared(
    clinic: Clinic, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[ResourceHold]:
    """The clinic's active holds over [start, end) but patients' own."""
    return ResourceHold.objects.filter(
        clinic=clinic, active=True, start__lt=end, end__gt=start
    ).exclude(kind=HoldKind.PATIENT)


Change = tuple[list[int], bool]
"""One logged version: the appointments whose holds it changed, and whether it changed the
set-up."""


def changes_since(clinic_id: int, old: int, new: int) -> list[Change] | None:
    """What versions (old, new] changed; None when the log no longer has every one of them."""
    changes = [
        ([int(pk) for pk in appointments], setup)
        for appointments, setup in ScheduleChange.objects.filter(
            clinic_id=clinic_id, version__gt=old, version__lte=new
        ).values_list("appointments", "setup")
    ]
    if len(changes) != new - old:
        return None
    return changes


PROCESS_CACHE = ScheduleIndexCache()


def warm_up(cache: ScheduleIndexCache | None = None) -> int:
    """Load every active clinic's set-up and shared holds over the next proposals' days into
    ``cache`` (the process's), as a first proposal would; returns how many clinics."""
    cache = cache or PROCESS_CACHE
    now = timezone.now()
    warmed = 0
    for clinic in Clinic.objects.active():
        setup = cache.setup(clinic)
        cache.shared_holds(clinic, now, now, version=setup.version)
        warmed += 1
    return warmed


def warm_up_in_background() -> threading.Thread:
    """``warm_up`` in a thread of its own, for a web worker that has just started: without it
    the first proposal each worker serves reads every shared hold (0.4 s at a busy clinic).
    Requests are served meanwhile; one that needs a clinic not yet loaded loads it itself."""

    def run() -> None:
        try:
            warm_up()
            # What is loaded by now (modules, the indexes) lives as long as the worker: frozen,
            # the garbage collector's full collections, now and then in the middle of a
            # request, no longer walk it (0.1-0.2 s each at the 100k bench clinic). O(1);
            # reference counting still frees what is dropped.
            gc.freeze()
        except DatabaseError:
            logger.warning("The scheduling index was not warmed up: the database is unreachable.")
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=run, name="schedule-index-warm-up", daemon=True)
    thread.start()
    return thread


def clinic_setup(clinic: Clinic) -> ClinicSetup:
    """The clinic's current set-up, from this process's cache: one query when it is current.
    Give it to ``state_for_search`` so the request reads the version once."""
    return PROCESS_CACHE.setup(clinic)


def state_for_search(
    clinic: Clinic,
    search: SeriesRequest,
    *,
    today: datetime.date,
    cache: ScheduleIndexCache | None = None,
    setup: ClinicSetup | None = None,
) -> ClinicState:
    """The clinic state one patient's search needs: the days it can touch
    (``booking_horizon``), from the clinic's cached index and set-up (``setup``, when the
    request already has it) plus this patient's own holds."""
    cache = cache or PROCESS_CACHE
    first, last = booking_horizon(search)
    start, end = search_span(clinic, first, last)
    if setup is None or not setup.covers(start, end):
        setup = cache.setup(clinic, start, end, version=setup.version if setup else None)
    shared = cache.shared_holds(clinic, start, end, version=setup.version)
    own = busy_rows(
        ResourceHold.objects.filter(
            clinic=clinic,
            active=True,
            resource=f"{HoldKind.PATIENT.value}:{search.patient_id}",
            start__lt=end,
            end__gt=start,
        )
    )
    # Validation and re-plans iterate ``busy``; a search only asks the index.
    busy = EpochBusy.when_asked(lambda: (*shared.index.holds(), *own))
    state = replace(setup.state(clinic, start, end, today=today), busy=busy)
    return state.on_shared_index(shared.index, own)
