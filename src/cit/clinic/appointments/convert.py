"""ORM ↔ scheduling core: the one place rows become ``ClinicState``/``SeriesRequest`` and back.

A request loads only the holds inside the days it can touch (``booking_horizon`` plus a day's
margin), not the clinic's whole book, so building the state stays cheap as the book grows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    BigIntegerField,
    CharField,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast

from cit.clinic.accounts.models import Provider, ProviderWorkingHours, may_break_skin
from cit.clinic.appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    HoldKind,
    ProviderAbsence,
    ResourceHold,
    SeriesBooking,
)
from cit.clinic.facilities.models import Clinic, ClosureDay, Device, OpeningHours, Room
from cit.clinic.plans.models import PlannedSession, TreatmentPlanRecord
from cit.scheduling import (
    BookedSeries,
    BookedSession,
    ClinicState,
    DeviceKind,
    DeviceUse,
    EpochBusy,
    EpochHold,
    IntervalWindow,
    PatientPreferences,
    SeriesRequest,
    TimeRange,
    TimeWindow,
    WeeklyHours,
)
from cit.scheduling import Clinic as CoreClinic
from cit.scheduling import Device as CoreDevice
from cit.scheduling import Provider as CoreProvider
from cit.scheduling import Room as CoreRoom
from cit.scheduling.closures import Closure, closed_dates
from cit.scheduling.maintenance import MaintenanceDue, maintenance_due

MARGIN = datetime.timedelta(days=1)
# The core capability of a provider whose role the clinic lets hold consultations.
CONSULTATION_CAPABILITY = "consultation"


def opening_hours(clinic: Clinic) -> WeeklyHours:
    by_day: dict[int, list[TimeWindow]] = defaultdict(list)
    for row in OpeningHours.objects.filter(clinic=clinic):
        by_day[row.weekday].append(TimeWindow(row.opens, row.closes))
    return WeeklyHours.from_mapping(by_day)


def closures(clinic: Clinic) -> list[Closure]:
    """The clinic's closure days and holidays (not archived) as the core knows them."""
    return [
        Closure(row.date, row.name, row.repeats_yearly)
        for row in ClosureDay.objects.active().filter(clinic=clinic)
    ]


def core_clinic(
    clinic: Clinic, first: datetime.date | None = None, last: datetime.date | None = None
) -> CoreClinic:
    """The clinic for the core, with its closed dates in [first, last] when given."""
    closed = closed_dates(closures(clinic), first, last) if first and last else frozenset()
    return CoreClinic(
        timezone=clinic.timezone, opening_hours=opening_hours(clinic), closed_dates=closed
    )


def local_day_start(day: datetime.date, clinic: Clinic) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=clinic.tzinfo)


