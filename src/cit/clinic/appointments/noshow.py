"""After a no-show: re-plan the rest of the series inside its interval windows.

The missed session still has to happen, so the rest of the series is searched again as
``1 + sessions still booked``, the first of them within the interval window after the last
session the patient attended (as soon as possible when that window has already passed).
The sessions still booked keep their appointment rows and get new times; the make-up session
is a new appointment at the end of the series. Proposing writes nothing but the audit event;
``do_replan_after_no_show`` applies a chosen proposal in one transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.appointments.booking import _rule_violations
from cit.clinic.appointments.calendar_models import CalendarMethod
from cit.clinic.appointments.convert import (
    hold_rows,
    request_from_json,
    session_from_json,
    session_to_json,
)
from cit.clinic.appointments.errors import BookingConflict, SchedulingRefused
from cit.clinic.appointments.holds import move_appointment, write_holds
from cit.clinic.appointments.invitations import on_commit_send
from cit.clinic.appointments.models import (
    Appointment,
    AppointmentStatus,
    ResourceHold,
)
from cit.clinic.appointments.reminders import reminder_due, schedule_reminders
from cit.clinic.appointments.schedule_index import bump_schedule_version, state_for_search
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.facilities.models import Clinic
from cit.scheduling import (
    BookedSession,
    SeriesRequest,
    SeriesSearchResult,
    find_series,
)

NO_SHOW_SALT = "cit.appointments.no-show"
TOKEN_MAX_AGE = 60 * 60
ATTENDED = (AppointmentStatus.ARRIVED, AppointmentStatus.IN_TREATMENT, AppointmentStatus.COMPLETED)


@dataclass(frozen=True)
class NoShowProposals:
    missed: Appointment
    rest: list[Appointment]
    request: SeriesRequest
    result: SeriesSearchResult
    tokens: tuple[str, ...]
    note: str
    """What the search could keep: the window after the last attended session, or why not."""


def _rest_of(missed: Appointment) -> list[Appointment]:
    return list(
        Appointment.objects.filter(
            series_id=missed.series_id, status=AppointmentStatus.BOOKED, start__gt=missed.start
        ).order_by("start", "pk")
    )


def _search_request(
    missed: Appointment, rest: list[Appointment], today: datetime.date
) -> tuple[SeriesRequest, str]:
    stored = request_from_json(missed.series.request)
    window = stored.interval
    zone = missed.clinic.tzinfo
    attended = (
        Appointment.objects.filter(
            series_id=missed.series_id, status__in=ATTENDED, start__lt=missed.start
        )
        .order_by("-start")
        .first()
    )
    earliest, latest = today, None
    note = "No earlier session was attended: the first session is placed as soon as possible."
    if attended is not None:
        anchor = attended.start.astimezone(zone).date()
        earliest = max(today, anchor + datetime.timedelta(days=window.min_days))
        latest = anchor + datetime.timedelta(days=window.max_days)
        if latest < earliest:
            latest = None
            note = (
                f"The {window.min_days}–{window.max_days}-day window after session "
                f"{attended.number} ({anchor:%d %b}) has passed: the make-up session is placed "
                "as soon as possible."
            )
        else:
            note = (
                f"The next session falls {window.min_days}–{window.max_days} days after session "
                f"{attended.number} ({anchor:%d %b}), the rest {window.min_days}–"
                f"{window.max_days} days apart."
            )
    preferences = replace(stored.preferences, provider_id=str(missed.provider_id))
    request = replace(
        stored,
        sessions=len(rest) + 1,
        earliest_start=earliest,
        latest_start=latest,
        preferences=preferences,
    )
    return request, note


def propose_after_no_show(
    *,
    actor: User,
    appointment: Appointment,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> NoShowProposals:
    now = now or timezone.now()
    missed = Appointment.objects.select_related("clinic", "series", "patient").get(
        pk=appointment.pk
    )
    if missed.status != AppointmentStatus.NO_SHOW:
        raise SchedulingRefused("Only a missed (no-show) session is re-planned this way.")
    clinic: Clinic = missed.clinic
    rest = _rest_of(missed)
    search, note = _search_request(missed, rest, clinic.today(now))
    state = state_for_search(clinic, search, today=clinic.today(now))
    # The sessions still booked are the ones being re-placed: their own times are free.
    state = state.with_changes(release=[str(a.pk) for a in rest])
    result = find_series(search, state, not_before=now, alternatives=2)
    fingerprint = [[a.pk, a.start.isoformat()] for a in rest]
    tokens = tuple(
        signing.dumps(
            {
                "missed": missed.pk,
                "rest": fingerprint,
                "sessions": [session_to_json(s) for s in proposal.sessions],
            },
            salt=NO_SHOW_SALT,
            compress=True,
        )
        for proposal in result.proposals
    )
    record_event(
        request,
        AuditAction.VIEW,
        actor=actor,
        patient=missed.patient,
        obj=missed,
        detail={"replan_after_no_show": len(result.proposals), "rest": len(rest)},
    )
    return NoShowProposals(missed, rest, search, result, tokens, note)


def do_replan_after_no_show(
    *,
    actor: User,
    token: str,
    clinic: Clinic,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> list[Appointment]:
    """Apply a proposal: the booked rest of the series gets new times, the make-up session is
    booked at the end. Refused if the series changed since the proposal."""
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=NO_SHOW_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise SchedulingRefused("This proposal is over an hour old; propose again.") from None
    except signing.BadSignature:
        raise SchedulingRefused("This proposal is not one CIT made; propose again.") from None
    missed = (
        Appointment.objects.select_related("clinic", "series", "patient")
        .filter(pk=data["missed"], clinic=clinic)
        .first()
    )
    if missed is None:
        raise SchedulingRefused("The session of this proposal is not in your clinic.")
    sessions: list[BookedSession] = [session_from_json(s) for s in data["sessions"]]
    pending: list[ResourceHold] = []
    try:
        with transaction.atomic():
            list(
                Appointment.objects.select_for_update()
                .filter(series_id=missed.series_id)
                .order_by("pk")
            )
            rest = _rest_of(missed)
            if [[a.pk, a.start.isoformat()] for a in rest] != data["rest"]:
                raise BookingConflict(
                    "The series changed since this proposal; nothing was re-planned. Propose again."
                )
            if len(sessions) != len(rest) + 1:
                raise SchedulingRefused("This proposal does not fit the series; propose again.")
            search, _note = _search_request(missed, rest, clinic.today(now))
            problems = _rule_violations(
                sessions, search, clinic, now, ignore=[str(a.pk) for a in rest]
            )
            if problems:
                raise SchedulingRefused("Not re-planned: " + problems[0], details=tuple(problems))
            ResourceHold.objects.filter(appointment__in=rest, active=True).update(
                active=False, released_at=now
            )
            changed: list[Appointment] = []
            for appointment, session in zip(rest, sessions, strict=False):
                move_appointment(appointment, session)
                changed.append(appointment)
                pending.extend(hold_rows(appointment, session, missed.patient_id))
            last_number = Appointment.objects.filter(series_id=missed.series_id).aggregate(
                Max("number")
            )["number__max"]
            make_up = sessions[-1]
            extra = Appointment.objects.create(
                clinic=clinic,
                patient=missed.patient,
                series=missed.series,
                number=(last_number or 0) + 1,
                provider_id=int(make_up.provider_id),
                room_id=int(make_up.room_id),
                start=make_up.start,
                end=make_up.end,
                reminder_due_at=reminder_due(make_up.start),
            )
            changed.append(extra)
            pending.extend(hold_rows(extra, make_up, missed.patient_id))
            write_holds(clinic, pending)
            record_event(
                request,
                AuditAction.UPDATE,
                actor=actor,
                patient=missed.patient,
                obj=missed,
                detail={
                    "replanned_after_no_show": True,
                    "moved": [
                        {"appointment": a.pk, "to": s.start.isoformat()}
                        for a, s in zip(rest, sessions, strict=False)
                    ],
                    "make_up": {"appointment": extra.pk, "at": make_up.start.isoformat()},
                },
            )
            ids = [a.pk for a in changed]
            transaction.on_commit(lambda: schedule_reminders(ids))
            # The patient's calendar follows: the moved sessions as updates (their SEQUENCE
            # went up), the make-up session as a new invitation.
            on_commit_send(ids, CalendarMethod.REQUEST)
            bump_schedule_version(clinic.pk, ids)
    except IntegrityError as error:
        raise BookingConflict(
            "Not re-planned: another booking took one of these times at the same moment. "
            "Nothing was changed; propose again."
        ) from error
    return changed
