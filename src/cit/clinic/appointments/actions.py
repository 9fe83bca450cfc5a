"""Booking, moving and cancelling sessions; provider absences. Every state change is here.

Each action runs in one transaction and never checks-then-acts in Python alone: on PostgreSQL
the exclusion constraint on ``ResourceHold`` refuses an overlapping hold (the IntegrityError
becomes ``BookingConflict``, HTTP 409); on SQLite the transaction holds the write lock from
BEGIN (``transaction_mode=IMMEDIATE``), so the overlap query inside it cannot be raced.
Reminders are enqueued with ``transaction.on_commit``; the tasks themselves are idempotent.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import Provider
from cit.clinic.appointments.calendar_models import CalendarMethod
from cit.clinic.appointments.convert import (
    booked_series,
    build_state,
    hold_rows,
    planned_sessions,
    position_in,
    request_from_json,
    request_to_json,
    series_request,
    series_span,
    session_from_json,
    session_to_json,
    state_for_search,
)
from cit.clinic.appointments.errors import BookingConflict, SchedulingRefused
from cit.clinic.appointments.invitations import on_commit_send
from cit.clinic.appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    ProviderAbsence,
    ResourceHold,
    SeriesBooking,
    SeriesKind,
    SeriesStatus,
)
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.facilities.models import Clinic, Device, Room
from cit.clinic.patients.models import Patient
from cit.clinic.plans.models import TreatmentPlanRecord
from cit.scheduling import (
    BookedSeries,
    BookedSession,
    PatientPreferences,
    ProviderUnavailable,
    ReplanResult,
    SeriesRequest,
    SeriesSearchResult,
    SessionMoved,
    ViolationCode,
    check_series,
    find_series,
    optimise_replan,
    replan,
)
from cit.scheduling.lifecycle import TransitionRefused, Visit, VisitEvent, VisitStatus, next_status

PROPOSAL_SALT = "cit.appointments.proposal"
PROPOSAL_MAX_AGE = 60 * 60  # an hour: a proposal older than that is re-proposed
RESOURCE_VIOLATIONS = {ViolationCode.DOUBLE_BOOKED, ViolationCode.SERIES_OVERLAP}


# -- naming resources in messages --------------------------------------------------------------


def describe_resource(key: str) -> str:
    """``room:3`` -> ``room "Treatment room 1"``: conflict messages name what is taken."""
    kind, _, raw_id = key.partition(":")
    try:
        pk = int(raw_id)
    except ValueError:
        return key
    if kind == "provider":
        provider = Provider.objects.select_related("user").filter(pk=pk).first()
        return f"provider {provider}" if provider else key
    if kind == "room":
        room = Room.objects.filter(pk=pk).first()
        return f'room "{room.name}"' if room else key
    if kind == "device":
        device = Device.objects.filter(pk=pk).first()
        return f"{device.get_kind_display().lower()} {device}" if device else key
    if kind == "patient":
        return "the patient (another appointment of theirs)"
    return key


def describe_time(start: datetime.datetime, end: datetime.datetime, clinic: Clinic) -> str:
    local_start, local_end = start.astimezone(clinic.tzinfo), end.astimezone(clinic.tzinfo)
    return f"{local_start:%a %d %b %Y %H:%M}–{local_end:%H:%M} ({clinic.timezone})"


def find_conflict(clinic: Clinic, holds: Iterable[ResourceHold]) -> BookingConflict | None:
    """The first active hold overlapping any of ``holds``, as a conflict naming it."""
    wanted = list(holds)
    if not wanted:
        return None
    overlap = Q()
    for hold in wanted:
        overlap |= Q(resource=hold.resource, start__lt=hold.end, end__gt=hold.start)
    exclude_ids = {h.appointment_id for h in wanted if h.appointment_id is not None}
    taken = (
        ResourceHold.objects.filter(overlap, active=True)
        .exclude(appointment_id__in=exclude_ids)
        .order_by("start")
        .first()
    )
    if taken is None:
        return None
    return BookingConflict(
        f"Not booked: {describe_resource(taken.resource)} is already booked "
        f"{describe_time(taken.start, taken.end, clinic)}. Nothing was saved; "
        "propose again to get free times.",
        details=(taken.resource, taken.start.isoformat(), taken.end.isoformat()),
    )


def move_appointment(appointment: Appointment, session: BookedSession) -> None:
    """Put the appointment at ``session``'s time, provider and room as a new version of it,
    so its reminder is due (and sent) again. The caller releases the old holds and writes
    the new ones (``write_holds``)."""
    appointment.start, appointment.end = session.start, session.end
    appointment.provider_id = int(session.provider_id)
    appointment.room_id = int(session.room_id)
    appointment.sequence = F("sequence") + 1
    appointment.reminder_due_at = reminder_due(session.start)
    appointment.reminder_claimed_at = None
    appointment.reminder_sent_at = None
    appointment.save(
        update_fields=[
            "start",
            "end",
            "provider",
            "room",
            "sequence",
            "reminder_due_at",
            "reminder_claimed_at",
            "reminder_sent_at",
            "updated_at",
        ]
    )


def write_holds(clinic: Clinic, holds: list[ResourceHold]) -> None:
    """Write the holds of booked or moved sessions, or raise the clash that stops them.

    SQLite: the check runs under the write lock taken at BEGIN, so it is final. PostgreSQL:
    it gives the clear message; the exclusion constraint is the guarantee."""
    conflict = find_conflict(clinic, holds)
    if conflict is not None:
        raise conflict
    ResourceHold.objects.bulk_create(holds)


# -- proposing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesProposals:
    plan: TreatmentPlanRecord
    series_index: int
    request: SeriesRequest
    result: SeriesSearchResult
    tokens: tuple[str, ...]
    """One signed token per proposal: what ``do_book_series`` is given to book it."""


def default_earliest_start(
    plan: TreatmentPlanRecord, series_index: int, today: datetime.date
) -> datetime.date:
    planned = planned_sessions(plan, series_index)
    first = planned[min(planned)].planned_on if planned else today
    return max(today, first)


def propose_series(
    *,
    plan: TreatmentPlanRecord,
    series_index: int,
    now: datetime.datetime,
    earliest_start: datetime.date | None = None,
    preferences: PatientPreferences | None = None,
    alternatives: int = 3,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> SeriesProposals:
    """The best schedule for the plan's series and a few alternatives (or why none fits)."""
    clinic = plan.patient.clinic
    today = clinic.today(now)
    earliest = max(today, earliest_start or default_earliest_start(plan, series_index, today))
    search_request = series_request(
        plan, series_index, earliest_start=earliest, preferences=preferences
    )
    state = state_for_search(clinic, search_request, today=today)
    result = find_series(search_request, state, not_before=now, alternatives=alternatives)
    # A booked series may later move anywhere from the booking day on, so store that window.
    stored = series_request(plan, series_index, earliest_start=today, preferences=preferences)
    tokens = tuple(
        sign_proposal(
            patient=plan.patient,
            plan=plan,
            series_index=series_index,
            kind=SeriesKind.TREATMENT,
            stored=stored,
            sessions=proposal.sessions,
        )
        for proposal in result.proposals
    )
    record_event(
        request,
        AuditAction.VIEW,
        actor=actor,
        patient=plan.patient,
        obj=plan,
        detail={"proposed_series": series_index, "proposals": len(result.proposals)},
    )
    return SeriesProposals(plan, series_index, search_request, result, tokens)


