"""Booking pages: propose and book a series, move with cascade preview, cancel, calendars,
provider absences, and the patient's own bookings with the .ics download.

Views check access and input, call the actions, and render; they decide nothing themselves.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from cit.clinic.access import capability_required, patient_for_request, signed_in_user, staff_clinic
from cit.clinic.accounts.models import Provider
from cit.clinic.accounts.permissions import Capability, has_capability
from cit.clinic.appointments.absences import do_record_absence
from cit.clinic.appointments.booking import do_book_proposal
from cit.clinic.appointments.closures import booked_on_closure_days, with_closure_names
from cit.clinic.appointments.convert import closures, state_for_days
from cit.clinic.appointments.errors import SchedulingRefused
from cit.clinic.appointments.feeds import calendar_appointments
from cit.clinic.appointments.forms import (
    TIME_OF_DAY,
    AbsenceForm,
    CancelForm,
    MoveForm,
    ProposeForm,
)
from cit.clinic.appointments.holds import describe_time
from cit.clinic.appointments.ics import build_calendar
from cit.clinic.appointments.maintenance import maintenance_entries
from cit.clinic.appointments.models import (
    CANCELLED_STATUSES,
    Appointment,
    AppointmentStatus,
    ProviderAbsence,
    SeriesBooking,
    SeriesKind,
    SeriesStatus,
)
from cit.clinic.appointments.moves import (
    cancel_gap_warning,
    do_cancel_session,
    do_move_session,
    do_preview_move,
)
from cit.clinic.appointments.noshow import do_replan_after_no_show, propose_after_no_show
from cit.clinic.appointments.proposals import (
    earliest_start_from,
    plans_to_propose,
    propose_series,
)
from cit.clinic.appointments.schedule_index import clinic_setup
from cit.clinic.appointments.visits import do_check_in, do_mark_no_show, do_undo_check_in
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.bounds import query_day
from cit.clinic.dates import clinic_date_text
from cit.clinic.facilities.actions import do_add_closure_day, do_remove_closure_day
from cit.clinic.facilities.forms import ClosureDayForm
from cit.clinic.facilities.models import Clinic, ClosureDay, OpeningHours, Room
from cit.clinic.feedback import form_status
from cit.clinic.links import url_with_id
from cit.clinic.paging import request_page
from cit.clinic.patients.models import Patient
from cit.clinic.plans.models import TreatmentPlanRecord
from cit.protocol.stored import Series
from cit.scheduling import PatientPreferences, TimeWindow
from cit.scheduling.closures import closure_on
from cit.scheduling.daygrid import Availability, availability


def _refused(request: HttpRequest, error: SchedulingRefused, back: str) -> HttpResponse:
    """A refused booking/move: the reason, and the way back (409 conflict, 422 otherwise)."""
    return render(
        request,
        "appointments/refused.html",
        {"message": error.message, "back": back},
        status=error.status_code,
    )


def _staff_only(request: HttpRequest) -> Clinic:
    if not getattr(request.user, "is_staff_member", False):
        raise PermissionDenied("Only clinic staff see the booking pages.")
    return staff_clinic(request)


def _appointment_for(
    request: HttpRequest, appointment_id: int, capability: Capability, action: AuditAction | None
) -> Appointment:
    appointment: Appointment = get_object_or_404(
        Appointment.objects.select_related("clinic", "patient", "series", "room", "provider__user"),
        pk=appointment_id,
    )
    patient_for_request(request, appointment.patient_id, capability, action)
    return appointment


# -- a patient's bookings (staff) ------------------------------------------------------------------


@dataclass
class SeriesRow:
    plan: TreatmentPlanRecord
    index: int
    accepted: Series
    booking: SeriesBooking | None = None
    appointments: list[Appointment] = field(default_factory=list)


BOOKINGS_PAGE_SIZE = 25
CLOSURES_PAGE_SIZE = 50


@capability_required(Capability.SCHEDULE_VIEW)
def patient_bookings(request: HttpRequest, patient_id: int) -> HttpResponse:
    _staff_only(request)
    patient = patient_for_request(request, patient_id, Capability.SCHEDULE_VIEW)
    plan = TreatmentPlanRecord.objects.filter(patient=patient).first()
    rows: list[SeriesRow] = []
    if plan is not None:
        bookings = {
            b.series_index: b
            for b in SeriesBooking.objects.filter(
                plan=plan, kind="treatment", status=SeriesStatus.BOOKED
            )
        }
        # One query for every booked series' sessions (a plan has a handful of series, each
        # a handful of sessions: bounded by the protocol, so not paged).
        sessions: dict[int, list[Appointment]] = {b.pk: [] for b in bookings.values()}
        for appointment in (
            Appointment.objects.filter(series__in=list(bookings.values()))
            .select_related("room", "provider__user", "clinic")
            .order_by("number", "start")
        ):
            sessions[appointment.series_id].append(appointment)
        for index, accepted in enumerate(plan.accepted_plan.series):
            booking = bookings.get(index)
            rows.append(
                SeriesRow(plan, index, accepted, booking, sessions[booking.pk] if booking else [])
            )
    # Consultations and maintenance sessions: one visit each, outside the plan's series rows,
    # newest first a page at a time (years of maintenance add up).
    visits = request_page(
        request,
        Appointment.objects.filter(
            patient=patient, series__kind__in=(SeriesKind.CONSULTATION, SeriesKind.MAINTENANCE)
        ).select_related("room", "provider__user", "clinic", "series"),
        ordering=("-start", "-id"),
        size=BOOKINGS_PAGE_SIZE,
        next_label="Earlier",
        previous_label="Later",
    )
    return render(
        request,
        "appointments/patient_bookings.html",
        {
            "patient": patient,
            "plan": plan,
            "rows": rows,
            "visits": visits,
            "page": visits,
            "zone": patient.clinic.timezone,
        },
    )


# -- propose and book ----------------------------------------------------------------------------


def _preferences(form: ProposeForm) -> PatientPreferences:
    window = TIME_OF_DAY.get(form.cleaned_data.get("time_of_day") or "", ("", None))[1]
    return PatientPreferences(
        weekdays=frozenset(form.cleaned_data.get("weekdays") or ()),
        time_windows=(TimeWindow.parse(window),) if window else (),
        provider_id=form.cleaned_data.get("provider") or None,
    )


def _proposal_rows(sessions: list[dict[str, Any]]) -> SafeString:
    """A proposal's table rows, made here and not in the template: three proposals of a
    dozen sessions cost more in template loops and date filters than the rest of the page."""
    return format_html_join(
        "\n",
        "<tr><td>{}</td><td>{}–{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                s["number"],
                clinic_date_text(s["start"], "D j M Y H:i"),
                f"{s['end']:%H:%M}",
                s["provider"],
                s["room"],
            )
            for s in sessions
        ),
    )


@capability_required(Capability.SCHEDULE_EDIT)
def propose_page(
    request: HttpRequest, patient_id: int, plan_id: int, series_index: int
) -> HttpResponse:
    clinic = _staff_only(request)
    patient = patient_for_request(request, patient_id, Capability.SCHEDULE_EDIT, None)
    plan = get_object_or_404(plans_to_propose(series_index), pk=plan_id, patient=patient)
    if series_index >= len(plan.accepted_plan.series):
        raise Http404("The plan has no such series.")
    plan.patient = patient
    now = timezone.now()
    # The clinic's set-up (providers, rooms, ...) from the process's scheduling index: the
    # form's choices and the proposals' names come from it, and the search reuses it.
    setup = clinic_setup(clinic)
    form = ProposeForm(request.GET or None, clinic=clinic, providers=setup.provider_choices)
    first_planned_on = plan.first_planned_on  # type: ignore[attr-defined]
    default_start = earliest_start_from(first_planned_on, clinic.today(now))
    context: dict[str, Any] = {
        "patient": patient,
        "plan": plan,
        "series_index": series_index,
        "series": plan.accepted_plan.series[series_index],
        "form": form,
        "default_start": default_start,
        "zone": clinic.timezone,
    }
    already = bool(plan.already_booked)  # type: ignore[attr-defined]
    context["already"] = already
    if not already and (form.is_valid() or not request.GET):
        cleaned = form.cleaned_data if form.is_bound else {}
        proposals = propose_series(
            plan=plan,
            series_index=series_index,
            now=now,
            earliest_start=cleaned.get("earliest_start") or default_start,
            preferences=_preferences(form) if form.is_bound else None,
            actor=signed_in_user(request),
            request=request,
            setup=setup,
        )
        providers = setup.provider_names()
        rooms = setup.room_names()
        zone = clinic.tzinfo
        context["proposals"] = []
        for proposal, token in zip(proposals.result.proposals, proposals.tokens, strict=True):
            sessions = [
                {
                    "number": s.number,
                    "start": s.start.astimezone(zone),
                    "end": s.end.astimezone(zone),
                    "provider": providers.get(s.provider_id, ""),
                    "room": rooms.get(s.room_id, ""),
                }
                for s in proposal.sessions
            ]
            context["proposals"].append(
                {
                    "rank": proposal.rank,
                    "token": token,
                    "explain": proposal.score.explain(),
                    "total": round(proposal.score.total, 1),
                    "sessions": sessions,
                    "rows": _proposal_rows(sessions),
                }
            )
        context["failure"] = proposals.result.failure
    return render(request, "appointments/propose.html", context, status=form_status(form))


@require_POST
@capability_required(Capability.SCHEDULE_EDIT)
def book_proposal(request: HttpRequest) -> HttpResponse:
    clinic = _staff_only(request)
    token = request.POST.get("token", "")
    back = request.POST.get("back") or "/"
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    try:
        series = do_book_proposal(
            actor=signed_in_user(request), token=token, clinic=clinic, request=request
        )
    except SchedulingRefused as error:
        return _refused(request, error, back)
    count = series.appointments.count()
    what = f"{count} sessions" if series.kind == SeriesKind.TREATMENT else series.get_kind_display()
    messages.success(request, f"Booked {what.lower()} for {series.patient.full_name}.")
    return redirect("patient-bookings", patient_id=series.patient_id)


# -- move ---------------------------------------------------------------------------------------


def _preview_rows(preview: Any, clinic: Clinic) -> dict[str, Any]:
    zone = clinic.tzinfo
    ids = [int(m.after.appointment_id) for m in preview.result.moves] + [
        int(s.appointment_id) for o in preview.result.broken for s in o.unplaced_sessions
    ]
    numbers = dict(Appointment.objects.filter(pk__in=ids).values_list("pk", "number"))
    providers = {
        str(p.pk): p for p in Provider.objects.filter(clinic=clinic).select_related("user")
    }
    return {
        "moves": [
            {
                "number": numbers.get(int(m.after.appointment_id)),
                "before": m.before.start.astimezone(zone),
                "after": m.after.start.astimezone(zone),
                "after_end": m.after.end.astimezone(zone),
                "provider_before": providers.get(m.before.provider_id),
                "provider_after": providers.get(m.after.provider_id),
            }
            for m in sorted(preview.result.moves, key=lambda m: m.after.start)
        ],
        "broken": [
            {
                "numbers": [numbers.get(int(s.appointment_id)) for s in o.unplaced_sessions],
                "reason": o.reason,
            }
            for o in preview.result.broken
        ],
    }


@capability_required(Capability.SCHEDULE_EDIT)
def move_page(request: HttpRequest, appointment_id: int) -> HttpResponse:
    clinic = _staff_only(request)
    appointment = _appointment_for(request, appointment_id, Capability.SCHEDULE_EDIT, None)
    back = f"/patients/{appointment.patient_id}/bookings/"
    local = appointment.local_start()
    form = MoveForm(
        request.POST or None,
        clinic=clinic,
        initial={"new_date": local.date(), "new_time": local.time().replace(second=0)},
    )
    context: dict[str, Any] = {
        "appointment": appointment,
        "form": form,
        "back": back,
        "zone": clinic.timezone,
        "when": describe_time(appointment.start, appointment.end, clinic),
    }
    if request.method == "POST" and form.is_valid():
        new_start, provider_id = form.new_start(), form.provider_id()
        if request.POST.get("confirm"):
            try:
                result = do_move_session(
                    actor=signed_in_user(request),
                    appointment=appointment,
                    new_start=new_start,
                    provider_id=provider_id,
                    expected=request.POST.get("fingerprint") or None,
                    request=request,
                )
            except SchedulingRefused as error:
                return _refused(request, error, request.path)
            messages.success(
                request,
                f"Session {appointment.number} moved; {len(result.moves)} session(s) changed.",
            )
            return redirect("patient-bookings", patient_id=appointment.patient_id)
        try:
            preview = do_preview_move(
                actor=signed_in_user(request),
                appointment=appointment,
                new_start=new_start,
                provider_id=provider_id,
                request=request,
            )
        except SchedulingRefused as error:
            return _refused(request, error, request.path)
        context.update(preview=preview, **_preview_rows(preview, clinic))
        if preview.rejected:
            return render(request, "appointments/move.html", context, status=422)
    else:
        record_event(request, AuditAction.VIEW, patient=appointment.patient, obj=appointment)
    return render(request, "appointments/move.html", context, status=form_status(form))


# -- cancel -------------------------------------------------------------------------------------


@capability_required(Capability.SCHEDULE_EDIT)
def cancel_page(request: HttpRequest, appointment_id: int) -> HttpResponse:
    clinic = _staff_only(request)
    appointment = _appointment_for(request, appointment_id, Capability.SCHEDULE_EDIT, None)
    form = CancelForm(request.POST or None)
    back = f"/patients/{appointment.patient_id}/bookings/"
    if request.method == "POST" and form.is_valid():
        try:
            do_cancel_session(
                actor=signed_in_user(request),
                appointment=appointment,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except SchedulingRefused as error:
            return _refused(request, error, back)
        messages.success(request, f"Session {appointment.number} cancelled.")
        return redirect("patient-bookings", patient_id=appointment.patient_id)
    record_event(request, AuditAction.VIEW, patient=appointment.patient, obj=appointment)
    return render(
        request,
        "appointments/cancel.html",
        {
            "appointment": appointment,
            "form": form,
            "back": back,
            "warning": cancel_gap_warning(appointment),
            "when": describe_time(appointment.start, appointment.end, clinic),
        },
        status=form_status(form),
    )


# -- the visit's life cycle ----------------------------------------------------------------------

STATUS_ACTIONS = {
    "check_in": (do_check_in, "{name} checked in."),
    "undo_check_in": (do_undo_check_in, "Check-in of {name} undone."),
    "no_show": (do_mark_no_show, "{name} marked as a no-show."),
}


def safe_next(request: HttpRequest, default: str) -> str:
    """A local path to return to (never another site)."""
    target = request.POST.get("next") or request.GET.get("next") or default
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@require_POST
@capability_required(Capability.SCHEDULE_EDIT)
def change_status(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Check a patient in (or undo it) or mark a no-show, from the day view or the record."""
    _staff_only(request)
    appointment = _appointment_for(request, appointment_id, Capability.SCHEDULE_EDIT, None)
    back = safe_next(request, f"/patients/{appointment.patient_id}/bookings/")
    chosen = STATUS_ACTIONS.get(request.POST.get("event", ""))
    if chosen is None:
        return _refused(request, SchedulingRefused("Choose check-in or no-show."), back)
    action, done = chosen
    try:
        changed = action(actor=signed_in_user(request), appointment=appointment, request=request)
    except SchedulingRefused as error:
        return _refused(request, error, back)
    messages.success(request, done.format(name=changed.patient.full_name))
    if changed.status == AppointmentStatus.NO_SHOW and changed.series.kind == "treatment":
        # The missed treatment still has to happen: offer to re-plan the rest of the series.
        return redirect("replan-no-show", appointment_id=changed.pk)
    return redirect(back)