class EpochSeconds(Func):
    """A timestamp column as whole seconds since the epoch, rounded down (or up with
    ``ceil``), computed by the database so Python parses no datetimes."""

    output_field = BigIntegerField()

    def __init__(self, expression: str, *, ceil: bool = False) -> None:
        super().__init__(expression)
        self.ceil = ceil

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        rounding = "CEIL" if self.ceil else "FLOOR"
        return self.as_sql(
            compiler,
            connection,
            template=f"{rounding}(EXTRACT(EPOCH FROM %(expressions)s))::bigint",
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite keeps UTC text; strftime('%s') drops the fraction, '%f' has it (SS.SSS).
        # '%%%%' survives both the template and the driver's placeholder pass as one '%'.
        template = "CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)"
        if self.ceil:
            template += (
                " + (CAST(strftime('%%%%f', %(expressions)s) AS REAL)"
                " > CAST(strftime('%%%%S', %(expressions)s) AS REAL))"
            )
        return self.as_sql(compiler, connection, template=template, **extra)


def build_state(
    clinic: Clinic,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    today: datetime.date,
    patient_id: str | None = None,
) -> ClinicState:
    """The clinic's resources plus every active hold and absence overlapping [start, end),
    and its closure days in that range (so no booking path, re-plan or solver uses them).

    With ``patient_id`` (a search or check for one patient's series) other patients' own
    holds are left out: they can never clash with this patient's sessions, and they are a
    quarter of the rows.
    """
    holds = ResourceHold.objects.filter(clinic=clinic, active=True, start__lt=end, end__gt=start)
    if patient_id is not None:
        holds = holds.exclude(
            Q(kind=HoldKind.PATIENT) & ~Q(resource=f"{HoldKind.PATIENT.value}:{patient_id}")
        )
    return replace(
        resource_state(clinic, start, end, today=today), busy=EpochBusy(busy_rows(holds))
    )


def busy_rows(holds: QuerySet[ResourceHold]) -> list[EpochHold]:
    """The holds as plain numbers from the database: no datetime, no BusyInterval per hold.

    Read from the cursor as the database returns them: every column is already the Python
    value wanted (text, whole seconds, the appointment id as text), and Django's converters,
    two calls per row, cost more than the query itself over a busy clinic's 100k holds."""
    columns = holds.order_by().values_list(
        "resource",
        EpochSeconds("start"),
        EpochSeconds("end", ceil=True),
        Cast("appointment_id", CharField()),
    )
    try:
        sql, params = columns.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[columns.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[EpochHold] = cursor.fetchall()
    return rows


@dataclass(frozen=True)
class SetupProvider:
    """A provider (not archived) as proposals need them, read once per set-up version."""

    pk: int
    name: str
    full_name: str
    role: str
    user_active: bool
    licence_expires_on: datetime.date
    rota: WeeklyHours | None
    """Their own weekly rota, or None: they work the clinic's opening hours."""

    def licensed_on(self, day: datetime.date) -> bool:
        return may_break_skin(self.role, self.licence_expires_on, day)


@dataclass(frozen=True)
class ClinicSetup:
    """What the clinic's schedule depends on besides holds: opening hours, closure days, the
    providers (with their rota and their absences over [start, end)), rooms and devices, as
    they were at schedule ``version``. Cached per process (``schedule_index.py``) and turned
    into a ``ClinicState`` for each request's days by ``state``."""

    version: int
    start: datetime.datetime
    end: datetime.datetime
    opening_hours: WeeklyHours
    closures: tuple[Closure, ...]
    providers: tuple[SetupProvider, ...]
    """In id order, as the core gets them."""
    provider_choices: tuple[tuple[str, str], ...]
    """The booking forms' provider choices, in their order (``Provider``'s ordering)."""
    absences: dict[int, tuple[TimeRange, ...]]
    rooms: tuple[CoreRoom, ...]
    devices: tuple[CoreDevice, ...]
    _states: dict[tuple[Any, ...], ClinicState] = field(
        default_factory=dict, compare=False, repr=False
    )

    def covers(self, start: datetime.datetime, end: datetime.datetime) -> bool:
        return self.start <= start and end <= self.end

    def at_version(self, version: int) -> ClinicSetup:
        """The same set-up, known to be current at a later ``version``."""
        return replace(self, version=version)

    def provider_names(self) -> dict[str, str]:
        return {str(p.pk): p.full_name for p in self.providers}

    def room_names(self) -> dict[str, str]:
        return {r.id: r.name for r in self.rooms}

    def state(
        self,
        clinic: Clinic,
        start: datetime.datetime,
        end: datetime.datetime,
        *,
        today: datetime.date,
    ) -> ClinicState:
        """The clinic's providers (with their absences in [start, end)), rooms, devices,
        opening hours and closure days, without any hold (``resource_state``). Remembered per
        days asked: the next proposal over the same days reuses it (``replace`` it to add
        holds: a state's index is built once)."""
        if not self.covers(start, end):
            raise ValueError("this set-up does not cover the days asked")
        consultation_roles = frozenset(clinic.consultation_roles or ())
        key = (start, end, today, clinic.timezone, consultation_roles)
        found = self._states.get(key)
        if found is None:
            if len(self._states) >= STATES_KEPT:
                self._states.clear()
            found = self._states[key] = self._state(clinic, start, end, today, consultation_roles)
        return found

    def _state(
        self,
        clinic: Clinic,
        start: datetime.datetime,
        end: datetime.datetime,
        today: datetime.date,
        consultation_roles: frozenset[str],
    ) -> ClinicState:
        providers = []
        for p in self.providers:
            if not p.user_active:
                continue
            absences = [a for a in self.absences.get(p.pk, ()) if a.start < end and a.end > start]
            # From the day after a licence expires the provider may not treat at all.
            lapsed_from = local_day_start(
                p.licence_expires_on + datetime.timedelta(days=1), clinic
            ).astimezone(datetime.UTC)
            if lapsed_from < end:
                absences.append(TimeRange(max(lapsed_from, start), end))
            providers.append(
                CoreProvider(
                    id=str(p.pk),
                    licensed=p.licensed_on(today),
                    # Their own rota where one is set, else the clinic's opening hours.
                    working_hours=p.rota if p.rota is not None else self.opening_hours,
                    absences=tuple(absences),
                    capabilities=(
                        frozenset({CONSULTATION_CAPABILITY})
                        if p.role in consultation_roles
                        else frozenset()
                    ),
                    name=p.name,
                )
            )
        zone = clinic.tzinfo
        closed = closed_dates(
            list(self.closures), start.astimezone(zone).date(), end.astimezone(zone).date()
        )
        return ClinicState(
            clinic=CoreClinic(
                timezone=clinic.timezone, opening_hours=self.opening_hours, closed_dates=closed
            ),
            providers=tuple(providers),
            rooms=self.rooms,
            devices=self.devices,
        )


# How many days' states one set-up remembers (a handful of proposals' spans at a time).
STATES_KEPT = 32


def load_setup(
    clinic: Clinic, start: datetime.datetime, end: datetime.datetime, *, version: int
) -> ClinicSetup:
    """The clinic's set-up with the absences over [start, end), read now (seven queries)."""
    everyone = list(Provider.objects.active().filter(clinic=clinic).select_related("user"))
    absences: dict[int, list[TimeRange]] = defaultdict(list)
    for absence in ProviderAbsence.objects.filter(
        clinic=clinic, start__lt=end, end__gt=start
    ).order_by("start"):
        absences[absence.provider_id].append(TimeRange(absence.start, absence.end))
    rota: dict[int, dict[int, list[TimeWindow]]] = defaultdict(lambda: defaultdict(list))
    for row in ProviderWorkingHours.objects.filter(provider__in=everyone):
        rota[row.provider_id][row.weekday].append(TimeWindow(row.starts, row.ends))
    return ClinicSetup(
        version=version,
        start=start,
        end=end,
        opening_hours=opening_hours(clinic),
        closures=tuple(closures(clinic)),
        providers=tuple(
            SetupProvider(
                pk=p.pk,
                name=str(p),
                full_name=p.user.get_full_name(),
                role=p.user.role,
                user_active=p.user.is_active,
                licence_expires_on=p.licence_expires_on,
                rota=WeeklyHours.from_mapping(rota[p.pk]) if p.pk in rota else None,
            )
            for p in sorted(everyone, key=lambda p: p.pk)
        ),
        provider_choices=tuple(provider_choice(p) for p in everyone),
        absences={pk: tuple(ranges) for pk, ranges in absences.items()},
        rooms=tuple(
            CoreRoom(id=str(r.pk), name=r.name)
            for r in Room.objects.active().filter(clinic=clinic).order_by("pk")
        ),
        devices=tuple(
            CoreDevice(id=str(d.pk), kind=DeviceKind(d.kind), name=str(d))
            for d in Device.objects.active().filter(clinic=clinic).order_by("pk")
        ),
    )


def provider_choice(provider: Provider) -> tuple[str, str]:
    """A provider as the booking forms offer them."""
    user = provider.user
    return str(provider.pk), f"{user.get_full_name() or user.username} ({user.get_role_display()})"


def resource_state(
    clinic: Clinic, start: datetime.datetime, end: datetime.datetime, *, today: datetime.date
) -> ClinicState:
    """The clinic's providers (with their absences in [start, end)), rooms, devices, opening
    hours and closure days, without any hold, read now.

    Providers work their weekly rota, or the clinic's opening hours when they have none;
    absences come from ``ProviderAbsence``. ``licensed`` is the licence rule on ``today``;
    from the day after a licence expires the provider may not treat at all, so that time is
    an absence too and no later session of a series lands on a lapsed licence.
    """
    return load_setup(clinic, start, end, version=0).state(clinic, start, end, today=today)


def search_span(
    clinic: Clinic, first: datetime.date, last: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants a request about local days [first, last] loads, with a day's margin."""
    start = local_day_start(first, clinic) - MARGIN
    end = local_day_start(last + datetime.timedelta(days=1), clinic) + MARGIN
    return start, end


def state_for_days(
    clinic: Clinic,
    first: datetime.date,
    last: datetime.date,
    *,
    today: datetime.date,
    patient_id: str | None = None,
) -> ClinicState:
    start, end = search_span(clinic, first, last)
    return build_state(clinic, start, end, today=today, patient_id=patient_id)


def series_request(
    plan: TreatmentPlanRecord,
    series_index: int,
    *,
    earliest_start: datetime.date,
    latest_start: datetime.date | None = None,
    sessions: int | None = None,
    preferences: PatientPreferences | None = None,
) -> SeriesRequest:
    """The accepted plan's series ``series_index`` as a scheduling request."""
    series = plan.accepted_plan.series_at(series_index)
    return SeriesRequest(
        patient_id=str(plan.patient_id),
        sessions=sessions or series.sessions,
        interval=IntervalWindow(*series.interval_weeks.in_days()),
        visit_minutes=series.visit.total_minutes,
        needs_licensed_provider=series.needs_licensed_provider,
        earliest_start=earliest_start,
        latest_start=latest_start,
        needs_centrifuge=series.needs_centrifuge,
        preferences=preferences or PatientPreferences(),
    )


def plan_maintenance_months(plan: TreatmentPlanRecord, series_index: int) -> tuple[int, int, int]:
    """The accepted series' maintenance interval (low, high months) and its target month."""
    series = plan.accepted_plan.series[series_index : series_index + 1]
    maintenance = series[0].maintenance if series else None
    if (
        maintenance is None
        or maintenance.interval_months is None
        or maintenance.target_months is None
    ):
        raise LookupError(f"The plan's series {series_index + 1} has no maintenance.")
    low, high = maintenance.interval_months
    return low, high, maintenance.target_months


def maintenance_due_after(
    plan: TreatmentPlanRecord, series_index: int, last_session_day: datetime.date
) -> MaintenanceDue:
    low, high, target = plan_maintenance_months(plan, series_index)
    return maintenance_due(last_session_day, (low, high), target)


class PlanMaintenanceMonths(Func):
    """``plan_maintenance_months`` in the database: one of the accepted series' maintenance
    months ("low", "high" or "target") in the plan JSON ``accepted`` at series ``index``;
    NULL where the series has none (a plan accepted before maintenance was part of it)."""

    output_field = IntegerField()
    _POSTGRESQL_PATH = {
        "low": "-> 'interval_months' ->> 0",
        "high": "-> 'interval_months' ->> -1",
        "target": "->> 'target_months'",
    }
    _SQLITE_PATH = {
        "low": "interval_months[0]",
        "high": "interval_months[#-1]",
        "target": "target_months",
    }

    def __init__(self, accepted: str, index: str, which: str) -> None:
        super().__init__(F(accepted), F(index))
        self.which = which

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (plan, plan_params), (index, index_params) = _compiled(self, compiler)
        path = self._POSTGRESQL_PATH[self.which]
        series = f"{plan} -> 'series' -> CAST({index} AS integer)"
        sql = f"CAST(({series} -> 'maintenance' {path}) AS integer)"
        return sql, (*plan_params, *index_params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (plan, plan_params), (index, index_params) = _compiled(self, compiler)
        path = self._SQLITE_PATH[self.which]
        sql = f"json_extract({plan}, '$.series[' || ({index}) || '].maintenance.{path}')"
        return sql, (*plan_params, *index_params)


class AddMonths(Func):
    """``cit.protocol.dates.add_months`` in the database: the same day of the month
    ``months`` later, clamped to the month's end (31 January + 1 month is 28 February)."""

    output_field = DateField()

    def __init__(self, day: Any, months: Any) -> None:
        super().__init__(day, months)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # PostgreSQL's month arithmetic clamps to the month's end itself.
        (day, day_params), (months, months_params) = _compiled(self, compiler)
        sql = f"CAST({day} + make_interval(months => CAST({months} AS integer)) AS date)"
        return sql, (*day_params, *months_params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (day, day_params), (months, months_params) = _compiled(self, compiler)
        first = f"date({day}, 'start of month', '+' || ({months}) || ' months')"
        first_params = (*day_params, *months_params)
        # '%%' reaches SQLite as one '%' (the driver's placeholder pass halves it).
        day_of_month = f"CAST(strftime('%%d', {day}) AS INTEGER)"
        same_day = f"date({first}, '+' || ({day_of_month} - 1) || ' days')"
        month_end = f"date({first}, '+1 month', '-1 day')"
        return f"min({same_day}, {month_end})", (*first_params, *day_params, *first_params)


def _compiled(function: Func, compiler: Any) -> list[tuple[str, tuple[Any, ...]]]:
    return [tuple(compiler.compile(e)) for e in function.get_source_expressions()]


def maintenance_request(
    plan: TreatmentPlanRecord,
    series_index: int,
    due: MaintenanceDue,
    *,
    today: datetime.date,
    preferences: PatientPreferences | None = None,
) -> SeriesRequest:
    """Maintenance: one session of the series' visit, inside the due window (from today on,
    when the window is already open)."""
    base = series_request(plan, series_index, earliest_start=due.opens, preferences=preferences)
    return replace(
        base,
        sessions=1,
        earliest_start=max(due.opens, today),
        latest_start=due.closes,
    )


def consultation_request(
    clinic: Clinic,
    patient_id: int,
    *,
    earliest_start: datetime.date,
    latest_start: datetime.date | None = None,
    preferences: PatientPreferences | None = None,
) -> SeriesRequest:
    """A consultation: one visit of the clinic's consultation length with a provider whose
    role may hold consultations; no needling device, no licence needed."""
    return SeriesRequest(
        patient_id=str(patient_id),
        sessions=1,
        interval=IntervalWindow(1, 1, 1),
        visit_minutes=int(clinic.consultation_minutes),
        needs_licensed_provider=False,
        earliest_start=earliest_start,
        latest_start=latest_start,
        needling_device=None,
        preferences=preferences or PatientPreferences(),
        provider_capabilities=frozenset({CONSULTATION_CAPABILITY}),
    )


def request_to_json(request: SeriesRequest) -> dict[str, Any]:
    data = asdict(request)
    data["earliest_start"] = request.earliest_start.isoformat()
    data["latest_start"] = request.latest_start.isoformat() if request.latest_start else None
    data["needling_device"] = request.needling_device.value if request.needling_device else None
    prefs = request.preferences
    data["preferences"] = {
        "weekdays": sorted(prefs.weekdays),
        "time_windows": [f"{w.start:%H:%M}-{w.end:%H:%M}" for w in prefs.time_windows],
        "provider_id": prefs.provider_id,
    }
    data["provider_capabilities"] = sorted(request.provider_capabilities)
    data["room_capabilities"] = sorted(request.room_capabilities)
    return data


def request_from_json(data: dict[str, Any]) -> SeriesRequest:
    prefs = data.get("preferences") or {}
    return SeriesRequest(
        patient_id=data["patient_id"],
        sessions=data["sessions"],
        interval=IntervalWindow(**data["interval"]),
        visit_minutes=data["visit_minutes"],
        needs_licensed_provider=data["needs_licensed_provider"],
        earliest_start=datetime.date.fromisoformat(data["earliest_start"]),
        latest_start=(
            datetime.date.fromisoformat(data["latest_start"]) if data.get("latest_start") else None
        ),
        needs_centrifuge=data["needs_centrifuge"],
        needling_device=DeviceKind(data["needling_device"]) if data["needling_device"] else None,
        preferences=PatientPreferences(
            weekdays=frozenset(prefs.get("weekdays", ())),
            time_windows=tuple(TimeWindow.parse(w) for w in prefs.get("time_windows", ())),
            provider_id=prefs.get("provider_id"),
        ),
        provider_capabilities=frozenset(data.get("provider_capabilities", ())),
        room_capabilities=frozenset(data.get("room_capabilities", ())),
        centrifuge_offset_minutes=data["centrifuge_offset_minutes"],
        centrifuge_minutes=data["centrifuge_minutes"],
    )


def session_to_json(session: BookedSession) -> dict[str, Any]:
    return {
        "number": session.number,
        "start": session.start.isoformat(),
        "end": session.end.isoformat(),
        "provider_id": session.provider_id,
        "room_id": session.room_id,
        "devices": [
            {
                "device_id": use.device_id,
                "kind": use.kind.value,
                "start": use.start.isoformat(),
                "end": use.end.isoformat(),
            }
            for use in session.devices
        ],
    }


def session_from_json(data: dict[str, Any]) -> BookedSession:
    return BookedSession(
        number=int(data["number"]),
        start=datetime.datetime.fromisoformat(data["start"]),
        end=datetime.datetime.fromisoformat(data["end"]),
        provider_id=str(data["provider_id"]),
        room_id=str(data["room_id"]),
        devices=tuple(
            DeviceUse(
                str(use["device_id"]),
                DeviceKind(use["kind"]),
                datetime.datetime.fromisoformat(use["start"]),
                datetime.datetime.fromisoformat(use["end"]),
            )
            for use in data.get("devices", ())
        ),
    )


def hold_rows(
    appointment: Appointment, session: BookedSession, patient_id: int
) -> list[ResourceHold]:
    """The rows ``session`` holds for ``appointment``: one per resource, as the core says."""
    return [
        ResourceHold(
            clinic_id=appointment.clinic_id,
            appointment=appointment,
            kind=HoldKind(hold.resource.kind.value),
            resource=hold.resource.key,
            start=hold.start,
            end=hold.end,
        )
        for hold in session.holds(str(patient_id))
    ]


def booked_session(
    appointment: Appointment, device_holds: Iterable[ResourceHold], kinds: dict[int, str]
) -> BookedSession:
    """The appointment as the core knows it; ``kinds`` maps device ids to their kind."""
    return BookedSession(
        number=appointment.number,
        start=appointment.start,
        end=appointment.end,
        provider_id=str(appointment.provider_id),
        room_id=str(appointment.room_id),
        devices=tuple(
            DeviceUse(
                hold.resource.split(":", 1)[1],
                DeviceKind(kinds[_device_id(hold)]),
                hold.start,
                hold.end,
            )
            for hold in device_holds
        ),
        appointment_id=str(appointment.pk),
    )


def _device_id(hold: ResourceHold) -> int:
    return int(hold.resource.split(":", 1)[1])


def booked_series(series: SeriesBooking) -> BookedSeries:
    """The series as the core knows it: its request and the sessions that keep their place
    (booked, or already under way or done: those are in the past and never move)."""
    return booked_series_many([series])[0]


def booked_series_many(bookings: Sequence[SeriesBooking]) -> list[BookedSeries]:
    """``booked_series`` of each booking, in the same order, in three queries however many
    series there are (a re-plan may touch hundreds)."""
    appointments: dict[int, list[Appointment]] = defaultdict(list)
    for appointment in Appointment.objects.filter(
        series__in=[b.pk for b in bookings], status__in=HOLDING_STATUSES
    ).order_by("series_id", "number"):
        appointments[appointment.series_id].append(appointment)
    device_holds: dict[int, list[ResourceHold]] = defaultdict(list)
    for hold in ResourceHold.objects.filter(
        appointment__series__in=[b.pk for b in bookings],
        appointment__status__in=HOLDING_STATUSES,
        active=True,
        kind=HoldKind.DEVICE,
    ).order_by("start", "pk"):
        device_holds[hold.appointment_id].append(hold)
    used = {_device_id(h) for holds in device_holds.values() for h in holds}
    kinds = dict(Device.objects.filter(pk__in=used).values_list("pk", "kind")) if used else {}
    found = []
    for booking in bookings:
        # The core numbers sessions 1..n without gaps; a cancelled session leaves one, so the
        # remaining sessions are numbered by position (rows keep their own ``number``).
        request = request_from_json(booking.request)
        sessions = tuple(
            replace(booked_session(a, device_holds[a.pk], kinds), number=position)
            for position, a in enumerate(appointments[booking.pk], start=1)
        )
        found.append(
            BookedSeries(
                series_id=str(booking.pk),
                request=replace(request, sessions=max(1, len(sessions))),
                sessions=sessions,
            )
        )
    return found


def position_in(series: BookedSeries, appointment_id: int) -> int:
    for session in series.sessions:
        if session.appointment_id == str(appointment_id):
            return session.number
    raise LookupError(f"appointment {appointment_id} is not a booked session of the series")


def series_span(series: Iterable[BookedSeries]) -> tuple[datetime.datetime, datetime.datetime]:
    """From the earliest to the latest session, plus room for the later sessions to slide
    to the far end of their windows."""
    starts = [s.start for b in series for s in b.sessions]
    slack = max(
        (datetime.timedelta(days=b.request.interval.max_days * b.request.sessions) for b in series),
        default=datetime.timedelta(),
    )
    return min(starts), max(starts) + slack


def affected_series_ids(clinic: Clinic, q: Q) -> list[int]:
    return sorted(
        set(
            Appointment.objects.filter(q, clinic=clinic, status=AppointmentStatus.BOOKED)
            .values_list("series_id", flat=True)
            .distinct()
        )
    )


def planned_sessions(plan: TreatmentPlanRecord, series_index: int) -> dict[int, PlannedSession]:
    return {
        s.number: s for s in PlannedSession.objects.filter(plan=plan, series_index=series_index)
    }