def sign_proposal(
    *,
    patient: Patient,
    plan: TreatmentPlanRecord | None,
    series_index: int,
    kind: str,
    stored: SeriesRequest,
    sessions: Sequence[BookedSession],
) -> str:
    """What ``do_book_proposal`` is given to book one proposal (of any kind) as proposed."""
    return signing.dumps(
        {
            "patient": patient.pk,
            "plan": plan.pk if plan is not None else None,
            "series_index": series_index,
            "kind": str(kind),
            "request": request_to_json(stored),
            "sessions": [session_to_json(s) for s in sessions],
        },
        salt=PROPOSAL_SALT,
        compress=True,
    )


@dataclass(frozen=True)
class ChosenProposal:
    patient: Patient
    plan: TreatmentPlanRecord | None
    series_index: int
    request: SeriesRequest
    sessions: tuple[BookedSession, ...]
    kind: str = SeriesKind.TREATMENT


def read_proposal(token: str, clinic: Clinic) -> ChosenProposal:
    """Decode a proposal token; refused if forged, stale, or for another clinic's patient."""
    try:
        data = signing.loads(token, salt=PROPOSAL_SALT, max_age=PROPOSAL_MAX_AGE)
    except signing.SignatureExpired:
        raise SchedulingRefused("This proposal is over an hour old; propose again.") from None
    except signing.BadSignature:
        raise SchedulingRefused("This proposal is not one CIT made; propose again.") from None
    kind = str(data.get("kind") or SeriesKind.TREATMENT)
    request_for_series = request_from_json(data["request"])
    sessions = tuple(session_from_json(s) for s in data["sessions"])
    if kind == SeriesKind.CONSULTATION:
        patient = Patient.objects.active().filter(pk=data.get("patient"), clinic=clinic).first()
        if patient is None:
            raise SchedulingRefused("The patient of this proposal is not in your clinic.")
        return ChosenProposal(patient, None, 0, request_for_series, sessions, kind)
    plan = (
        TreatmentPlanRecord.objects.select_related("patient__clinic")
        .filter(pk=data["plan"], patient__clinic=clinic)
        .first()
    )
    if plan is None:
        raise SchedulingRefused("The plan of this proposal is not in your clinic.")
    if not 0 <= int(data["series_index"]) < len(plan.accepted.get("series", [])):
        raise SchedulingRefused("The plan of this proposal has no such series; propose again.")
    return ChosenProposal(
        plan.patient,
        plan,
        int(data["series_index"]),
        request_for_series,
        sessions,
        kind if kind in SeriesKind.values else SeriesKind.TREATMENT,
    )


