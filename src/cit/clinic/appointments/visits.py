"""The visit's life cycle: check-in, session started, completed, no-show.

Each change is one ``do_*`` action in one transaction, with the appointment row locked, the
rule from the pure core (``cit.scheduling.lifecycle``) and an audit event. Cancelling is
``moves.do_cancel_session``. Charting calls ``start_visit_for_note`` and
``complete_visit_for_note`` from its own actions (same transaction), never through signals.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.appointments.errors import SchedulingRefused
from cit.clinic.appointments.holds import visit_of
from cit.clinic.appointments.models import Appointment, AppointmentStatus, ResourceHold
from cit.clinic.appointments.schedule_index import bump_schedule_version
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.scheduling.lifecycle import TransitionRefused, VisitEvent, next_status


def _late_notice() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.LATE_CANCEL_HOURS)


def _change(
    *,
    actor: User,
    appointment: Appointment,
    event: VisitEvent,
    now: datetime.datetime | None,
    request: HttpRequest | None,
    stamp: str | None,
    release_holds: bool = False,
    detail: dict[str, Any] | None = None,
) -> Appointment:
    """Lock the row, ask the core whether ``event`` is allowed now, write the new status."""
    now = now or timezone.now()
    with transaction.atomic():
        locked: Appointment = (
            Appointment.objects.select_for_update()
            .select_related("clinic", "patient")
            .get(pk=appointment.pk)
        )
        try:
            status = next_status(visit_of(locked), event, now=now, late_notice=_late_notice())
        except TransitionRefused as error:
            raise SchedulingRefused(error.message) from None
        before = locked.status
        locked.status = AppointmentStatus(status.value)
        fields = ["status", "updated_at"]
        if stamp is not None:
            setattr(locked, stamp, now)
            fields.append(stamp)
        if event is VisitEvent.UNDO_CHECK_IN:
            locked.arrived_at = None
            fields.append("arrived_at")
        if release_holds:
            locked.sequence += 1
            fields.append("sequence")
            ResourceHold.objects.filter(appointment=locked, active=True).update(
                active=False, released_at=now
            )
        locked.save(update_fields=fields)
        record_event(
            request,
            AuditAction.UPDATE,
            actor=actor,
            patient=locked.patient,
            obj=locked,
            detail={"event": str(event), "from": before, "status": locked.status, **(detail or {})},
        )
        if release_holds:
            bump_schedule_version(locked.clinic_id, [locked.pk])
    return locked


def do_check_in(
    *,
    actor: User,
    appointment: Appointment,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> Appointment:
    """The patient has arrived for the visit."""
    return _change(
        actor=actor,
        appointment=appointment,
        event=VisitEvent.CHECK_IN,
        now=now,
        request=request,
        stamp="arrived_at",
    )


def do_undo_check_in(
    *,
    actor: User,
    appointment: Appointment,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> Appointment:
    """Checked in by mistake: back to booked."""
    return _change(
        actor=actor,
        appointment=appointment,
        event=VisitEvent.UNDO_CHECK_IN,
        now=now,
        request=request,
        stamp=None,
    )


def do_mark_no_show(
    *,
    actor: User,
    appointment: Appointment,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> Appointment:
    """The patient did not come: the visit's holds are released (the time is free again);
    the rest of the series can then be re-planned (``noshow.propose_after_no_show``)."""
    return _change(
        actor=actor,
        appointment=appointment,
        event=VisitEvent.NO_SHOW,
        now=now,
        request=request,
        stamp="no_show_at",
        release_holds=True,
    )


def do_start_visit(
    *,
    actor: User,
    appointment: Appointment,
    note: Any = None,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> Appointment:
    """The session of this visit has started (its note, when given, is linked to it)."""
    locked = _change(
        actor=actor,
        appointment=appointment,
        event=VisitEvent.START,
        now=now,
        request=request,
        stamp="treatment_started_at",
        detail={"note": note.pk} if note is not None else None,
    )
    if note is not None:
        locked.session_note = note
        locked.save(update_fields=["session_note", "updated_at"])
    return locked


def do_complete_visit(
    *,
    actor: User,
    appointment: Appointment,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> Appointment:
    """The session note of this visit is signed: the visit is completed."""
    return _change(
        actor=actor,
        appointment=appointment,
        event=VisitEvent.COMPLETE,
        now=now,
        request=request,
        stamp="completed_at",
    )


def visit_for_session(patient: Any, day: datetime.date) -> Appointment | None:
    """The patient's visit a session charted on ``day`` belongs to: one checked in first, else
    the earliest still booked that day (never a consultation)."""
    zone = patient.clinic.tzinfo
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
    end = start + datetime.timedelta(days=1)
    candidates = (
        Appointment.objects.filter(
            patient=patient,
            start__gte=start,
            start__lt=end,
            session_note__isnull=True,
            status__in=(AppointmentStatus.ARRIVED, AppointmentStatus.BOOKED),
        )
        .exclude(series__kind="consultation")  # it has no session: the clinician marks it done
        .order_by("start")
    )
    return (
        candidates.filter(status=AppointmentStatus.ARRIVED).first()
        or candidates.filter(status=AppointmentStatus.BOOKED).first()
    )


def start_visit_for_note(
    *, actor: User, note: Any, request: HttpRequest | None = None
) -> Appointment | None:
    """Called by charting when a session starts: the visit of that day goes in treatment.
    A session without a booked visit (a walk-in) changes no appointment."""
    appointment = visit_for_session(note.patient, note.session_date)
    if appointment is None or appointment.clinic.today() != note.session_date:
        return None
    try:
        return do_start_visit(actor=actor, appointment=appointment, note=note, request=request)
    except SchedulingRefused:
        return None  # the note stands; the visit keeps its status


def complete_visit_for_note(
    *, actor: User, note: Any, request: HttpRequest | None = None
) -> Appointment | None:
    """Called by charting when a note is signed: its visit, if any, is completed."""
    appointment = (
        Appointment.objects.filter(session_note=note, status=AppointmentStatus.IN_TREATMENT)
        .select_related("clinic")
        .first()
    )
    if appointment is None:
        return None
    return do_complete_visit(actor=actor, appointment=appointment, request=request)
