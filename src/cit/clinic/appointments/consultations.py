"""Consultation visits: booked before any plan, one visit of the clinic's consultation length
with a provider whose role the clinic lets hold consultations (``Clinic.consultation_minutes``
and ``consultation_roles``).

Proposing goes through the scheduling core like every other booking (opening hours, closures,
absences and existing holds): the clicked time itself when it is free, and the series search's
next free times; booking is ``booking.do_book_proposal`` (one booking path). A consultation
has no session note, so the clinician marks it done (``do_complete_consultation``).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import Provider, User
from cit.clinic.appointments.convert import consultation_request
from cit.clinic.appointments.errors import SchedulingRefused
from cit.clinic.appointments.holds import visit_of
from cit.clinic.appointments.models import Appointment, AppointmentStatus, SeriesKind
from cit.clinic.appointments.proposals import sign_proposal
from cit.clinic.appointments.schedule_index import state_for_search
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.facilities.models import Clinic
from cit.clinic.patients.models import Patient
from cit.scheduling import (
    BookedSession,
    PatientPreferences,
    SchedulingFailure,
    TimeWindow,
    find_series,
    place_visit,
)
from cit.scheduling.lifecycle import TransitionRefused, VisitEvent, next_status

# A consultation asked for at a time of day ranks the times from then to the day's end first.
_EVENING = datetime.time(23, 59)


@dataclass(frozen=True)
class ConsultationOption:
    session: BookedSession
    token: str


@dataclass(frozen=True)
class ConsultationProposals:
    patient: Patient
    exact: ConsultationOption | None
    """The time asked for, when it is free."""
    exact_refused: str | None
    """Why the time asked for cannot be booked (in the desk's words)."""
    alternatives: tuple[ConsultationOption, ...]
    failure: SchedulingFailure | None


def may_consult(provider: Provider) -> bool:
    return provider.user.role in set(provider.clinic.consultation_roles or ())


def _in_words(reason: str, providers: dict[str, Provider]) -> str:
    """The core names providers by id; the desk reads their names."""
    return re.sub(
        r"provider (\d+)",
        lambda m: str(providers[m.group(1)]) if m.group(1) in providers else "the provider",
        reason,
    )


def propose_consultation(
    *,
    clinic: Clinic,
    patient: Patient,
    start: datetime.datetime | None = None,
    provider: Provider | None = None,
    now: datetime.datetime | None = None,
    alternatives: int = 3,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> ConsultationProposals:
    """The consultation at ``start`` with ``provider`` when that time is free, and the next
    free consultation times from that day (or from today)."""
    now = now or timezone.now()
    today = clinic.today(now)
    first_day = max(today, start.astimezone(clinic.tzinfo).date() if start else today)
    local = start.astimezone(clinic.tzinfo) if start else None
    asked = local.time().replace(second=0, microsecond=0) if local else None
    preferences = PatientPreferences(
        time_windows=((TimeWindow(asked, _EVENING),) if asked and asked < _EVENING else ()),
        provider_id=str(provider.pk) if provider else None,
    )
    search = consultation_request(
        clinic, patient.pk, earliest_start=first_day, preferences=preferences
    )
    state = state_for_search(clinic, search, today=today)
    # Stored with the booking: a later move may take it anywhere from the booking day on.
    stored = consultation_request(clinic, patient.pk, earliest_start=today)
    providers = {
        str(p.pk): p for p in Provider.objects.filter(clinic=clinic).select_related("user")
    }

    def option(session: BookedSession) -> ConsultationOption:
        token = sign_proposal(
            patient=patient,
            plan=None,
            series_index=0,
            kind=SeriesKind.CONSULTATION,
            stored=stored,
            sessions=[session],
        )
        return ConsultationOption(session, token)

    exact: ConsultationOption | None = None
    refused: str | None = None
    if start is not None and provider is not None:
        placed = place_visit(search, state, start, str(provider.pk), not_before=now)
        if isinstance(placed, str):
            refused = _in_words(placed, providers)
            if not may_consult(provider):
                refused = f"{provider}'s role does not hold consultations in this clinic"
        else:
            exact = option(placed)
    result = find_series(search, state, not_before=now, alternatives=alternatives)
    others = tuple(
        option(p.sessions[0])
        for p in result.proposals
        if exact is None
        or (p.sessions[0].start, p.sessions[0].provider_id)
        != (exact.session.start, exact.session.provider_id)
    )[: max(0, alternatives)]
    record_event(
        request,
        AuditAction.VIEW,
        actor=actor,
        patient=patient,
        obj=patient,
        detail={
            "proposed_consultation": start.isoformat() if start else None,
            "exact_free": exact is not None,
            "alternatives": len(others),
        },
    )
    return ConsultationProposals(patient, exact, refused, others, result.failure)


def do_complete_consultation(
    *,
    actor: User,
    appointment: Appointment,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> Appointment:
    """The clinician marks the consultation done (there is no session note to sign): it goes
    through "in treatment" to completed in one step, on the day of the visit."""
    now = now or timezone.now()
    with transaction.atomic():
        locked: Appointment = (
            Appointment.objects.select_for_update()
            .select_related("clinic", "patient", "series")
            .get(pk=appointment.pk)
        )
        if locked.series.kind != SeriesKind.CONSULTATION:
            raise SchedulingRefused(
                "Only a consultation is marked done; a session is completed by signing its note."
            )
        late = datetime.timedelta(hours=settings.LATE_CANCEL_HOURS)
        before = locked.status
        try:
            if locked.status != AppointmentStatus.IN_TREATMENT:
                started = next_status(visit_of(locked), VisitEvent.START, now=now, late_notice=late)
                locked.status = AppointmentStatus(started.value)
                locked.treatment_started_at = now
            done = next_status(visit_of(locked), VisitEvent.COMPLETE, now=now, late_notice=late)
        except TransitionRefused as error:
            raise SchedulingRefused(error.message) from None
        locked.status = AppointmentStatus(done.value)
        locked.completed_at = now
        locked.save(update_fields=["status", "treatment_started_at", "completed_at", "updated_at"])
        record_event(
            request,
            AuditAction.UPDATE,
            actor=actor,
            patient=locked.patient,
            obj=locked,
            detail={
                "event": "consultation_done",
                "from": before,
                "status": locked.status,
            },
        )
    return locked