# -- booking ------------------------------------------------------------------------------------


def _rule_violations(
    sessions: Sequence[BookedSession],
    request: SeriesRequest,
    clinic: Clinic,
    now: datetime.datetime,
    *,
    ignore: Sequence[str] = (),
) -> list[str]:
    """Every hard rule the sessions break against fresh data, except resource clashes (the
    database decides those, see ``find_conflict``)."""
    today = clinic.today(now)
    start = min(s.start for s in sessions)
    end = max(s.end for s in sessions)
    state = build_state(
        clinic,
        start - datetime.timedelta(days=1),
        end + datetime.timedelta(days=1),
        today=today,
        patient_id=request.patient_id,
    )
    violations = check_series(
        sessions,
        request,
        state,
        not_before=now,
        ignore_appointment_ids=ignore,
        require_complete=False,
    )
    return [v.message for v in violations if v.code not in RESOURCE_VIOLATIONS]


def _conflict_after_integrity_error(
    error: IntegrityError, clinic: Clinic, holds: Sequence[ResourceHold]
) -> SchedulingRefused:
    """Explain a refusal by the database, read after the failed transaction rolled back."""
    if "check constraint" in str(error).lower():
        # A value no booking may hold (not another booking's doing): not a clash.
        return SchedulingRefused("Not booked: the proposal holds a value the calendar refuses.")
    if "series_booking_one_active_per_plan_series" in str(error) or "seriesbooking" in str(error):
        return BookingConflict("This series of the plan is already booked. Nothing was saved.")
    found = find_conflict(clinic, holds)
    return found or BookingConflict(
        "Not booked: another booking took one of these resources at the same moment. "
        "Nothing was saved; propose again."
    )


