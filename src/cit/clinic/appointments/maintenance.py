"""Who is due for maintenance, and booking their one maintenance session.

After the last session of a booked treatment series has been held, the patient is due for one
maintenance session in the window the accepted plan gives (its maintenance interval, counted
from that last session; a maintenance session held restarts the count). A patient with a
maintenance session already booked, or archived, is not due. Booking goes through the series
search with a one-session request and ``booking.do_book_proposal`` (one booking path).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.appointments.convert import maintenance_due_after, maintenance_request
from cit.clinic.appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    SeriesBooking,
    SeriesKind,
    SeriesStatus,
)
from cit.clinic.appointments.proposals import sign_proposal
from cit.clinic.appointments.schedule_index import state_for_search
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.facilities.models import Clinic
from cit.clinic.patients.models import Patient
from cit.clinic.plans.models import TreatmentPlanRecord
from cit.scheduling import (
    BookedSession,
    PatientPreferences,
    SchedulingFailure,
    find_series,
)
from cit.scheduling.maintenance import DueState, MaintenanceDue

# Visits still to come (or under way): while one is there, the series is not over.
NOT_YET_HELD = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.IN_TREATMENT)
# An overdue patient is offered the first free times within this many days.
_OVERDUE_SEARCH = datetime.timedelta(days=60)
STATE_ORDER = {DueState.OVERDUE: 0, DueState.NOW: 1, DueState.SOON: 2}


@dataclass(frozen=True)
class MaintenanceEntry:
    patient: Patient
    plan: TreatmentPlanRecord
    series_index: int
    due: MaintenanceDue
    state: DueState | None


def _held(appointment: Appointment, now: datetime.datetime) -> bool:
    """The session took place: completed, or its time is over and it was not missed."""
    return appointment.status == AppointmentStatus.COMPLETED or (
        appointment.status in HOLDING_STATUSES and appointment.end <= now
    )


def _due_from(
    plan: TreatmentPlanRecord,
    series_index: int,
    appointments: list[Appointment],
    now: datetime.datetime,
) -> MaintenanceDue | None:
    """The next maintenance window of one plan series, from its visits (treatment and
    maintenance); None while a visit is still to come or none was held."""
    if any(a.status in NOT_YET_HELD and a.end > now for a in appointments):
        return None
    held = [a for a in appointments if _held(a, now)]
    if not held:
        return None
    last = max(a.local_start().date() for a in held)
    try:
        return maintenance_due_after(plan, series_index, last)
    except LookupError:
        return None  # an accepted plan written before maintenance was part of it


def _visits_by_series(
    clinic: Clinic, plan_ids: list[int] | None = None
) -> dict[tuple[int, int], list[Appointment]]:
    """Every visit of the clinic's booked treatment series and their maintenance sessions,
    grouped by (plan, series index)."""
    active_series = SeriesBooking.objects.filter(
        clinic=clinic,
        kind=SeriesKind.TREATMENT,
        status=SeriesStatus.BOOKED,
        patient__archived_at__isnull=True,
    )
    if plan_ids is not None:
        active_series = active_series.filter(plan_id__in=plan_ids)
    keys = set(active_series.values_list("plan_id", "series_index"))
    grouped: dict[tuple[int, int], list[Appointment]] = defaultdict(list)
    if not keys:
        return grouped
    visits = Appointment.objects.filter(
        series__plan_id__in={plan for plan, _ in keys},
        series__kind__in=(SeriesKind.TREATMENT, SeriesKind.MAINTENANCE),
    ).select_related("series", "clinic")
    for visit in visits:
        key = (visit.series.plan_id, visit.series.series_index)
        kept = visit.series.kind == SeriesKind.MAINTENANCE
        if key in keys and (kept or visit.series.status == SeriesStatus.BOOKED):
            grouped[key].append(visit)
    for key in keys:
        grouped.setdefault(key, [])
    return grouped


def maintenance_entries(
    clinic: Clinic,
    *,
    now: datetime.datetime | None = None,
    states: frozenset[DueState] | None = frozenset(DueState),
    plan_ids: list[int] | None = None,
) -> list[MaintenanceEntry]:
    """The clinic's patients due for maintenance in ``states`` (None: every finished series,
    the window however far off): overdue first, then due now, then due soon, each by the day
    the window opens."""
    now = now or timezone.now()
    today = clinic.today(now)
    grouped = _visits_by_series(clinic, plan_ids)
    plans = {
        p.pk: p
        for p in TreatmentPlanRecord.objects.filter(
            pk__in={plan for plan, _ in grouped}
        ).select_related("patient")
    }
    entries = []
    for (plan_id, index), visits in grouped.items():
        plan = plans[plan_id]
        due = _due_from(plan, index, visits, now)
        if due is None:
            continue
        state = due.state(today)
        if states is None or state in states:
            entries.append(MaintenanceEntry(plan.patient, plan, index, due, state))
    entries.sort(
        key=lambda e: (
            STATE_ORDER.get(e.state, 3) if e.state else 3,
            e.due.opens,
            e.patient.family_name,
            e.plan.pk,
            e.series_index,
        )
    )
    return entries


def maintenance_entry(
    plan: TreatmentPlanRecord, series_index: int, now: datetime.datetime | None = None
) -> MaintenanceEntry | None:
    """The maintenance due of one plan series (whatever its state), or None when none is."""
    found = [
        e
        for e in maintenance_entries(
            plan.patient.clinic,
            now=now,
            states=None,
            plan_ids=[plan.pk],
        )
        if e.series_index == series_index
    ]
    return found[0] if found else None


@dataclass(frozen=True)
class MaintenanceProposals:
    entry: MaintenanceEntry
    sessions: tuple[BookedSession, ...]
    tokens: tuple[str, ...]
    failure: SchedulingFailure | None


def propose_maintenance(
    *,
    entry: MaintenanceEntry,
    now: datetime.datetime | None = None,
    from_day: datetime.date | None = None,
    preferences: PatientPreferences | None = None,
    alternatives: int = 3,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> MaintenanceProposals:
    """One maintenance session inside the due window: the series search's best times (from
    ``from_day`` on when given, e.g. the day of a free block clicked)."""
    now = now or timezone.now()
    clinic = entry.patient.clinic
    today = clinic.today(now)
    if entry.due.closes < today:
        # Overdue: the window has passed; offer the first times from today on instead.
        due = MaintenanceDue(entry.due.last_session, today, today, today + _OVERDUE_SEARCH)
    else:
        due = entry.due
    search = maintenance_request(
        entry.plan,
        entry.series_index,
        due,
        today=min(max(today, from_day or today), due.closes),
        preferences=preferences,
    )
    state = state_for_search(clinic, search, today=today)
    result = find_series(search, state, not_before=now, alternatives=alternatives)
    stored = maintenance_request(entry.plan, entry.series_index, due, today=today)
    tokens = tuple(
        sign_proposal(
            patient=entry.patient,
            plan=entry.plan,
            series_index=entry.series_index,
            kind=SeriesKind.MAINTENANCE,
            stored=stored,
            sessions=proposal.sessions,
        )
        for proposal in result.proposals
    )
    record_event(
        request,
        AuditAction.VIEW,
        actor=actor,
        patient=entry.patient,
        obj=entry.plan,
        detail={
            "proposed_maintenance": entry.series_index,
            "window": [due.opens.isoformat(), due.closes.isoformat()],
            "proposals": len(result.proposals),
        },
    )
    return MaintenanceProposals(
        entry,
        tuple(p.sessions[0] for p in result.proposals),
        tokens,
        result.failure,
    )
