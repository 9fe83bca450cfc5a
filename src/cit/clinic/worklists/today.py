"""Today's visits and the worklists on the staff home pages.

Reads only; the pages that show them write the audit events (one LIST per list shown).
What a visit still lacks is said in words: questionnaire, screening, consent, lot.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.appointments.models import Appointment, AppointmentStatus
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting.consent import signatures_valid_on
from cit.clinic.charting.models import Procedure, SessionNote, SessionProduct
from cit.clinic.charting.sessions import TREATABLE
from cit.clinic.facilities.models import Clinic
from cit.clinic.intake.actions import effective_decisions
from cit.clinic.intake.models import IntakeRecord, IntakeSource, ScreeningRecord
from cit.clinic.recovery.actions import ALERT_ORDER, open_alerts
from cit.clinic.recovery.models import RecoveryAlert
from cit.clinic.worklists.models import QuestionnaireReview
from cit.protocol.model import Decision

ACTIVE = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.IN_TREATMENT)
# Answers the patient (or another system) sent: a clinician reads them before the visit.
SENT_IN = (IntakeSource.PORTAL, IntakeSource.FHIR)
FRONT_DESK_DAYS = 3
# The most rows a worklist shows; each links to its full, paged list.
WORKLIST_LIMIT = 30


@dataclass
class VisitRow:
    """One visit of the day as the home page shows it: the columns it needs, read as values
    (no model instances: a busy day holds ~160 visits of seven rows each)."""

    pk: int
    patient_id: int
    patient_name: str
    start: datetime.datetime
    end: datetime.datetime
    status: str
    number: int
    kind: str
    provider_name: str
    room: str
    session_note_id: int | None
    missing: list[str] = field(default_factory=list)
    is_next: bool = False


def _day_bounds(clinic: Clinic, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=clinic.tzinfo)
    return start, datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(0), tzinfo=clinic.tzinfo
    )


@dataclass(frozen=True)
class _PatientsReady:
    """What the day's patients have on record, read for all of them at once."""

    answered: set[int]
    screening_decisions: dict[int, str]
    consented: set[int]


def _screenings_newest_first() -> QuerySet[ScreeningRecord]:
    """The outer row's patient's screenings, newest created (then newest id) first."""
    return ScreeningRecord.objects.filter(patient_id=OuterRef("patient_id")).order_by(
        "-created_at", "-id"
    )


def _answered() -> Exists:
    """Whether the outer row's patient has answered the questionnaire."""
    return Exists(IntakeRecord.objects.filter(patient_id=OuterRef("patient_id")))


def _latest_screenings() -> QuerySet[ScreeningRecord]:
    """Each patient's latest screening, picked by the database."""
    return ScreeningRecord.objects.filter(id=Subquery(_screenings_newest_first().values("id")[:1]))


def _effective_decisions_of(screening_ids: set[int]) -> dict[int, str]:
    """The effective decision (overrides applied) of these screenings, by patient: each read
    whole (answers, findings) with its patient's overrides."""
    screenings = list(
        ScreeningRecord.objects.filter(pk__in=screening_ids).order_by().select_related("intake")
    )
    effective = effective_decisions(screenings)
    return {s.patient_id: str(effective[s.pk]) for s in screenings}


def missing_for(
    patient_id: int,
    kind: str,
    session_note_id: int | None,
    note_has_products: bool,
    ready: _PatientsReady,
) -> list[str]:
    """What the visit still lacks, in the desk's words."""
    missing = []
    if patient_id not in ready.answered:
        missing.append("questionnaire")
    decision = ready.screening_decisions.get(patient_id)
    if decision is None:
        if "questionnaire" not in missing:
            missing.append("screening")
    elif decision not in TREATABLE:
        missing.append("screening decision")
    if kind != "consultation" and patient_id not in ready.consented:
        missing.append("consent")
    if session_note_id is not None and not note_has_products:
        missing.append("lot")
    return missing


_VISIT_COLUMNS = (
    "pk",
    "patient_id",
    "patient__given_name",
    "patient__family_name",
    "start",
    "end",
    "status",
    "number",
    "series__kind",
    "provider__user__first_name",
    "provider__user__last_name",
    "room__name",
    "session_note_id",
    "note_has_products",
    "answered",
    "consented",
    "screening_id",
    "screening_decision",
)