def do_book_series(
    *,
    actor: Any,
    plan: TreatmentPlanRecord | None,
    series_index: int,
    sessions: Sequence[BookedSession],
    request_for_series: SeriesRequest,
    now: datetime.datetime | None = None,
    kind: str = SeriesKind.TREATMENT,
    patient: Patient | None = None,
    request: HttpRequest | None = None,
) -> SeriesBooking:
    """Book every session of the series or none: a plan's treatment series, its maintenance
    session, or a consultation (no plan; give ``patient``). ``BookingConflict`` (409) names
    the resource and time already taken; ``SchedulingRefused`` (422) says which rule a
    session breaks."""
    now = now or timezone.now()
    if plan is not None:
        patient = plan.patient
    elif kind != SeriesKind.CONSULTATION or patient is None:
        raise SchedulingRefused("Only a consultation is booked without a plan.")
    clinic: Clinic = patient.clinic
    if not sessions:
        raise SchedulingRefused("Choose a proposal with at least one session.")
    if kind != SeriesKind.TREATMENT and len(sessions) != 1:
        raise SchedulingRefused("A consultation or maintenance visit is one session.")
    problems = _rule_violations(sessions, request_for_series, clinic, now)
    if problems:
        raise SchedulingRefused("Not booked: " + problems[0], details=tuple(problems))
    planned = planned_sessions(plan, series_index) if plan is not None else {}
    pending: list[ResourceHold] = []
    try:
        with transaction.atomic():
            if (
                kind == SeriesKind.TREATMENT
                and SeriesBooking.objects.filter(
                    plan=plan, series_index=series_index, kind=kind, status=SeriesStatus.BOOKED
                ).exists()
            ):
                raise BookingConflict("This series of the plan is already booked.")
            if (
                kind == SeriesKind.MAINTENANCE
                and Appointment.objects.filter(
                    series__plan=plan,
                    series__series_index=series_index,
                    series__kind=SeriesKind.MAINTENANCE,
                    status=AppointmentStatus.BOOKED,
                ).exists()
            ):
                raise BookingConflict(
                    "A maintenance session of this series is already booked. Nothing was saved."
                )
            series = SeriesBooking.objects.create(
                clinic=clinic,
                patient=patient,
                plan=plan,
                series_index=series_index,
                kind=kind,
                request=request_to_json(request_for_series),
                booked_by=actor if getattr(actor, "pk", None) else None,
            )
            appointments = []
            for session in sessions:
                appointment = Appointment.objects.create(
                    clinic=clinic,
                    patient=patient,
                    series=series,
                    number=session.number,
                    planned_session=(
                        planned.get(session.number) if kind == SeriesKind.TREATMENT else None
                    ),
                    provider_id=int(session.provider_id),
                    room_id=int(session.room_id),
                    start=session.start,
                    end=session.end,
                    reminder_due_at=reminder_due(session.start),
                )
                appointments.append(appointment)
                pending.extend(hold_rows(appointment, session, patient.pk))
            write_holds(clinic, pending)
            record_event(
                request,
                AuditAction.CREATE,
                actor=actor,
                patient=patient,
                obj=series,
                detail={
                    "series_index": series_index,
                    "kind": kind,
                    "appointments": [a.pk for a in appointments],
                    "starts": [a.start.isoformat() for a in appointments],
                },
            )
            ids = [a.pk for a in appointments]
            transaction.on_commit(lambda: schedule_reminders(ids))
            if plan is not None:
                # The maintenance recall, for when the window after these sessions opens.
                plan_id = plan.pk
                transaction.on_commit(lambda: _schedule_recall(plan_id, series_index))
            on_commit_send(ids, CalendarMethod.REQUEST)
    except IntegrityError as error:
        raise _conflict_after_integrity_error(error, clinic, pending) from error
    return series


def _schedule_recall(plan_id: int, series_index: int) -> None:
    from cit.clinic.appointments.recall import schedule_recall

    schedule_recall(plan_id, series_index)