def _session_rows(sessions: Any, clinic: Clinic) -> list[dict[str, Any]]:
    providers = {
        str(p.pk): p for p in Provider.objects.filter(clinic=clinic).select_related("user")
    }
    rooms = {str(r.pk): r for r in Room.objects.filter(clinic=clinic)}
    zone = clinic.tzinfo
    return [
        {
            "start": s.start.astimezone(zone),
            "end": s.end.astimezone(zone),
            "provider": providers.get(s.provider_id),
            "room": rooms.get(s.room_id),
        }
        for s in sessions
    ]


@capability_required(Capability.SCHEDULE_EDIT)
def replan_no_show(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """After a no-show: proposals for the make-up session and the rest of the series."""
    clinic = _staff_only(request)
    appointment = _appointment_for(request, appointment_id, Capability.SCHEDULE_EDIT, None)
    back = f"/patients/{appointment.patient_id}/bookings/"
    if request.method == "POST":
        try:
            changed = do_replan_after_no_show(
                actor=signed_in_user(request),
                token=request.POST.get("token", ""),
                clinic=clinic,
                request=request,
            )
        except SchedulingRefused as error:
            return _refused(request, error, request.path)
        messages.success(
            request,
            f"Series re-planned: {len(changed) - 1} session(s) moved, make-up session booked.",
        )
        return redirect("patient-bookings", patient_id=appointment.patient_id)
    try:
        proposals = propose_after_no_show(
            actor=signed_in_user(request), appointment=appointment, request=request
        )
    except SchedulingRefused as error:
        return _refused(request, error, back)
    rest_numbers = [a.number for a in proposals.rest]
    return render(
        request,
        "appointments/replan_no_show.html",
        {
            "appointment": appointment,
            "patient": appointment.patient,
            "back": back,
            "note": proposals.note,
            "rest": proposals.rest,
            "failure": proposals.result.failure,
            "zone": clinic.timezone,
            "proposals": [
                {
                    "rank": proposal.rank,
                    "token": token,
                    "sessions": [
                        {
                            **row,
                            "label": f"Session {rest_numbers[i]}"
                            if i < len(rest_numbers)
                            else "Make-up session",
                        }
                        for i, row in enumerate(_session_rows(proposal.sessions, clinic))
                    ],
                }
                for proposal, token in zip(
                    proposals.result.proposals, proposals.tokens, strict=True
                )
            ],
        },
    )


# -- calendar -----------------------------------------------------------------------------------

ROW_MINUTES = 5  # visits are drawn to the exact five minutes; their times are written out
SLOT_MINUTES = 15  # a free block offered for booking


def _day_bounds(clinic: Clinic) -> tuple[int, int]:
    hours = list(OpeningHours.objects.filter(clinic=clinic))
    if not hours:
        return 8 * 60, 18 * 60
    first = min(h.opens for h in hours)
    last = max(h.closes for h in hours)
    return first.hour * 60 + first.minute, last.hour * 60 + last.minute


@dataclass
class Column:
    day: datetime.date
    key: str
    label: str
    provider_id: int | None
    closure: str = ""
    cells: dict[int, dict[str, Any]] = field(default_factory=dict)
    hidden: list[Appointment] = field(default_factory=list)


def _minute_of(moment: datetime.datetime, zone: Any) -> int:
    local = moment.astimezone(zone)
    return local.hour * 60 + local.minute


def calendar_columns(
    clinic: Clinic,
    days: list[datetime.date],
    resources: Sequence[tuple[str, str, int | None]],
    appointments: list[Appointment],
    by_room: bool,
) -> tuple[list[int], list[Column]]:
    """Five-minute rows × one column per (day, provider or room). A visit spans exactly its
    rows; free time is offered in 15-minute blocks; time the provider does not work, is away,
    or the clinic is closed is shaded, from the same rules the booking search uses."""
    zone = clinic.tzinfo
    first, last = _day_bounds(clinic)
    for a in appointments:
        first = min(first, _minute_of(a.start, zone) // ROW_MINUTES * ROW_MINUTES)
        end_minute = _minute_of(a.end, zone) or 24 * 60
        last = max(last, -(-end_minute // ROW_MINUTES) * ROW_MINUTES)
    minutes = list(range(first, last, ROW_MINUTES))
    state = state_for_days(clinic, days[0], days[-1], today=clinic.today())
    known_closures = closures(clinic)
    # Each visit to its column once: filtering the whole list per column is quadratic.
    by_column: dict[tuple[datetime.date, str], list[Appointment]] = {}
    for a in appointments:
        key = str(a.room_id if by_room else a.provider_id)
        by_column.setdefault((a.start.astimezone(zone).date(), key), []).append(a)
    answers_for: dict[tuple[datetime.date, str | None], list[Availability]] = {}
    columns: list[Column] = []
    for day in days:
        closure = closure_on(known_closures, day)
        for key, label, provider_id in resources:
            column = Column(
                day, key, label, provider_id, (closure.name or "Closed") if closure else ""
            )
            mine = by_column.get((day, key), [])
            taken: dict[int, Appointment] = {}
            # Visits that keep their time first: a no-show may share it with its replacement.
            for a in sorted(mine, key=lambda a: (a.status == AppointmentStatus.NO_SHOW, a.start)):
                row = (_minute_of(a.start, zone) - first) // ROW_MINUTES
                end_minute = _minute_of(a.end, zone) or 24 * 60
                end_row = max(row + 1, -(-(end_minute - first) // ROW_MINUTES))
                # Touching visits off the five-minute grid (one ends 10:17, the next starts
                # 10:17) share a row: the later one starts a row down.
                while row in taken and taken[row].end <= a.start and row + 1 < end_row:
                    row += 1
                if any(r in taken for r in range(row, end_row)):
                    column.hidden.append(a)  # truly overlapping: listed under the grid
                    continue
                for r in range(row, end_row):
                    taken[r] = a
                column.cells[row] = {"kind": "visit", "span": end_row - row, "appointment": a}
            core_id = str(provider_id) if provider_id is not None and not by_room else None
            if (day, core_id) not in answers_for:  # rooms share the clinic's answers
                try:
                    answers_for[day, core_id] = availability(
                        state, day, minutes, provider_id=core_id
                    )
                except KeyError:  # an inactive provider: nothing is bookable
                    answers_for[day, core_id] = [Availability.OFF for _ in minutes]
            answers = answers_for[day, core_id]
            row = 0
            while row < len(minutes):
                if row in taken:
                    row += 1
                    continue
                kind = answers[row]
                span = 1
                while (
                    row + span < len(minutes)
                    and row + span not in taken
                    and answers[row + span] == kind
                    and (minutes[row + span] % SLOT_MINUTES) != 0
                ):
                    span += 1
                starts = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
                starts += datetime.timedelta(minutes=minutes[row])
                column.cells[row] = {
                    "kind": str(kind),
                    "span": span,
                    "start": starts,
                    "provider_id": provider_id,
                    "bookable": kind == Availability.OPEN
                    and minutes[row] % SLOT_MINUTES == 0
                    and provider_id is not None
                    and not by_room,
                }
                row += span
            columns.append(column)
    return minutes, columns


class CalendarCells:
    """The calendar's cells as HTML, made here and not in the template: a busy week holds
    thousands of cells, and template tags, filters and a ``{% url %}`` per cell cost more
    than the rest of the page. Links are reversed once per page."""

    def __init__(self, zone: Any, by_room: bool) -> None:
        self.zone = zone
        self.by_room = by_room
        self.bookings_url = url_with_id("patient-bookings")
        self.book_slot_url = escape(reverse("book-slot"))
        self.status_labels = dict(AppointmentStatus.choices)
        self.kind_labels = dict(SeriesKind.choices)
        self.shaded: dict[tuple[str, int], str] = {}

    def html(self, cell: dict[str, Any]) -> str:
        span: int = cell["span"]
        if cell["kind"] == "visit":
            return self._visit(cell["appointment"], span)
        if cell["bookable"]:
            return self._free(cell["provider_id"], cell["start"].astimezone(self.zone), span)
        key = (cell["kind"], span)
        if key not in self.shaded:  # few kinds and lengths: made once each
            self.shaded[key] = format_html(
                '<td rowspan="{}" class="appt-slot {}"></td>', span, cell["kind"]
            )
        return self.shaded[key]

    def _free(self, provider_id: int, start: datetime.datetime, span: int) -> str:
        # Only numbers here (the URL was escaped once): nothing anyone typed, so no escaping
        # per cell, which would cost more than the rest of the cell.
        day = f"{start.year:04d}-{start.month:02d}-{start.day:02d}"
        return (
            f'<td rowspan="{span:d}" class="appt-slot free"><a class="book-slot" '
            f'href="{self.book_slot_url}?provider={provider_id:d}&amp;start={day}'
            f'T{start.hour:02d}:{start.minute:02d}" '
            f'data-testid="free-{provider_id:d}-{day}-{start.hour:02d}{start.minute:02d}" '
            f'aria-label="Book {start.hour:02d}:{start.minute:02d}"></a></td>'
        )

    def _visit(self, a: Appointment, span: int) -> str:
        status_label = self.status_labels.get(a.status, a.status)
        return format_html(
            '<td rowspan="{}" class="appt-slot booked status-{}" data-testid="slot-{}">\n'
            '<a href="{}">{}</a>\n'
            "<span>{}–{}</span>\n"
            "<span>{}</span>\n"
            '<span class="visit-status status-{}">{}</span>\n'
            '<span class="muted">{}</span>\n'
            "</td>",
            span,
            a.status,
            a.pk,
            self.bookings_url.format(a.patient_id),
            a.patient.full_name,
            f"{a.start.astimezone(self.zone):%H:%M}",
            f"{a.end.astimezone(self.zone):%H:%M}",
            f"Session {a.number}"
            if a.series.kind == SeriesKind.TREATMENT
            else self.kind_labels.get(a.series.kind, a.series.kind),
            a.status,
            status_label,
            a.provider.user.get_full_name() if self.by_room else a.room.name,
        )


@capability_required(Capability.SCHEDULE_VIEW)
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The clinic's day or week: every provider side by side (or every room), exact times,
    absences and closures shaded; a free block links to booking at that time."""
    clinic = _staff_only(request)
    zone = clinic.tzinfo
    today = clinic.today()
    day = query_day(request, "date", today) or today
    view = "week" if request.GET.get("view") == "week" else "day"
    days = (
        [day]
        if view == "day"
        else [
            day - datetime.timedelta(days=day.weekday()) + datetime.timedelta(days=n)
            for n in range(7)
        ]
    )
    providers = list(
        Provider.objects.active().filter(clinic=clinic).select_related("user").order_by("pk")
    )
    rooms = list(Room.objects.active().filter(clinic=clinic).order_by("name"))
    room_id = request.GET.get("room", "")
    provider_id = request.GET.get("provider", "")
    by_room = request.GET.get("by") == "room" or room_id.isdigit()
    if by_room:
        chosen_rooms = [r for r in rooms if not room_id.isdigit() or r.pk == int(room_id)]
        if room_id.isdigit() and not chosen_rooms:
            raise Http404("No such room.")
        resources = [(str(r.pk), r.name, None) for r in chosen_rooms]
        provider_id = ""
    else:
        chosen = [p for p in providers if not provider_id.isdigit() or p.pk == int(provider_id)]
        if provider_id.isdigit() and not chosen:
            raise Http404("No such provider.")
        resources = [(str(p.pk), p.user.get_full_name() or str(p), p.pk) for p in chosen]
    start = datetime.datetime.combine(days[0], datetime.time(0), tzinfo=zone)
    end = datetime.datetime.combine(
        days[-1] + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
    )
    listed = list(
        Appointment.objects.filter(clinic=clinic, start__lt=end, end__gt=start)
        .exclude(status__in=CANCELLED_STATUSES)
        .select_related("patient", "room", "provider__user", "series")
        # Only what the grid draws: a busy week holds a thousand visits, and whole rows of
        # patients, users and series cost twice as much to load.
        .only(
            "start",
            "end",
            "status",
            "number",
            "patient__given_name",
            "patient__family_name",
            "room__name",
            "provider__user__first_name",
            "provider__user__last_name",
            "series__kind",
        )
        .order_by("start")
    )
    minutes, columns = calendar_columns(clinic, days, resources, listed, by_room)
    cells = CalendarCells(zone, by_room)
    rows = [
        {
            "time": datetime.time(m // 60, m % 60),
            "label": m % 30 == 0,
            "cells": mark_safe(  # each cell escaped its own values
                "\n".join(cells.html(c.cells[index]) for c in columns if index in c.cells)
            ),
        }
        for index, m in enumerate(minutes)
    ]
    record_event(
        request,
        AuditAction.LIST,
        object_type="appointments.Appointment",
        detail={
            "calendar": view,
            "from": days[0].isoformat(),
            "by": "room" if by_room else "provider",
            "count": len(listed),
        },
    )
    step = datetime.timedelta(days=1 if view == "day" else 7)
    return render(
        request,
        "appointments/calendar.html",
        {
            "days": days,
            "columns": columns,
            "rows": rows,
            "appointments": listed,
            "view": view,
            "by": "room" if by_room else "provider",
            "day": day,
            "previous": day - step,
            "next": day + step,
            "providers": providers,
            "rooms": rooms,
            "provider_id": provider_id if provider_id.isdigit() else "",
            "room_id": room_id if room_id.isdigit() else "",
            "zone": clinic.timezone,
            "today": today,
        },
    )


# -- booking from a free slot --------------------------------------------------------------------


def _slot_from(request: HttpRequest, clinic: Clinic) -> tuple[Provider, datetime.datetime]:
    """The provider and local start a free block names; a bad value is the user's 400."""
    raw_provider = request.GET.get("provider", "")
    raw_start = request.GET.get("start", "")
    provider = (
        Provider.objects.active()
        .filter(clinic=clinic, pk=int(raw_provider))
        .select_related("user")
        .first()
        if raw_provider.isdigit() and len(raw_provider) < 10
        else None
    )
    try:
        naive = datetime.datetime.fromisoformat(raw_start[:16])
    except ValueError:
        naive = None
    if provider is None or naive is None or naive.tzinfo is not None:
        raise SlotInvalid("Choose a free time in the calendar: provider and start time.")
    return provider, naive.replace(tzinfo=clinic.tzinfo)


class SlotInvalid(Exception):
    pass


def _time_of_day(start: datetime.datetime) -> str:
    return "morning" if start.hour < 12 else "afternoon" if start.hour < 17 else "evening"


@capability_required(Capability.SCHEDULE_EDIT)
def book_slot(request: HttpRequest) -> HttpResponse:
    """A free block was clicked: find the patient, then book what fits from that time."""
    clinic = _staff_only(request)
    try:
        provider, start = _slot_from(request, clinic)
    except SlotInvalid as error:
        return render(
            request,
            "appointments/refused.html",
            {"message": str(error), "back": "/calendar/"},
            status=400,
        )
    query = (request.GET.get("q") or "").strip()[:100]
    options: list[dict[str, Any]] = []
    if query:
        patients = Patient.objects.active().filter(clinic=clinic)
        for term in query.split():
            patients = patients.filter(
                Q(given_name__icontains=term)
                | Q(family_name__icontains=term)
                | Q(record_number__icontains=term)
            )
        found = list(patients.order_by("family_name", "given_name")[:20])
        record_event(
            request,
            AuditAction.LIST,
            object_type="patients.Patient",
            detail={"query": query, "count": len(found), "book_slot": start.isoformat()},
        )
        plans = {p.patient_id: p for p in TreatmentPlanRecord.objects.filter(patient__in=found)}
        due = {
            (e.patient.pk, e.series_index): e
            for e in maintenance_entries(
                clinic, states=None, plan_ids=[p.pk for p in plans.values()]
            )
        }
        booked = set(
            SeriesBooking.objects.filter(
                patient__in=found, kind="treatment", status=SeriesStatus.BOOKED
            ).values_list("plan_id", "series_index")
        )
        for patient in found:
            plan = plans.get(patient.pk)
            series = []
            if plan is not None:
                for index, accepted in enumerate(plan.accepted_plan.series):
                    if (plan.pk, index) in booked:
                        continue
                    url = reverse("propose-series", args=[patient.pk, plan.pk, index])
                    series.append(
                        {
                            "index": index,
                            "accepted": accepted,
                            "url": f"{url}?"
                            + urlencode(
                                {
                                    "earliest_start": start.date().isoformat(),
                                    "provider": provider.pk,
                                    "time_of_day": _time_of_day(start),
                                }
                            ),
                        }
                    )
            slot = urlencode({"provider": provider.pk, "start": start.strftime("%Y-%m-%dT%H:%M")})
            consultation = reverse("book-consultation", args=[patient.pk]) + "?" + slot
            maintenance = [
                {
                    "index": entry.series_index,
                    "url": reverse(
                        "maintenance-book", args=[patient.pk, entry.plan.pk, entry.series_index]
                    )
                    + "?"
                    + slot,
                }
                for (patient_id, _), entry in sorted(due.items(), key=lambda item: item[0])
                if patient_id == patient.pk
            ]
            options.append(
                {
                    "patient": patient,
                    "plan": plan,
                    "series": series,
                    "consultation": consultation,
                    "maintenance": maintenance,
                }
            )
    return render(
        request,
        "appointments/book_slot.html",
        {
            "provider": provider,
            "start": start,
            "query": query,
            "options": options,
            "zone": clinic.timezone,
            "slot_query": urlencode(
                {"provider": provider.pk, "start": start.strftime("%Y-%m-%dT%H:%M")}
            ),
        },
    )


# -- provider absences --------------------------------------------------------------------------


@capability_required(Capability.SCHEDULE_EDIT)
def absences_page(request: HttpRequest) -> HttpResponse:
    clinic = _staff_only(request)
    form = AbsenceForm(request.POST or None, clinic=clinic)
    if request.method == "POST" and form.is_valid():
        provider = get_object_or_404(Provider, pk=int(form.cleaned_data["provider"]), clinic=clinic)
        try:
            absence = do_record_absence(
                actor=signed_in_user(request),
                provider=provider,
                start=form.cleaned_data["starts"],
                end=form.cleaned_data["ends"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except SchedulingRefused as error:
            return _refused(request, error, request.path)
        messages.success(request, f"Absence recorded: {absence.get_replan_status_display()}.")
        return redirect("provider-absences")
    absences = list(
        ProviderAbsence.objects.filter(clinic=clinic)
        .select_related("provider__user")
        .order_by("-start")[:50]
    )
    # The re-plan outcomes name the sessions (and patients) each absence moved.
    record_event(
        request,
        AuditAction.LIST,
        object_type="appointments.ProviderAbsence",
        detail={"count": len(absences)},
    )
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "appointments/absences.html",
        {"form": form, "absences": absences, "zone": clinic.timezone},
        status=status,
    )


# -- closure days ---------------------------------------------------------------------------------


@capability_required(Capability.SCHEDULE_VIEW)
def closures_page(request: HttpRequest) -> HttpResponse:
    """The clinic's closure days and holidays (the admin adds and removes them) and the
    sessions already booked on one, for the desk to move."""
    clinic = _staff_only(request)
    may_manage = has_capability(request.user, Capability.CLINIC_MANAGE)
    form = ClosureDayForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied("Only the clinic administrator edits closure days.")
        remove = request.POST.get("remove", "")
        if remove:
            if not remove.isdigit():
                return _refused(request, SchedulingRefused("Choose a closure day."), request.path)
            closure = get_object_or_404(ClosureDay.objects.active(), pk=int(remove), clinic=clinic)
            do_remove_closure_day(actor=signed_in_user(request), closure=closure, request=request)
            messages.success(request, f"{closure} removed: the clinic is open that day.")
            return redirect("closures")
        if form.is_valid():
            try:
                closure = do_add_closure_day(
                    actor=signed_in_user(request),
                    clinic=clinic,
                    request=request,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                found = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
                for name, problems in found.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                messages.success(request, f"{closure} added.")
                return redirect("closures")
    # Two lists, a page of each on its own cursor: the sessions to move, the closure days.
    affected_page = request_page(
        request,
        booked_on_closure_days(clinic),
        ordering=("start", "id"),
        size=BOOKINGS_PAGE_SIZE,
        param="affected",
    )
    affected = with_closure_names(clinic, affected_page)
    if affected:
        record_event(
            request,
            AuditAction.LIST,
            object_type="appointments.Appointment",
            detail={"on_closure_days": [a.pk for a, _name in affected]},
        )
    return render(
        request,
        "appointments/closures.html",
        {
            "form": form,
            "may_manage": may_manage,
            "closures": request_page(
                request,
                ClosureDay.objects.active().filter(clinic=clinic),
                ordering=("date", "id"),
                size=CLOSURES_PAGE_SIZE,
            ),
            "affected": affected,
            "affected_page": affected_page,
            "zone": clinic.timezone,
        },
        status=400 if request.method == "POST" else 200,
    )


# -- the patient's own bookings and .ics ---------------------------------------------------------


def _own_patient(request: HttpRequest) -> Patient:
    if not getattr(request.user, "is_patient", False):
        raise PermissionDenied("This page shows a patient's own bookings; staff use the calendar.")
    patient = (
        Patient.objects.filter(portal_user_id=request.user.pk).select_related("clinic").first()
    )
    if patient is None:
        raise Http404("Your portal account is not linked to a patient record.")
    return patient_for_request(request, patient.pk, Capability.SCHEDULE_VIEW)


def _ics_response(appointments: list[Appointment], filename: str) -> HttpResponse:
    response = HttpResponse(
        build_calendar(appointments), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@capability_required(Capability.SCHEDULE_VIEW)
def portal_bookings(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request)
    rows = (
        Appointment.objects.filter(patient=patient)
        .exclude(status__in=CANCELLED_STATUSES, start__lt=timezone.now())
        .select_related("clinic", "room", "provider__user", "series")
    )
    page = request_page(
        request,
        rows,
        ordering=("-start", "-id"),
        size=BOOKINGS_PAGE_SIZE,
        next_label="Earlier",
        previous_label="Later",
    )
    return render(
        request,
        "appointments/portal.html",
        {"patient": patient, "appointments": page, "page": page, "zone": patient.clinic.timezone},
    )


@capability_required(Capability.SCHEDULE_VIEW)
def portal_ics(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request)
    return _ics_response(calendar_appointments(patient), "my-sessions.ics")


@capability_required(Capability.SCHEDULE_VIEW)
def patient_ics(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for_request(request, patient_id, Capability.SCHEDULE_VIEW, AuditAction.EXPORT)
    return _ics_response(calendar_appointments(patient), f"{patient.record_number}-sessions.ics")
