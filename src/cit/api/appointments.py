"""Series booking over JSON: propose, book, move with cascade, cancel, calendars.

The same actions, role rules and audit events as the pages. A booking or move that collides
with another answers 409 with the resource and time named; nothing of it is written.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from cit.api.bounds import Day, Moment, SeriesIndex, Weekday
from cit.api.errors import ErrorOut
from cit.api.paging import KeysetPagination
from cit.clinic.access import patient_for_request, require_capability, signed_in_user, staff_clinic
from cit.clinic.accounts.models import Provider
from cit.clinic.accounts.permissions import Capability
from cit.clinic.appointments.absences import do_record_absence
from cit.clinic.appointments.booking import do_book_proposal
from cit.clinic.appointments.errors import SchedulingRefused
from cit.clinic.appointments.feeds import calendar_appointments
from cit.clinic.appointments.ics import build_calendar
from cit.clinic.appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    ProviderAbsence,
)
from cit.clinic.appointments.moves import (
    MovePreview,
    do_cancel_session,
    do_move_session,
    do_preview_move,
)
from cit.clinic.appointments.proposals import propose_series
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.facilities.models import Clinic
from cit.clinic.plans.models import TreatmentPlanRecord
from cit.scheduling import PatientPreferences, TimeWindow

router = Router(tags=["appointments"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}


class SessionOut(Schema):
    number: int
    start: datetime.datetime
    end: datetime.datetime
    provider_id: int
    room_id: int
    device_ids: list[int]


class ProposalOut(Schema):
    rank: int
    token: str = Field(..., description="Pass to POST /bookings to book this proposal.")
    score: float
    explanation: list[str]
    sessions: list[SessionOut]


class FailureOut(Schema):
    code: str
    message: str
    details: list[str]


class ProposalsOut(Schema):
    proposals: list[ProposalOut]
    failure: FailureOut | None


class AppointmentOut(Schema):
    id: int
    patient_id: int
    series_id: int
    number: int
    start: datetime.datetime
    end: datetime.datetime
    local_start: str = Field(..., description="Start in the clinic's time zone (ISO 8601).")
    timezone: str
    provider_id: int
    room_id: int
    status: str
    sequence: int


class BookIn(Schema):
    token: str = Field(..., min_length=10)


class BookingOut(Schema):
    series_id: int
    appointments: list[AppointmentOut]


class MoveIn(Schema):
    new_start: Moment = Field(
        ..., description="Aware ISO 8601; a naive time is read in the clinic's time zone."
    )
    provider_id: int | None = None


class ConfirmMoveIn(MoveIn):
    fingerprint: str | None = Field(
        None, description="From the preview: if the cascade would now differ, 409."
    )


class MovedSessionOut(Schema):
    appointment_id: int
    before: datetime.datetime
    after: datetime.datetime
    provider_id: int


class BrokenSeriesOut(Schema):
    series_id: int
    cancelled_appointment_ids: list[int]
    reason: str | None


class CascadeOut(Schema):
    rejected: str | None
    fingerprint: str | None
    moves: list[MovedSessionOut]
    broken: list[BrokenSeriesOut]


class CancelIn(Schema):
    reason: str = Field("", max_length=300)


class AbsenceIn(Schema):
    provider_id: int
    start: Moment
    end: Moment
    reason: str = Field("", max_length=200)


class AbsenceOut(Schema):
    id: int
    provider_id: int
    start: datetime.datetime
    end: datetime.datetime
    replan_status: str
    replan: dict[str, Any]


def _refused(error: SchedulingRefused) -> HttpError:
    return HttpError(error.status_code, error.message)


def _staff(request: HttpRequest, capability: Capability) -> Clinic:
    require_capability(request, capability)
    if not getattr(request.user, "is_staff_member", False):
        raise PermissionDenied("Only clinic staff may do this.")
    return staff_clinic(request)


def _aware(value: datetime.datetime, clinic: Clinic) -> datetime.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=clinic.tzinfo)


def _appointment_out(a: Appointment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "patient_id": a.patient_id,
        "series_id": a.series_id,
        "number": a.number,
        "start": a.start,
        "end": a.end,
        "local_start": a.start.astimezone(a.clinic.tzinfo).isoformat(),
        "timezone": a.clinic.timezone,
        "provider_id": a.provider_id,
        "room_id": a.room_id,
        "status": a.status,
        "sequence": a.sequence,
    }


def _appointment(request: HttpRequest, appointment_id: int, capability: Capability) -> Appointment:
    appointment: Appointment = get_object_or_404(
        Appointment.objects.select_related("clinic", "patient", "series"), pk=appointment_id
    )
    patient_for_request(request, appointment.patient_id, capability, None)
    return appointment


def _cascade_out(preview: MovePreview | None, result: Any) -> dict[str, Any]:
    return {
        "rejected": result.rejected,
        "fingerprint": preview.fingerprint if preview is not None else None,
        "moves": [
            {
                "appointment_id": int(m.after.appointment_id),
                "before": m.before.start,
                "after": m.after.start,
                "provider_id": int(m.after.provider_id),
            }
            for m in result.moves
        ],
        "broken": [
            {
                "series_id": int(o.series_id),
                "cancelled_appointment_ids": [int(s.appointment_id) for s in o.unplaced_sessions],
                "reason": o.reason,
            }
            for o in result.broken
        ],
    }


@router.get(
    "/patients/{patient_id}/plans/{plan_id}/series/{series_index}/proposals",
    response={200: ProposalsOut, **ERRORS},
)
def propose(
    request: HttpRequest,
    patient_id: int,
    plan_id: int,
    series_index: SeriesIndex,
    earliest_start: Day | None = None,
    weekdays: list[Weekday] = Query([]),  # type: ignore[type-arg]  # noqa: B008
    time_window: str | None = Query(None, pattern=r"^\d\d:\d\d-\d\d:\d\d$"),  # type: ignore[type-arg]
    provider_id: int | None = None,
    alternatives: int = Query(3, ge=0, le=5),  # type: ignore[type-arg]
) -> dict[str, Any]:
    """The best schedule for one series of an accepted plan plus alternatives, each with its
    score explained; or why nothing fits."""
    _staff(request, Capability.SCHEDULE_EDIT)
    patient = patient_for_request(request, patient_id, Capability.SCHEDULE_EDIT, None)
    plan = get_object_or_404(TreatmentPlanRecord, pk=plan_id, patient=patient)
    if not 0 <= series_index < len(plan.accepted_plan.series):
        raise HttpError(404, "The plan has no such series.")
    try:
        preferences = PatientPreferences(
            weekdays=frozenset(weekdays),
            time_windows=(TimeWindow.parse(time_window),) if time_window else (),
            provider_id=str(provider_id) if provider_id else None,
        )
    except ValueError as error:
        raise HttpError(422, str(error)) from None
    proposals = propose_series(
        plan=plan,
        series_index=series_index,
        now=timezone.now(),
        earliest_start=earliest_start,
        preferences=preferences,
        alternatives=alternatives,
        actor=signed_in_user(request),
        request=request,
    )
    failure = proposals.result.failure
    return {
        "proposals": [
            {
                "rank": p.rank,
                "token": token,
                "score": p.score.total,
                "explanation": list(p.score.explain()),
                "sessions": [
                    {
                        "number": s.number,
                        "start": s.start,
                        "end": s.end,
                        "provider_id": int(s.provider_id),
                        "room_id": int(s.room_id),
                        "device_ids": [int(d) for d in s.device_ids],
                    }
                    for s in p.sessions
                ],
            }
            for p, token in zip(proposals.result.proposals, proposals.tokens, strict=True)
        ],
        "failure": (
            {
                "code": failure.code.value,
                "message": failure.message,
                "details": list(failure.details),
            }
            if failure
            else None
        ),
    }


@router.post("/bookings", response={201: BookingOut, **WRITE_ERRORS})
def book(request: HttpRequest, payload: BookIn) -> Status[dict[str, Any]]:
    """Book a proposal whole (all sessions or none). 409 when a resource was taken meanwhile."""
    clinic = _staff(request, Capability.SCHEDULE_EDIT)
    try:
        series = do_book_proposal(
            actor=signed_in_user(request), token=payload.token, clinic=clinic, request=request
        )
    except SchedulingRefused as error:
        raise _refused(error) from None
    appointments = series.appointments.select_related("clinic").order_by("number")
    return Status(
        201,
        {"series_id": series.pk, "appointments": [_appointment_out(a) for a in appointments]},
    )


@router.get("/patients/{patient_id}/appointments", response={200: list[AppointmentOut], **ERRORS})
@paginate(KeysetPagination, ordering=("start", "id"), present=_appointment_out)
def patient_appointments(request: HttpRequest, patient_id: int) -> QuerySet[Appointment]:
    """A patient's appointments, earliest first, a page at a time (staff of their clinic, or the
    patient)."""
    require_capability(request, Capability.SCHEDULE_VIEW)
    patient = patient_for_request(request, patient_id, Capability.SCHEDULE_VIEW)
    return Appointment.objects.filter(patient=patient).select_related("clinic")


@router.get(
    "/patients/{patient_id}/appointments.ics",
    response={200: str, **ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "iCalendar",
                "content": {"text/calendar": {"schema": {"type": "string"}}},
            }
        }
    },
)
def patient_ics(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's sessions as one iCalendar file (one VEVENT per session), from 90 days ago
    onwards, as the pages' download and feed."""
    require_capability(request, Capability.SCHEDULE_VIEW)
    patient = patient_for_request(request, patient_id, Capability.SCHEDULE_VIEW, AuditAction.EXPORT)
    rows = calendar_appointments(patient)
    response = HttpResponse(build_calendar(rows), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{patient.record_number}.ics"'
    return response


@router.post("/appointments/{appointment_id}/move/preview", response={200: CascadeOut, **ERRORS})
def preview_move(request: HttpRequest, appointment_id: int, payload: MoveIn) -> dict[str, Any]:
    """What moving this session would do to the rest of its series. Writes nothing."""
    _staff(request, Capability.SCHEDULE_EDIT)
    appointment = _appointment(request, appointment_id, Capability.SCHEDULE_EDIT)
    try:
        preview = do_preview_move(
            actor=signed_in_user(request),
            appointment=appointment,
            new_start=_aware(payload.new_start, appointment.clinic),
            provider_id=payload.provider_id,
            request=request,
        )
    except SchedulingRefused as error:
        raise _refused(error) from None
    return _cascade_out(preview, preview.result)


@router.post("/appointments/{appointment_id}/move", response={200: CascadeOut, **WRITE_ERRORS})
def confirm_move(
    request: HttpRequest, appointment_id: int, payload: ConfirmMoveIn
) -> dict[str, Any]:
    """Move the session and apply the cascade atomically. 409 if the calendar changed since
    the preview (fingerprint) or a resource was taken; 422 if the move breaks a rule."""
    _staff(request, Capability.SCHEDULE_EDIT)
    appointment = _appointment(request, appointment_id, Capability.SCHEDULE_EDIT)
    try:
        result = do_move_session(
            actor=signed_in_user(request),
            appointment=appointment,
            new_start=_aware(payload.new_start, appointment.clinic),
            provider_id=payload.provider_id,
            expected=payload.fingerprint,
            request=request,
        )
    except SchedulingRefused as error:
        raise _refused(error) from None
    return _cascade_out(None, result)


@router.post("/appointments/{appointment_id}/cancel", response={200: AppointmentOut, **ERRORS})
def cancel(request: HttpRequest, appointment_id: int, payload: CancelIn) -> dict[str, Any]:
    """Cancel one session of a series and release its room, provider and device; the appointment
    stays as evidence. With little notice it counts as a late cancellation. The patient is
    sent a calendar cancellation."""
    _staff(request, Capability.SCHEDULE_EDIT)
    appointment = _appointment(request, appointment_id, Capability.SCHEDULE_EDIT)
    try:
        cancelled = do_cancel_session(
            actor=signed_in_user(request),
            appointment=appointment,
            reason=payload.reason,
            request=request,
        )
    except SchedulingRefused as error:
        raise _refused(error) from None
    return _appointment_out(cancelled)


@router.get("/calendar", response={200: list[AppointmentOut], **ERRORS})
def calendar(
    request: HttpRequest,
    start: Moment,
    end: Moment,
    provider_id: int | None = None,
    room_id: int | None = None,
) -> list[dict[str, Any]]:
    """Booked sessions of the staff member's clinic overlapping [start, end), optionally for
    one provider or one room (at most 31 days)."""
    clinic = _staff(request, Capability.SCHEDULE_VIEW)
    start, end = _aware(start, clinic), _aware(end, clinic)
    if end <= start or end - start > datetime.timedelta(days=31):
        raise HttpError(422, "end must be after start, at most 31 days later.")
    rows = Appointment.objects.filter(
        clinic=clinic, status__in=HOLDING_STATUSES, start__lt=end, end__gt=start
    )
    if provider_id is not None:
        rows = rows.filter(provider_id=provider_id)
    if room_id is not None:
        rows = rows.filter(room_id=room_id)
    listed = list(rows.select_related("clinic").order_by("start"))
    record_event(
        request,
        AuditAction.LIST,
        object_type="appointments.Appointment",
        detail={"calendar": [start.isoformat(), end.isoformat()], "count": len(listed)},
    )
    return [_appointment_out(a) for a in listed]


@router.post("/absences", response={201: AbsenceOut, **ERRORS})
def record_absence(request: HttpRequest, payload: AbsenceIn) -> Status[ProviderAbsence]:
    """Record a provider's absence and re-plan the sessions it hits (greedy now for a few
    series, CP-SAT in the background for many: ``replan_status`` says which)."""
    clinic = _staff(request, Capability.SCHEDULE_EDIT)
    provider = get_object_or_404(Provider, pk=payload.provider_id, clinic=clinic)
    try:
        absence = do_record_absence(
            actor=signed_in_user(request),
            provider=provider,
            start=_aware(payload.start, clinic),
            end=_aware(payload.end, clinic),
            reason=payload.reason,
            request=request,
        )
    except SchedulingRefused as error:
        raise _refused(error) from None
    return Status(201, absence)
