"""Each clinic's scheduling index, built once per process and reused by every proposal.

A proposal needs every provider, room and device hold over the days it may touch: tens of
thousands of rows at a busy clinic, the same for every proposal until the book changes. Those
shared holds, indexed (``Occupancy``), are cached per process and per clinic under the clinic's
``ScheduleVersion``. Every action that writes holds or absences bumps the version as the last
write of its transaction, logging which appointments it changed (``ScheduleChange``), so one
cheap query per proposal says whether the cached index is current; when it is not, the holds
of the appointments changed since are reloaded into a copy-on-write fork of the index (or,
past the log, every shared hold is loaded again).

Safe across processes (several gunicorn workers, PostgreSQL or SQLite): a write's holds, its
version and its log row commit together, versions commit in order (the version row stays
locked until commit), and a reader reads the version before the holds, so an index is never
older than the version it is filed under. Other patients' own holds are never in it
(they cannot clash with this patient); this patient's holds, the providers, their absences,
rooms, devices and closures are read fresh for each proposal (a few small queries).

Only proposals use the cache: booking re-checks every rule against fresh rows inside its
transaction, and the database constraint has the last word.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import F, QuerySet
from django.utils import timezone

from cit.clinic.appointments.convert import busy_rows, resource_state, search_span
from cit.clinic.appointments.models import (
    HoldKind,
    ResourceHold,
    ScheduleChange,
    ScheduleVersion,
)
from cit.clinic.facilities.models import Clinic
from cit.scheduling import ClinicState, EpochBusy, EpochHold, SeriesRequest, booking_horizon
from cit.scheduling.occupancy import Occupancy

# A load covers at least this long from the request's start, and a little of the past, so
# the next proposals (other patients, other start days) find their days already loaded.
WINDOW = datetime.timedelta(days=400)
PAST = datetime.timedelta(days=2)
# How many versions of change log a clinic keeps.
LOG_LENGTH = 500


def bump_schedule_version(clinic_id: int, appointment_ids: Iterable[int]) -> None:
    """Say that the clinic's held time changed: the holds of ``appointment_ids`` (none for
    an absence alone). Call it as the last write of the action's transaction: it locks the
    clinic's version row until commit, and a transaction holding that lock must wait for
    nothing else (no deadlock with the exclusion constraint)."""
    bumped = ScheduleVersion.objects.filter(clinic_id=clinic_id)
    if not bumped.update(version=F("version") + 1):
        # The clinic's first change: make the row (a racing creator's is as good), bump it.
        ScheduleVersion.objects.bulk_create(
            [ScheduleVersion(clinic_id=clinic_id)], ignore_conflicts=True
        )
        bumped.update(version=F("version") + 1)
    version = schedule_version(clinic_id)
    ScheduleChange.objects.create(
        clinic_id=clinic_id, version=version, appointments=sorted(set(appointment_ids))
    )
    if version % LOG_LENGTH == 0:
        ScheduleChange.objects.filter(
            clinic_id=clinic_id, version__lte=version - LOG_LENGTH
        ).delete()


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
    ``version``, and their frozen index."""

    version: int
    start: datetime.datetime
    end: datetime.datetime
    rows: tuple[EpochHold, ...]
    index: Occupancy

    def covers(self, start: datetime.datetime, end: datetime.datetime) -> bool:
        return self.start <= start and end <= self.end

    def refreshed(self, version: int, changed: set[int], rows: Iterable[EpochHold]) -> SharedHolds:
        """These holds with those of the ``changed`` appointments replaced by ``rows``."""
        tags = {str(pk) for pk in changed}
        fresh = tuple(rows)
        index = self.index.copy()
        index.release(tags)
        for key, start, end, tag in fresh:
            index.add(key, start, end, tag)
        kept = tuple(row for row in self.rows if row[3] not in tags)
        return SharedHolds(version, self.start, self.end, kept + fresh, index.freeze())


class ScheduleIndexCache:
    """One process's shared holds, per clinic, each under the version it was loaded at."""

    def __init__(self) -> None:
        self._by_clinic: dict[int, SharedHolds] = {}
        self.loads = 0
        """How often every shared hold was read from the database (tests, benchmarks)."""
        self.refreshes = 0
        """How often only the changed appointments' holds were."""

    def shared_holds(
        self, clinic: Clinic, start: datetime.datetime, end: datetime.datetime
    ) -> SharedHolds:
        # The version first: holds read after it are at least that new (see the module doc).
        version = schedule_version(clinic.pk)
        cached = self._by_clinic.get(clinic.pk)
        if cached is not None and cached.version == version and cached.covers(start, end):
            return cached
        if cached is not None and cached.version < version and cached.covers(start, end):
            changed = _changed_since(clinic.pk, cached.version, version)
            if changed is not None:
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
        loaded = SharedHolds(version, lower, upper, rows, Occupancy.from_holds(rows).freeze())
        self._by_clinic[clinic.pk] = loaded
        self.loads += 1
        return loaded

    def clear(self) -> None:
        self._by_clinic.clear()


def _shared(
    clinic: Clinic, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[ResourceHold]:
    """The clinic's active holds over [start, end) but patients' own."""
    return ResourceHold.objects.filter(
        clinic=clinic, active=True, start__lt=end, end__gt=start
    ).exclude(kind=HoldKind.PATIENT)


def _changed_since(clinic_id: int, old: int, new: int) -> set[int] | None:
    """The appointments whose holds versions (old, new] changed; None when the log no longer
    has every one of them."""
    changes = list(
        ScheduleChange.objects.filter(
            clinic_id=clinic_id, version__gt=old, version__lte=new
        ).values_list("appointments", flat=True)
    )
    if len(changes) != new - old:
        return None
    return {int(pk) for appointments in changes for pk in appointments}


PROCESS_CACHE = ScheduleIndexCache()


def state_for_search(
    clinic: Clinic,
    search: SeriesRequest,
    *,
    today: datetime.date,
    cache: ScheduleIndexCache | None = None,
) -> ClinicState:
    """The clinic state one patient's search needs: the days it can touch
    (``booking_horizon``), from the clinic's cached index plus this patient's own holds."""
    first, last = booking_horizon(search)
    start, end = search_span(clinic, first, last)
    shared = (cache or PROCESS_CACHE).shared_holds(clinic, start, end)
    own = busy_rows(
        ResourceHold.objects.filter(
            clinic=clinic,
            active=True,
            resource=f"{HoldKind.PATIENT.value}:{search.patient_id}",
            start__lt=end,
            end__gt=start,
        )
    )
    state = replace(
        resource_state(clinic, start, end, today=today), busy=EpochBusy(shared.rows + tuple(own))
    )
    return state.on_shared_index(shared.index, own)
