"""Each clinic's scheduling index, built once per process and reused by every proposal.

A proposal needs every provider, room and device hold over the days it may touch: tens of
thousands of rows at a busy clinic, the same for every proposal until the book changes. Those
shared holds, indexed (``Occupancy``), are cached per process and per clinic under the clinic's
``ScheduleVersion``. Every action that writes holds or absences bumps the version as the last
write of its transaction, so one cheap query per proposal says whether the cached index is
current; when it is not, the shared holds are loaded again.

Safe across processes (several gunicorn workers, PostgreSQL or SQLite): a write's holds and
its version commit together, and a reader reads the version before the holds, so an index is
never older than the version it is filed under. Other patients' own holds are never in it
(they cannot clash with this patient); this patient's holds, the providers, their absences,
rooms, devices and closures are read fresh for each proposal (a few small queries).

Only proposals use the cache: booking re-checks every rule against fresh rows inside its
transaction, and the database constraint has the last word.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.db.models import F
from django.utils import timezone

from cit.clinic.appointments.convert import busy_rows, resource_state, search_span
from cit.clinic.appointments.models import HoldKind, ResourceHold, ScheduleVersion
from cit.clinic.facilities.models import Clinic
from cit.scheduling import ClinicState, EpochBusy, EpochHold, SeriesRequest, booking_horizon
from cit.scheduling.occupancy import Occupancy

# A load covers at least this long from the request's start, and a little of the past, so
# the next proposals (other patients, other start days) find their days already loaded.
WINDOW = datetime.timedelta(days=400)
PAST = datetime.timedelta(days=2)


def bump_schedule_version(clinic_id: int) -> None:
    """Say that the clinic's held time changed. Call it as the last write of the action's
    transaction: it locks the clinic's version row until commit, and a transaction holding
    that lock must wait for nothing else (no deadlock with the exclusion constraint)."""
    if ScheduleVersion.objects.filter(clinic_id=clinic_id).update(version=F("version") + 1):
        return
    # The clinic's first change: make the row (a racing creator's row is as good), bump it.
    ScheduleVersion.objects.bulk_create(
        [ScheduleVersion(clinic_id=clinic_id)], ignore_conflicts=True
    )
    ScheduleVersion.objects.filter(clinic_id=clinic_id).update(version=F("version") + 1)


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


class ScheduleIndexCache:
    """One process's shared holds, per clinic, each under the version it was loaded at."""

    def __init__(self) -> None:
        self._by_clinic: dict[int, SharedHolds] = {}
        self.loads = 0
        """How often holds were read from the database (for tests and benchmarks)."""

    def shared_holds(
        self, clinic: Clinic, start: datetime.datetime, end: datetime.datetime
    ) -> SharedHolds:
        # The version first: holds read after it are at least that new (see the module doc).
        version = schedule_version(clinic.pk)
        cached = self._by_clinic.get(clinic.pk)
        if cached is not None and cached.version == version and cached.covers(start, end):
            return cached
        lower = min(start, timezone.now() - PAST)
        upper = max(end, start + WINDOW)
        if cached is not None and cached.version == version:
            lower, upper = min(lower, cached.start), max(upper, cached.end)
        rows = tuple(
            busy_rows(
                ResourceHold.objects.filter(
                    clinic=clinic, active=True, start__lt=upper, end__gt=lower
                ).exclude(kind=HoldKind.PATIENT)
            )
        )
        loaded = SharedHolds(version, lower, upper, rows, Occupancy.from_holds(rows).freeze())
        self._by_clinic[clinic.pk] = loaded
        self.loads += 1
        return loaded

    def clear(self) -> None:
        self._by_clinic.clear()


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
