"""Booking a proposed series: its rules checked again inside the transaction, under the
providers' locks, then the holds written, reminders and the maintenance recall queued."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.appointments.calendar_models import CalendarMethod
from cit.clinic.appointments.convert import (
    build_state,
    hold_rows,
    planned_sessions,
    request_to_json,
)
from cit.clinic.appointments.errors import BookingConflict, SchedulingRefused
from cit.clinic.appointments.holds import (
    RESOURCE_VIOLATIONS,
    find_conflict,
    lock_providers,
    write_holds,
)
from cit.clinic.appointments.invitations import on_commit_send
from cit.clinic.appointments.models import (
    Appointment,
    AppointmentStatus,
    ResourceHold,
    SeriesBooking,
    SeriesKind,
    SeriesStatus,
)
from cit.clinic.appointments.proposals import read_proposal
from cit.clinic.appointments.recall import schedule_recall
from cit.clinic.appointments.reminders import reminder_due, schedule_reminders
from cit.clinic.appointments.schedule_index import bump_schedule_version
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.facilities.models import Clinic
from cit.clinic.patients.models import Patient
from cit.clinic.plans.models import TreatmentPlanRecord
from cit.scheduling import (
    BookedSession,
    SeriesRequest,
    check_series,
)


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


def _refuse_taken_times(clinic: Clinic, sessions: Sequence[BookedSession], patient_id: int) -> None:
    """Raise the ``BookingConflict`` naming a resource the sessions want that is already
    held then (``write_holds`` checks again as it writes)."""
    wanted = [
        hold
        for session in sessions
        for hold in hold_rows(Appointment(clinic=clinic), session, patient_id)
    ]
    conflict = find_conflict(clinic, wanted)
    if conflict is not None:
        raise conflict


def do_book_series(
    *,
    actor: User,
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
    planned = planned_sessions(plan, series_index) if plan is not None else {}
    pending: list[ResourceHold] = []
    # A time already taken is refused at once, and again once the locks are held, before
    # the rules read the schedule: when many desks want one slot, the losers each cost one
    # query instead of queueing for the locks to do a whole booking's work in turn.
    _refuse_taken_times(clinic, sessions, patient.pk)
    try:
        with transaction.atomic():
            # The rules are checked under the providers' locks, so an absence recorded
            # meanwhile (it takes the same lock) is either seen here or re-plans this booking.
            lock_providers({int(s.provider_id) for s in sessions})
            _refuse_taken_times(clinic, sessions, patient.pk)
            problems = _rule_violations(sessions, request_for_series, clinic, now)
            if problems:
                raise SchedulingRefused("Not booked: " + problems[0], details=tuple(problems))
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
            bump_schedule_version(clinic.pk, ids)
    except IntegrityError as error:
        raise _conflict_after_integrity_error(error, clinic, pending) from error
    return series


def _schedule_recall(plan_id: int, series_index: int) -> None:
    schedule_recall(plan_id, series_index)


def do_book_proposal(
    *,
    actor: User,
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