def visits_on(
    clinic: Clinic,
    day: datetime.date,
    *,
    provider_id: int | None = None,
    now: datetime.datetime | None = None,
) -> list[VisitRow]:
    """The day's visits (cancelled ones left out): still to come first, the next one marked,
    then those done or missed."""
    now = now or timezone.now()
    start, end = _day_bounds(clinic, day)
    newest_screening = _screenings_newest_first()
    appointments = (
        Appointment.objects.filter(clinic=clinic, start__gte=start, start__lt=end)
        .exclude(status__in=(AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED))
        .annotate(
            note_has_products=Exists(
                SessionProduct.objects.filter(note_id=OuterRef("session_note"))
            ),
            # Whether the patient answered the questionnaire and signed a consent valid
            # today, read with the visits (not in a query each).
            answered=_answered(),
            consented=Exists(
                signatures_valid_on(clinic, Procedure.MICRONEEDLING, day).filter(
                    patient_id=OuterRef("patient_id")
                )
            ),
            # The patient's latest screening and its stored decision.
            screening_id=Subquery(newest_screening.values("id")[:1]),
            screening_decision=Subquery(newest_screening.values("decision")[:1]),
        )
        .order_by("start", "pk")
    )
    if provider_id is not None:
        appointments = appointments.filter(provider_id=provider_id)
    found = list(appointments.values_list(*_VISIT_COLUMNS, named=True))
    decisions = {v.patient_id: v.screening_decision for v in found if v.screening_id is not None}
    # Overrides only lift findings, and the stored decision is the most severe finding's: one
    # that allows treatment still does. Only the others (a few of the day's ~160) are read
    # whole with their overrides.
    held = {
        v.screening_id
        for v in found
        if v.screening_id is not None and v.screening_decision not in TREATABLE
    }
    if held:
        decisions.update(_effective_decisions_of(held))
    ready = _PatientsReady(
        answered={v.patient_id for v in found if v.answered},
        screening_decisions=decisions,
        consented={v.patient_id for v in found if v.consented},
    )
    rows = [
        VisitRow(
            pk=v.pk,
            patient_id=v.patient_id,
            patient_name=f"{v.patient__given_name} {v.patient__family_name}",
            start=v.start,
            end=v.end,
            status=v.status,
            number=v.number,
            kind=v.series__kind,
            # As User.get_full_name() says it.
            provider_name=f"{v.provider__user__first_name} {v.provider__user__last_name}".strip(),
            room=v.room__name,
            session_note_id=v.session_note_id,
            missing=missing_for(
                v.patient_id, v.series__kind, v.session_note_id, v.note_has_products, ready
            ),
        )
        for v in found
    ]
    waiting = [r for r in rows if r.status in ACTIVE]
    done = [r for r in rows if r.status not in ACTIVE]
    upcoming = [r for r in waiting if r.end > now]
    if upcoming:
        upcoming[0].is_next = True
    return waiting + done


@dataclass
class Worklists:
    questionnaires: list[IntakeRecord] = field(default_factory=list)
    screenings: list[tuple[ScreeningRecord, str]] = field(default_factory=list)
    drafts: list[SessionNote] = field(default_factory=list)
    no_questionnaire: list[Appointment] = field(default_factory=list)
    # Diary check-ins not as expected, no clinician has acknowledged yet (the front desk
    # sees that they exist, not the answers).
    recovery_alerts: list[RecoveryAlert] = field(default_factory=list)

    def patient_ids(self) -> list[int]:
        ids = {i.patient_id for i in self.questionnaires}
        ids |= {a.patient_id for a in self.recovery_alerts}
        ids |= {s.patient_id for s, _ in self.screenings}
        ids |= {n.patient_id for n in self.drafts}
        ids |= {a.patient_id for a in self.no_questionnaire}
        return sorted(ids)


_INTAKE_SHOWN = (
    "id",
    "patient_id",
    "version",
    "source",
    "recorded_at",
    "patient__given_name",
    "patient__family_name",
)


def questionnaires_to_review(clinic: Clinic, limit: int = WORKLIST_LIMIT) -> list[IntakeRecord]:
    """The latest answers of each patient, sent from the portal or another system, that no
    clinician has marked reviewed: the newest first."""
    newer = IntakeRecord.objects.filter(
        patient=OuterRef("patient"), version__gt=OuterRef("version")
    )
    return list(
        IntakeRecord.objects.filter(
            ~Exists(newer),
            patient__clinic=clinic,
            patient__archived_at__isnull=True,
            source__in=SENT_IN,
            review__isnull=True,
        )
        .select_related("patient")
        # What the list shows: not the answers themselves (a JSON document each).
        .only(*_INTAKE_SHOWN)
        .order_by("-recorded_at", "-id")[:limit]
    )


