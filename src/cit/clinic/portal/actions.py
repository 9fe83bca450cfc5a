"""Change requests from the portal: the patient asks, staff confirm or decline.

Confirming runs the ordinary ``do_move_session`` / ``do_cancel_session`` (the same checks,
cascade and audit as the desk's own move or cancel); a refusal there leaves the request
waiting, with the reason shown to staff.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from cit.clinic.accounts.models import User
from cit.clinic.appointments.convert import booked_series, core_clinic, position_in
from cit.clinic.appointments.errors import SchedulingRefused
from cit.clinic.appointments.models import Appointment, AppointmentStatus
from cit.clinic.appointments.moves import do_cancel_session, do_move_session
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.portal.models import ChangeKind, ChangeRequest, RequestStatus
from cit.clinic.portal.tasks import tell_patient_of_answer
from cit.scheduling.requests import MoveRequestCheck, MoveRequestRefusal, check_move_request
from cit.scheduling.wording import day_words


class RequestRefused(Exception):
    """The request cannot be made or decided; ``message`` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def request_notice() -> datetime.timedelta:
    """A change asked for through the portal needs the clinic's late-cancellation notice."""
    return datetime.timedelta(hours=settings.LATE_CANCEL_HOURS)


def check_reschedule(
    appointment: Appointment, new_start: datetime.datetime, now: datetime.datetime
) -> MoveRequestCheck:
    series = booked_series(appointment.series)
    number = position_in(series, appointment.pk)
    clinic = core_clinic(
        appointment.clinic,
        new_start.date() - datetime.timedelta(days=2),
        new_start.date() + datetime.timedelta(days=2),
    )
    return check_move_request(series, number, new_start, clinic, now=now, notice=request_notice())


