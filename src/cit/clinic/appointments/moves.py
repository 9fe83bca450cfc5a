"""Moving and cancelling a booked session: the preview of the cascade through its series,
the move itself, and the warning when a cancel leaves too wide a gap."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.appointments.calendar_models import CalendarMethod
from cit.clinic.appointments.convert import (
    booked_series,
    build_state,
    hold_rows,
    position_in,
    request_from_json,
    series_span,
)
from cit.clinic.appointments.errors import BookingConflict, SchedulingRefused
from cit.clinic.appointments.holds import MOVED_FIELDS, moved_to, visit_of, write_holds
from cit.clinic.appointments.invitations import on_commit_send
from cit.clinic.appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    ResourceHold,
    SeriesBooking,
    SeriesStatus,
)
from cit.clinic.appointments.reminders import schedule_reminders
from cit.clinic.appointments.schedule_index import bump_schedule_version
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.facilities.models import Clinic
from cit.scheduling import (
    BookedSeries,
    ReplanResult,
    SessionMoved,
    replan,
)
from cit.scheduling.lifecycle import TransitionRefused, VisitEvent, next_status


@dataclass(frozen=True)
class MovePreview:
    appointment: Appointment
    change: SessionMoved
    result: ReplanResult
    fingerprint: str
    """Names this exact cascade: confirming with it applies nothing else."""

    @property
    def rejected(self) -> str | None:
        return self.result.rejected


def _fingerprint(result: ReplanResult) -> str:
    parts = [
        (
            move.after.appointment_id,
            move.after.start.isoformat(),
            move.after.provider_id,
            move.after.room_id,
            move.after.device_ids,
        )
        for move in result.moves
    ] + [
        ("unplaced", s.appointment_id)
        for outcome in result.broken
        for s in outcome.unplaced_sessions
    ]
    digest = hashlib.sha256(json.dumps(sorted(map(str, parts))).encode()).hexdigest()
    return digest[:20]


def state_around(
    clinic: Clinic,
    series: Sequence[BookedSeries],
    now: datetime.datetime,
    *extra: datetime.datetime,
) -> Any:
    start, end = series_span(series)
    start = min(start, now, *extra) - datetime.timedelta(days=1)
    end = max(end, *extra) + datetime.timedelta(days=1) + datetime.timedelta(days=60)
    return build_state(clinic, start, end, today=clinic.today(now))


def _preview(
    appointment: Appointment,
    new_start: datetime.datetime,
    provider_id: int | None,
    now: datetime.datetime,
) -> MovePreview:
    if not appointment.is_booked:
        raise SchedulingRefused("Only a booked session can be moved.")
    series = booked_series(appointment.series)
    change = SessionMoved(
        str(appointment.series_id),
        position_in(series, appointment.pk),
        new_start,
        str(provider_id) if provider_id else None,
    )
    state = state_around(appointment.clinic, [series], now, new_start)
    result = replan([series], state, change, now=now)
    return MovePreview(appointment, change, result, _fingerprint(result))


def do_preview_move(
    *,
    actor: User,
    appointment: Appointment,
    new_start: datetime.datetime,
    provider_id: int | None = None,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> MovePreview:
    """What moving this session would do to the rest of its series; writes nothing but the
    audit event (the preview shows the patient's bookings)."""
    now = now or timezone.now()
    preview = _preview(appointment, new_start, provider_id, now)
    record_event(
        request,
        AuditAction.VIEW,
        actor=actor,
        patient=appointment.patient,
        obj=appointment,
        detail={
            "preview_move_to": new_start.isoformat(),
            "moves": len(preview.result.moves),
            "rejected": preview.rejected,
        },
    )
    return preview


def do_move_session(
    *,
    actor: User,
    appointment: Appointment,
    new_start: datetime.datetime,
    provider_id: int | None = None,
    expected: str | None = None,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> ReplanResult:
    """Move the session and cascade the series, atomically. ``expected`` is the fingerprint of
    the preview the user confirmed: if the cascade would now differ, nothing is applied."""
    now = now or timezone.now()
    clinic = appointment.clinic
    try:
        with transaction.atomic():
            # Lock the series so two desks cannot move its sessions at once.
            list(
                Appointment.objects.select_for_update()
                .filter(series_id=appointment.series_id)
                .order_by("pk")
            )
            appointment.refresh_from_db()
            preview = _preview(appointment, new_start, provider_id, now)
            if preview.rejected:
                raise SchedulingRefused(f"Not moved: {preview.rejected}.")
            if expected is not None and expected != preview.fingerprint:
                raise BookingConflict(
                    "The calendar changed since the preview; nothing was moved. "
                    "Review the new cascade and confirm again."
                )
            touched = apply_replan(
                preview.result, clinic, now, cancel_reason="could not be kept within the window"
            )
            record_event(
                request,
                AuditAction.UPDATE,
                actor=actor,
                patient=appointment.patient,
                obj=appointment,
                detail={
                    "moved_to": new_start.isoformat(),
                    "moves": [
                        {
                            "appointment": m.after.appointment_id,
                            "from": m.before.start.isoformat(),
                            "to": m.after.start.isoformat(),
                        }
                        for m in preview.result.moves
                    ],
                    "cancelled": [
                        s.appointment_id for o in preview.result.broken for s in o.unplaced_sessions
                    ],
                },
            )
            bump_schedule_version(clinic.pk, touched)
    except IntegrityError as error:
        raise BookingConflict(
            "Not moved: another booking took one of these times at the same moment. "
            "Nothing was changed; preview again."
        ) from error
    return preview.result


def apply_replan(
    result: ReplanResult, clinic: Clinic, now: datetime.datetime, *, cancel_reason: str
) -> list[int]:
    """Write a re-plan: moved sessions keep their appointment ids and get new holds; sessions
    that found no place are cancelled. Old holds are released first, so a series can slide
    into times it held itself."""
    moved = {
        int(m.after.appointment_id): (m, o.patient_id)
        for o in result.outcomes
        for m in o.moves
        if m.after.appointment_id
    }
    unplaced = {
        int(s.appointment_id): o.reason
        for o in result.outcomes
        for s in o.unplaced_sessions
        if s.appointment_id
    }
    touched = set(moved) | set(unplaced)
    if not touched:
        return []
    under_way = (
        Appointment.objects.filter(pk__in=touched)
        .exclude(status=AppointmentStatus.BOOKED)
        .order_by("number")
        .first()
    )
    if under_way is not None:
        raise SchedulingRefused(
            f"Session {under_way.number} is already {under_way.get_status_display().lower()}; "
            "it cannot be moved."
        )
    ResourceHold.objects.filter(appointment_id__in=touched, active=True).update(
        active=False, released_at=now
    )
    new_holds: list[ResourceHold] = []
    appointments = list(Appointment.objects.filter(pk__in=moved).order_by("pk"))
    for appointment in appointments:
        move, patient_id = moved[appointment.pk]
        moved_to(appointment, move.after, timezone.now())
        new_holds.extend(hold_rows(appointment, move.after, int(patient_id)))
    # One statement for all moves (and one per reason for the cancellations), not one per
    # session: a clinic-wide re-plan moves hundreds.
    Appointment.objects.bulk_update(appointments, MOVED_FIELDS)
    write_holds(clinic, new_holds)
    by_reason: dict[str, list[int]] = {}
    for appointment_id, reason in unplaced.items():
        by_reason.setdefault((reason or cancel_reason)[:300], []).append(appointment_id)
    for reason, appointment_ids in by_reason.items():
        Appointment.objects.filter(pk__in=appointment_ids).update(
            status=AppointmentStatus.CANCELLED,
            cancelled_at=now,
            cancel_reason=reason,
            sequence=F("sequence") + 1,
        )
    ids = sorted(moved)
    transaction.on_commit(lambda: schedule_reminders(ids))
    on_commit_send(ids, CalendarMethod.REQUEST)
    on_commit_send(sorted(unplaced), CalendarMethod.CANCEL)
    return sorted(touched)


def do_cancel_session(
    *,
    actor: User,
    appointment: Appointment,
    reason: str = "",
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> Appointment:
    """Cancel one session and release its holds; the row stays as evidence. Cancelled with
    less than ``LATE_CANCEL_HOURS`` notice, it is recorded as a late cancellation."""
    now = now or timezone.now()
    with transaction.atomic():
        locked: Appointment = (
            Appointment.objects.select_for_update().select_related("clinic").get(pk=appointment.pk)
        )
        try:
            status = next_status(
                visit_of(locked),
                VisitEvent.CANCEL,
                now=now,
                late_notice=datetime.timedelta(hours=settings.LATE_CANCEL_HOURS),
            )
        except TransitionRefused as error:
            raise SchedulingRefused(error.message) from None
        before = locked.status
        locked.status = AppointmentStatus(status.value)
        locked.cancelled_at = now
        locked.cancel_reason = reason[:300]
        locked.sequence += 1
        locked.save(
            update_fields=["status", "cancelled_at", "cancel_reason", "sequence", "updated_at"]
        )
        ResourceHold.objects.filter(appointment=locked, active=True).update(
            active=False, released_at=now
        )
        on_commit_send([locked.pk], CalendarMethod.CANCEL)
        if not Appointment.objects.filter(
            series_id=locked.series_id, status__in=HOLDING_STATUSES
        ).exists():
            SeriesBooking.objects.filter(pk=locked.series_id).update(status=SeriesStatus.CANCELLED)
        record_event(
            request,
            AuditAction.UPDATE,
            actor=actor,
            patient=locked.patient,
            obj=locked,
            detail={
                "cancelled": True,
                "from": before,
                "status": locked.status,
                "reason": reason[:300],
            },
        )
        bump_schedule_version(locked.clinic_id, [locked.pk])
    return locked


def cancel_gap_warning(appointment: Appointment) -> str | None:
    """After cancelling, the neighbours' interval may leave the window: say so before."""
    booked = list(
        Appointment.objects.filter(
            series_id=appointment.series_id, status=AppointmentStatus.BOOKED
        ).order_by("start")
    )
    ids = [a.pk for a in booked]
    if appointment.pk not in ids:
        return None
    index = ids.index(appointment.pk)
    if index == 0 or index == len(ids) - 1:
        return None
    zone = appointment.clinic.tzinfo
    before, after = booked[index - 1], booked[index + 1]
    days = (after.start.astimezone(zone).date() - before.start.astimezone(zone).date()).days
    window = request_from_json(appointment.series.request).interval
    if window.allows(days):
        return None
    return (
        f"Sessions {before.number} and {after.number} would be {days} days apart; the window "
        f"is {window.min_days}–{window.max_days} days. Consider moving session "
        f"{after.number} instead."
    )