def do_book_proposal(
    *,
    actor: Any,
    token: str,
    clinic: Clinic,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> SeriesBooking:
    chosen = read_proposal(token, clinic)
    return do_book_series(
        actor=actor,
        plan=chosen.plan,
        series_index=chosen.series_index,
        sessions=chosen.sessions,
        request_for_series=chosen.request,
        now=now,
        kind=chosen.kind,
        patient=chosen.patient,
        request=request,
    )


# -- moving -------------------------------------------------------------------------------------


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


def _state_around(
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
    state = _state_around(appointment.clinic, [series], now, new_start)
    result = replan([series], state, change, now=now)
    return MovePreview(appointment, change, result, _fingerprint(result))


def do_preview_move(
    *,
    actor: Any,
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
    actor: Any,
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
            _apply(preview.result, clinic, now, cancel_reason="could not be kept within the window")
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
    except IntegrityError as error:
        raise BookingConflict(
            "Not moved: another booking took one of these times at the same moment. "
            "Nothing was changed; preview again."
        ) from error
    return preview.result


def _apply(
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
    for appointment in Appointment.objects.filter(pk__in=moved).order_by("pk"):
        move, patient_id = moved[appointment.pk]
        move_appointment(appointment, move.after)
        new_holds.extend(hold_rows(appointment, move.after, int(patient_id)))
    write_holds(clinic, new_holds)
    for appointment_id, reason in unplaced.items():
        Appointment.objects.filter(pk=appointment_id).update(
            status=AppointmentStatus.CANCELLED,
            cancelled_at=now,
            cancel_reason=(reason or cancel_reason)[:300],
            sequence=F("sequence") + 1,
        )
    ids = sorted(moved)
    transaction.on_commit(lambda: schedule_reminders(ids))
    on_commit_send(ids, CalendarMethod.REQUEST)
    on_commit_send(sorted(unplaced), CalendarMethod.CANCEL)
    return sorted(touched)


# -- cancelling ---------------------------------------------------------------------------------


def do_cancel_session(
    *,
    actor: Any,
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
    return locked


def visit_of(appointment: Appointment) -> Visit:
    """The appointment as the life-cycle rules see it."""
    return Visit(
        VisitStatus(appointment.status),
        appointment.start,
        appointment.end,
        appointment.clinic.timezone,
    )


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


# -- provider absence ---------------------------------------------------------------------------


def do_record_absence(
    *,
    actor: Any,
    provider: Provider,
    start: datetime.datetime,
    end: datetime.datetime,
    reason: str = "",
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> ProviderAbsence:
    """Record the absence and re-plan the sessions it hits: greedily right away when few series
    are affected, else clinic-wide with CP-SAT in a background task."""
    now = now or timezone.now()
    if start >= end:
        raise SchedulingRefused("The absence must end after it starts.")
    with transaction.atomic():
        absence = ProviderAbsence.objects.create(
            clinic=provider.clinic,
            provider=provider,
            start=start,
            end=end,
            reason=reason[:200],
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        affected = _series_hit_by(absence, now)
        record_event(
            request,
            AuditAction.CREATE,
            actor=actor,
            obj=absence,
            detail={"provider": provider.pk, "affected_series": len(affected)},
        )
        if not affected:
            absence.replan_status = ProviderAbsence.ReplanStatus.NOTHING
            absence.save(update_fields=["replan_status"])
        elif len(affected) <= settings.REPLAN_INLINE_MAX_SERIES:
            replan_for_absence(absence.pk, optimise=False, now=now)
            absence.refresh_from_db()
        else:
            from cit.clinic.appointments.tasks import replan_after_absence

            absence_id = absence.pk
            transaction.on_commit(lambda: replan_after_absence.enqueue(absence_id))
    return absence


def _series_hit_by(absence: ProviderAbsence, now: datetime.datetime) -> list[int]:
    return sorted(
        set(
            Appointment.objects.filter(
                provider=absence.provider,
                status=AppointmentStatus.BOOKED,
                start__lt=absence.end,
                end__gt=absence.start,
                start__gte=now,
            ).values_list("series_id", flat=True)
        )
    )


def replan_for_absence(
    absence_id: int, *, optimise: bool, now: datetime.datetime | None = None
) -> dict[str, Any]:
    """Re-plan every series the absence hits and apply it. Idempotent: a re-plan already done
    (status no longer pending) is not run again, so a task that runs twice changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        absence = (
            ProviderAbsence.objects.select_for_update()
            .select_related("clinic", "provider")
            .get(pk=absence_id)
        )
        if absence.replan_status != ProviderAbsence.ReplanStatus.PENDING:
            return dict(absence.replan)
        series_ids = _series_hit_by(absence, now)
        series = [booked_series(s) for s in SeriesBooking.objects.filter(pk__in=series_ids)]
        series = [s for s in series if s.sessions]
        change = ProviderUnavailable(str(absence.provider_id), absence.start, absence.end)
        summary: dict[str, Any] = {"series": len(series), "method": "greedy"}
        if series:
            state = _state_around(absence.clinic, series, now, absence.end)
            if optimise:
                report = optimise_replan(
                    series,
                    state,
                    change,
                    now=now,
                    time_limit_seconds=settings.REPLAN_TIME_LIMIT_SECONDS,
                )
                result = report.result
                summary.update(
                    method="cp-sat",
                    status=str(report.status),
                    objective=report.objective,
                    bound=report.best_bound,
                    bound_source=str(report.bound_source),
                    greedy_objective=report.greedy_objective,
                )
            else:
                result = replan(series, state, change, now=now)
                summary["objective"] = result.objective
            if result.rejected:
                summary["rejected"] = result.rejected
            else:
                _apply(result, absence.clinic, now, cancel_reason="provider unavailable")
            summary["moved"] = len(result.moves)
            summary["broken"] = [
                {"series": o.series_id, "sessions": list(o.unplaced), "reason": o.reason}
                for o in result.broken
            ]
        absence.replan = summary
        absence.replan_status = (
            ProviderAbsence.ReplanStatus.FAILED
            if summary.get("rejected")
            else ProviderAbsence.ReplanStatus.DONE
        )
        absence.save(update_fields=["replan", "replan_status"])
        return summary


# -- reminders ----------------------------------------------------------------------------------


def reminder_due(start: datetime.datetime) -> datetime.datetime:
    return start - datetime.timedelta(hours=settings.REMINDER_HOURS_BEFORE)


def schedule_reminders(appointment_ids: Sequence[int]) -> None:
    """Enqueue one reminder task per appointment, to run when it is due (after commit)."""
    from cit.clinic.appointments.tasks import send_reminder

    now = timezone.now()
    for appointment in Appointment.objects.filter(
        pk__in=appointment_ids, status=AppointmentStatus.BOOKED
    ):
        due = appointment.reminder_due_at or reminder_due(appointment.start)
        task = send_reminder.using(run_after=due) if due > now else send_reminder
        task.enqueue(appointment.pk, appointment.sequence)
