"""Proposing a series: the best times for a plan's sessions across providers, rooms and
devices, signed so that the desk books exactly what it was shown."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core import signing
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from cit.clinic.accounts.models import User
from cit.clinic.appointments.convert import (
    ClinicSetup,
    planned_sessions,
    request_from_json,
    request_to_json,
    series_request,
    session_from_json,
    session_to_json,
)
from cit.clinic.appointments.errors import SchedulingRefused
from cit.clinic.appointments.models import SeriesBooking, SeriesKind, SeriesStatus
from cit.clinic.appointments.schedule_index import state_for_search
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.facilities.models import Clinic
from cit.clinic.patients.models import Patient
from cit.clinic.plans.models import PlannedSession, TreatmentPlanRecord
from cit.scheduling import (
    BookedSession,
    PatientPreferences,
    SeriesRequest,
    SeriesSearchResult,
    find_series,
)

PROPOSAL_SALT = "cit.appointments.proposal"


PROPOSAL_MAX_AGE = 60 * 60  # an hour: a proposal older than that is re-proposed


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
    return earliest_start_from(planned[min(planned)].planned_on if planned else None, today)


def earliest_start_from(
    first_planned_on: datetime.date | None, today: datetime.date
) -> datetime.date:
    """The plan's first planned session day, or today if that has passed (or none is)."""
    return max(today, first_planned_on or today)


def plans_to_propose(series_index: int) -> QuerySet[TreatmentPlanRecord]:
    """Plans with what the proposal page needs of series ``series_index`` in the same query:
    ``first_planned_on`` (``default_earliest_start``) and ``already_booked`` (whether that
    series is booked). The subqueries carry no ordering beyond their own: the models' default
    orderings would join patients and plans into them for nothing."""
    return TreatmentPlanRecord.objects.annotate(
        first_planned_on=Subquery(
            PlannedSession.objects.filter(plan=OuterRef("pk"), series_index=series_index)
            .order_by("number")
            .values("planned_on")[:1]
        ),
        already_booked=Exists(
            SeriesBooking.objects.filter(
                plan=OuterRef("pk"),
                series_index=series_index,
                kind=SeriesKind.TREATMENT,
                status=SeriesStatus.BOOKED,
            ).order_by()
        ),
    )


def propose_series(
    *,
    plan: TreatmentPlanRecord,
    series_index: int,
    now: datetime.datetime,
    earliest_start: datetime.date | None = None,
    preferences: PatientPreferences | None = None,
    alternatives: int = 3,
    actor: User | None = None,
    request: HttpRequest | None = None,
    setup: ClinicSetup | None = None,
) -> SeriesProposals:
    """The best schedule for the plan's series and a few alternatives (or why none fits).
    ``setup``: the clinic's set-up, when the caller already read it (``clinic_setup``)."""
    clinic = plan.patient.clinic
    today = clinic.today(now)
    earliest = max(today, earliest_start or default_earliest_start(plan, series_index, today))
    search_request = series_request(
        plan, series_index, earliest_start=earliest, preferences=preferences
    )
    state = state_for_search(clinic, search_request, today=today, setup=setup)
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
    if not 0 <= int(data["series_index"]) < len(plan.accepted_plan.series):
        raise SchedulingRefused("The plan of this proposal has no such series; propose again.")
    return ChosenProposal(
        plan.patient,
        plan,
        int(data["series_index"]),
        request_for_series,
        sessions,
        kind if kind in SeriesKind.values else SeriesKind.TREATMENT,
    )