def screenings_to_decide(
    clinic: Clinic, today: datetime.date, limit: int = WORKLIST_LIMIT
) -> list[tuple[ScreeningRecord, str]]:
    """Each patient's latest screening when it does not allow treatment: *refer* waits for a
    clinician's decision; *defer* and *do not treat* need an override or the visit moved
    when the patient has one booked. In patient order."""
    horizon_start, _ = _day_bounds(clinic, today)
    booked = Appointment.objects.filter(
        patient=OuterRef("patient"), clinic=clinic, status__in=ACTIVE, start__gte=horizon_start
    )
    # Overrides only lift findings, and the stored decision is the most severe finding's:
    # a stored *treat* stays treatable, and a stored *defer* never becomes *refer*. The
    # overrides of the rows left are read below, a page of candidates at a time.
    candidates = (
        _latest_screenings()
        .filter(patient__clinic=clinic, patient__archived_at__isnull=True)
        .annotate(booked=Exists(booked))
        .filter(
            Q(decision__in=(Decision.REFER, Decision.DO_NOT_TREAT))
            | Q(decision=Decision.DEFER, booked=True)
        )
        .select_related("patient", "intake")
        .order_by("patient_id")
    )
    found: list[tuple[ScreeningRecord, str]] = []
    after = 0
    while len(found) < limit:
        page = list(candidates.filter(patient_id__gt=after)[:limit])
        effective = effective_decisions(page)
        for screening in page:
            decision = str(effective[screening.pk])
            if decision in TREATABLE:
                continue
            if decision == Decision.REFER:
                found.append((screening, "Refer: a clinician decides whether to treat"))
            elif screening.booked:
                found.append(
                    (
                        screening,
                        f"{screening.get_decision_label()} with a visit booked: override or move",
                    )
                )
            if len(found) >= limit:
                break
        if len(page) < limit:
            break
        after = page[-1].patient_id
    return found


def drafts_to_sign(clinic: Clinic, limit: int = WORKLIST_LIMIT) -> list[SessionNote]:
    return list(
        SessionNote.objects.drafts()
        .filter(patient__clinic=clinic)
        .select_related("patient", "started_by")
        .order_by("session_date", "pk")[:limit]
    )


def visits_without_questionnaire(
    clinic: Clinic, now: datetime.datetime, days: int = FRONT_DESK_DAYS
) -> list[Appointment]:
    """Visits in the next ``days`` days whose patient has not answered the questionnaire."""
    end, _ = _day_bounds(clinic, clinic.today(now) + datetime.timedelta(days=days + 1))
    # NOT EXISTS rather than a join to every intake and DISTINCT: the database walks the
    # visits in time order and stops at the list's length.
    return list(
        Appointment.objects.filter(
            ~_answered(),
            clinic=clinic,
            status=AppointmentStatus.BOOKED,
            start__gte=now,
            start__lt=end,
        )
        .select_related("patient")
        # What the list shows, no more (no provider or clinic, nor the whole patient).
        .only(
            "id",
            "start",
            "patient_id",
            "patient__given_name",
            "patient__family_name",
            "patient__email",
        )
        .order_by("start", "pk")[:WORKLIST_LIMIT]
    )


def worklists_for(
    clinic: Clinic, *, clinical: bool, now: datetime.datetime | None = None
) -> Worklists:
    now = now or timezone.now()
    lists = Worklists(
        no_questionnaire=visits_without_questionnaire(clinic, now),
        recovery_alerts=list(open_alerts(clinic).order_by(*ALERT_ORDER)[:WORKLIST_LIMIT]),
    )
    if clinical:
        lists.questionnaires = questionnaires_to_review(clinic)
        lists.screenings = screenings_to_decide(clinic, clinic.today(now))
        lists.drafts = drafts_to_sign(clinic)
    return lists


def do_mark_questionnaire_reviewed(
    *, actor: User, intake: IntakeRecord, request: HttpRequest | None = None
) -> QuestionnaireReview:
    """The clinician has read this questionnaire version: it leaves the review list."""
    with transaction.atomic():
        review, created = QuestionnaireReview.objects.get_or_create(
            intake=intake, defaults={"reviewed_by": actor}
        )
        if created:
            record_event(
                request,
                AuditAction.UPDATE,
                actor=actor,
                patient=intake.patient,
                obj=intake,
                detail={"reviewed": True, "version": intake.version},
            )
    return review
