"""Who is due for maintenance, and booking their one maintenance session.

After the last session of a booked treatment series has been held, the patient is due for one
maintenance session in the window the accepted plan gives (its maintenance interval, counted
from that last session; a maintenance session held restarts the count). A patient with a
maintenance session already booked, or archived, is not due. Booking goes through the series
search with a one-session request and ``booking.do_book_proposal`` (one booking path).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.appointments.convert import (
    AddMonths,
    PlanMaintenanceMonths,
    maintenance_due_after,
    maintenance_request,
)
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
from cit.scheduling.maintenance import DUE_SOON_DAYS, DueState, MaintenanceDue

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


@dataclass(frozen=True)
class DueSeries:
    """One plan series due for maintenance, without its rows read: enough to sort and
    count the list; ``entries_for`` reads the plan and patient of the rows shown."""

    plan_id: int
    series_index: int
    family_name: str
    due: MaintenanceDue
    state: DueState | None


def _finished_series(
    clinic: Clinic, now: datetime.datetime, plan_ids: list[int] | None
) -> QuerySet[SeriesBooking]:
    """The booked treatment series of the clinic (patient not archived) that are over,
    annotated with the clinic day of their last visit held (treatment or maintenance),
    ``last_held``. Over means no visit is still to come and at least one was held. The
    database groups the visits, so one row is read per series, not one per visit."""
    active_series = SeriesBooking.objects.filter(
        clinic=clinic,
        kind=SeriesKind.TREATMENT,
        status=SeriesStatus.BOOKED,
        patient__archived_at__isnull=True,
    )
    if plan_ids is not None:
        active_series = active_series.filter(plan_id__in=plan_ids)
    same_series = Q(
        series__plan_id=OuterRef("plan_id"), series__series_index=OuterRef("series_index")
    )
    # The series' own visits, and its maintenance sessions (kept whatever their status).
    visits = Appointment.objects.filter(
        same_series,
        Q(series__kind=SeriesKind.MAINTENANCE) | Q(series__status=SeriesStatus.BOOKED),
        series__kind__in=(SeriesKind.TREATMENT, SeriesKind.MAINTENANCE),
    )
    held = visits.filter(
        Q(status=AppointmentStatus.COMPLETED) | Q(status__in=HOLDING_STATUSES, end__lte=now)
    )
    last_held = (
        held.annotate(day=TruncDate("start", tzinfo=clinic.tzinfo))
        .order_by("-day")
        .values("day")[:1]
    )
    to_come = visits.filter(status__in=NOT_YET_HELD, end__gt=now)
    finished: QuerySet[SeriesBooking] = (
        active_series.annotate(last_held=Subquery(last_held))
        .filter(last_held__isnull=False)
        .exclude(Exists(to_come))
    )
    return finished


# One row per due series, in the list's order: (plan id, series index, last held, family name).
DueRow = tuple[int, int, datetime.date, str]


def due_rows(
    clinic: Clinic,
    *,
    now: datetime.datetime | None = None,
    states: frozenset[DueState] | None = frozenset(DueState),
    plan_ids: list[int] | None = None,
) -> QuerySet[SeriesBooking, DueRow]:
    """The rows of ``due_series``, filtered and ordered by the database (the window counted
    from the plan's months there), so a page or a count reads no more than it shows."""
    now = now or timezone.now()
    today = clinic.today(now)
    rows = (
        _finished_series(clinic, now, plan_ids)
        .annotate(
            months_low=PlanMaintenanceMonths("plan__accepted", "series_index", "low"),
            months_high=PlanMaintenanceMonths("plan__accepted", "series_index", "high"),
            months_target=PlanMaintenanceMonths("plan__accepted", "series_index", "target"),
        )
        # A plan accepted before maintenance was part of it has none: it is never due.
        .filter(months_low__isnull=False, months_high__isnull=False, months_target__isnull=False)
        .annotate(
            opens=AddMonths(F("last_held"), F("months_low")),
            closes=AddMonths(F("last_held"), F("months_high")),
        )
        .annotate(
            state_order=Case(
                *(
                    When(condition, then=Value(STATE_ORDER[state]))
                    for state, condition in (
                        (DueState.OVERDUE, Q(closes__lt=today)),
                        (DueState.NOW, Q(opens__lte=today)),
                        (
                            DueState.SOON,
                            Q(opens__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)),
                        ),
                    )
                ),
                default=Value(len(STATE_ORDER)),
                output_field=IntegerField(),
            )
        )
    )
    if states is not None:
        rows = rows.filter(state_order__in=[STATE_ORDER[state] for state in states])
    return (
        rows.order_by("state_order", "opens", "patient__family_name", "plan_id", "series_index")
        .values_list("plan_id", "series_index", "last_held", "patient__family_name")
        .distinct()
    )


def due_series_of(
    clinic: Clinic, rows: Sequence[DueRow], now: datetime.datetime
) -> list[DueSeries]:
    """``rows`` of ``due_rows`` (a page of them) with their windows, their plans read in one
    query."""
    today = clinic.today(now)
    wanted = sorted({plan_id for plan_id, *_rest in rows})
    plans = {
        p.pk: p
        for p in TreatmentPlanRecord.objects.only("accepted").filter(pk__in=wanted).order_by()
    }
    found = []
    for plan_id, index, last, family_name in rows:
        due = maintenance_due_after(plans[plan_id], index, last)
        found.append(DueSeries(plan_id, index, family_name, due, due.state(today)))
    return found


def due_series(
    clinic: Clinic,
    *,
    now: datetime.datetime | None = None,
    states: frozenset[DueState] | None = frozenset(DueState),
    plan_ids: list[int] | None = None,
) -> list[DueSeries]:
    """The clinic's plan series due for maintenance in ``states`` (None: every finished
    series, the window however far off): overdue first, then due now, then due soon, each
    by the day the window opens."""
    now = now or timezone.now()
    rows = list(due_rows(clinic, now=now, states=states, plan_ids=plan_ids))
    return due_series_of(clinic, rows, now)


def entries_for(due: Sequence[DueSeries]) -> list[MaintenanceEntry]:
    """The entries of ``due`` (a page of it), their plans and patients read in one query."""
    wanted = TreatmentPlanRecord.objects.filter(pk__in=[d.plan_id for d in due]).order_by()
    plans = {p.pk: p for p in wanted.select_related("patient")}
    return [
        MaintenanceEntry(plans[d.plan_id].patient, plans[d.plan_id], d.series_index, d.due, d.state)
        for d in due
    ]


def maintenance_entries(
    clinic: Clinic,
    *,
    now: datetime.datetime | None = None,
    states: frozenset[DueState] | None = frozenset(DueState),
    plan_ids: list[int] | None = None,
) -> list[MaintenanceEntry]:
    """Every entry of ``due_series`` (same arguments, same order), with its plan and
    patient."""
    return entries_for(due_series(clinic, now=now, states=states, plan_ids=plan_ids))


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