def refusal_words(check: MoveRequestCheck, appointment: Appointment) -> str:
    """The patient's words for why the time cannot be asked for."""
    refusal = check.refusal
    hours = settings.LATE_CANCEL_HOURS
    window = {
        "first": day_words(check.earliest),
        "last": day_words(check.latest) if check.latest else "",
    }
    if refusal is MoveRequestRefusal.UNCHANGED:
        return _("That is the time already booked. Please choose a different day or time.")
    if refusal is MoveRequestRefusal.IN_THE_PAST:
        return _("That time has already passed. Please choose a time in the future.")
    if refusal is MoveRequestRefusal.TOO_LITTLE_NOTICE:
        return _(
            "The clinic needs at least %(hours)s hours' notice to change a session. "
            "For a change at shorter notice, please call the clinic."
        ) % {"hours": hours}
    if refusal is MoveRequestRefusal.CLINIC_CLOSED:
        return _("The clinic is closed that day. Please choose another day.")
    if refusal is MoveRequestRefusal.OUTSIDE_OPENING_HOURS:
        minutes = int((appointment.end - appointment.start).total_seconds() // 60)
        return _(
            "Your visit takes %(minutes)s minutes and must fit within the clinic's opening "
            "hours that day. Please choose an earlier time or another day."
        ) % {"minutes": minutes}
    if refusal is MoveRequestRefusal.OUTSIDE_SERIES_WINDOW:
        if check.latest is None:
            return (
                _("For your treatment to work, this session can be no earlier than %(first)s.")
                % window
            )
        return (
            _(
                "For your treatment to work, the sessions need the right gap between them: "
                "this session can move to a day from %(first)s to %(last)s."
            )
            % window
        )
    return ""


def _changeable(appointment: Appointment, now: datetime.datetime) -> None:
    if appointment.status != AppointmentStatus.BOOKED or appointment.start <= now:
        raise RequestRefused(_("Only a session that is still to come can be changed."))
    if appointment.start < now + request_notice():
        raise RequestRefused(
            _(
                "This session is less than %(hours)s hours away. To change it, please call "
                "the clinic."
            )
            % {"hours": settings.LATE_CANCEL_HOURS}
        )


def do_request_change(
    *,
    actor: User,
    appointment: Appointment,
    kind: str,
    requested_start: datetime.datetime | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> ChangeRequest:
    """The patient asks to move (to ``requested_start``) or cancel their session."""
    now = now or timezone.now()
    _changeable(appointment, now)
    if kind == ChangeKind.RESCHEDULE:
        if requested_start is None:
            raise RequestRefused(_("Choose the day and time you would like instead."))
        check = check_reschedule(appointment, requested_start, now)
        if check.refusal is not None:
            raise RequestRefused(refusal_words(check, appointment))
    elif kind == ChangeKind.CANCEL:
        requested_start = None
    else:
        raise RequestRefused(_("Choose whether to move or cancel the session."))
    try:
        with transaction.atomic():
            change = ChangeRequest.objects.create(
                patient=appointment.patient,
                appointment=appointment,
                kind=kind,
                requested_start=requested_start,
                note=note[:300],
            )
    except IntegrityError:
        raise RequestRefused(
            _("You have already asked to change this session; the clinic will answer soon.")
        ) from None
    record_event(
        request,
        AuditAction.CREATE,
        actor=actor,
        patient=appointment.patient,
        obj=change,
        detail={
            "appointment": appointment.pk,
            "kind": kind,
            "requested_start": requested_start.isoformat() if requested_start else None,
        },
    )
    return change


def _tell_patient_on_commit(request_id: int) -> None:
    transaction.on_commit(lambda: tell_patient_of_answer.enqueue(request_id))


def _lock_pending(change: ChangeRequest) -> ChangeRequest:
    locked = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    if locked.status != RequestStatus.PENDING:
        raise RequestRefused("This request has already been answered.")
    return locked


def _settle(
    locked: ChangeRequest,
    status: str,
    *,
    actor: User,
    at: datetime.datetime,
    request: HttpRequest | None,
    staff: bool = False,
    also_saved: list[str] | None = None,
) -> None:
    """End a waiting request with ``status``, audited. Staff answers record who decided and
    tell the patient an answer is waiting; a patient's withdrawal does neither."""
    locked.status = status
    locked.decided_at = at
    fields = ["status", "decided_at", *(also_saved or [])]
    if staff:
        locked.decided_by = actor
        fields.append("decided_by")
    locked.save(update_fields=fields)
    if staff:
        _tell_patient_on_commit(locked.pk)
    record_event(
        request,
        AuditAction.UPDATE,
        actor=actor,
        patient=locked.patient,
        obj=locked,
        detail={"status": locked.status},
    )


def do_withdraw_request(
    *, actor: User, change: ChangeRequest, request: HttpRequest | None = None
) -> ChangeRequest:
    with transaction.atomic():
        locked = _lock_pending(change)
        _settle(locked, RequestStatus.WITHDRAWN, actor=actor, at=timezone.now(), request=request)
    return locked


def do_confirm_request(
    *,
    actor: User,
    change: ChangeRequest,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> ChangeRequest:
    """Staff confirm: the session is moved (its series re-planned) or cancelled by the
    ordinary actions; if they refuse, nothing changes and the request stays waiting."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_pending(change)
        appointment = Appointment.objects.select_related("clinic", "patient", "series").get(
            pk=locked.appointment_id
        )
        try:
            if locked.kind == ChangeKind.RESCHEDULE:
                assert locked.requested_start is not None  # the check constraint
                do_move_session(
                    actor=actor,
                    appointment=appointment,
                    new_start=locked.requested_start,
                    now=now,
                    request=request,
                )
            else:
                do_cancel_session(
                    actor=actor,
                    appointment=appointment,
                    reason="The patient asked through the portal"
                    + (f": {locked.note}" if locked.note else ""),
                    now=now,
                    request=request,
                )
        except SchedulingRefused as error:
            raise RequestRefused(str(error)) from None
        _settle(locked, RequestStatus.CONFIRMED, actor=actor, at=now, request=request, staff=True)
    return locked


def do_decline_request(
    *,
    actor: User,
    change: ChangeRequest,
    reason: str,
    request: HttpRequest | None = None,
) -> ChangeRequest:
    """Staff decline, saying why; the patient sees the reason on the portal."""
    reason = reason.strip()
    if not reason:
        raise RequestRefused("Say why, so the patient knows what to do instead.")
    with transaction.atomic():
        locked = _lock_pending(change)
        locked.decline_reason = reason[:300]
        _settle(
            locked,
            RequestStatus.DECLINED,
            actor=actor,
            at=timezone.now(),
            request=request,
            staff=True,
            also_saved=["decline_reason"],
        )
    return locked
