"""Today's visits and the worklists on the staff home pages.

Reads only; the pages that show them write the audit events (one LIST per list shown).
What a visit still lacks is said in words: questionnaire, screening, consent, lot.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.appointments.models import Appointment, AppointmentStatus
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting.consent import valid_consent
from cit.clinic.charting.models import Procedure, SessionNote
from cit.clinic.charting.sessions import TREATABLE
from cit.clinic.facilities.models import Clinic
from cit.clinic.intake.actions import effective_decision
from cit.clinic.intake.models import IntakeRecord, IntakeSource, ScreeningRecord
from cit.clinic.recovery.actions import open_alerts
from cit.clinic.recovery.models import RecoveryAlert
from cit.clinic.worklists.models import QuestionnaireReview

ACTIVE = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.IN_TREATMENT)
# Answers the patient (or another system) sent: a clinician reads them before the visit.
SENT_IN = (IntakeSource.PORTAL, IntakeSource.FHIR)
FRONT_DESK_DAYS = 3


@dataclass
class VisitRow:
    appointment: Appointment
    missing: list[str] = field(default_factory=list)
    is_next: bool = False

    @property
    def status(self) -> str:
        return self.appointment.status


def _day_bounds(clinic: Clinic, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=clinic.tzinfo)
    return start, datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(0), tzinfo=clinic.tzinfo
    )


def missing_for(appointment: Appointment, day: datetime.date) -> list[str]:
    """What the visit still lacks, in the desk's words."""
    patient = appointment.patient
    missing = []
    if not IntakeRecord.objects.filter(patient=patient).exists():
        missing.append("questionnaire")
    screening = ScreeningRecord.objects.filter(patient=patient).first()
    if screening is None:
        if "questionnaire" not in missing:
            missing.append("screening")
    elif str(effective_decision(screening)) not in TREATABLE:
        missing.append("screening decision")
    if (
        appointment.series.kind != "consultation"
        and valid_consent(patient, Procedure.MICRONEEDLING, day) is None
    ):
        missing.append("consent")
    note: SessionNote | None = appointment.session_note
    if note is not None and not note.products.exists():
        missing.append("lot")
    return missing


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
    appointments = (
        Appointment.objects.filter(clinic=clinic, start__gte=start, start__lt=end)
        .exclude(status__in=(AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED))
        .select_related("patient", "provider__user", "room", "series", "clinic", "session_note")
        .order_by("start", "pk")
    )
    if provider_id is not None:
        appointments = appointments.filter(provider_id=provider_id)
    rows = [VisitRow(a, missing_for(a, day)) for a in appointments]
    waiting = [r for r in rows if r.status in ACTIVE]
    done = [r for r in rows if r.status not in ACTIVE]
    upcoming = [r for r in waiting if r.appointment.end > now]
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


def questionnaires_to_review(clinic: Clinic, limit: int = 30) -> list[IntakeRecord]:
    """The latest answers of each patient, sent from the portal or another system, that no
    clinician has marked reviewed."""
    latest = (
        IntakeRecord.objects.filter(patient__clinic=clinic, patient__archived_at__isnull=True)
        .values("patient_id")
        .annotate(latest=Max("version"))
    )
    wanted = [(row["patient_id"], row["latest"]) for row in latest]
    found = []
    for intake in (
        IntakeRecord.objects.filter(patient__clinic=clinic, source__in=SENT_IN, review__isnull=True)
        .select_related("patient")
        .order_by("-recorded_at")
    ):
        if (intake.patient_id, intake.version) in wanted:
            found.append(intake)
        if len(found) >= limit:
            break
    return found


def screenings_to_decide(
    clinic: Clinic, today: datetime.date, limit: int = 30
) -> list[tuple[ScreeningRecord, str]]:
    """Each patient's latest screening when it does not allow treatment: *refer* waits for a
    clinician's decision; *defer* and *do not treat* need an override or the visit moved
    when the patient has one booked."""
    horizon_start, _ = _day_bounds(clinic, today)
    booked = set(
        Appointment.objects.filter(
            clinic=clinic, status__in=ACTIVE, start__gte=horizon_start
        ).values_list("patient_id", flat=True)
    )
    seen: set[int] = set()
    found: list[tuple[ScreeningRecord, str]] = []
    for screening in (
        ScreeningRecord.objects.filter(patient__clinic=clinic, patient__archived_at__isnull=True)
        .select_related("patient")
        .order_by("patient_id", "-created_at", "-id")
    ):
        if screening.patient_id in seen:
            continue
        seen.add(screening.patient_id)
        decision = str(effective_decision(screening))
        if decision in TREATABLE:
            continue
        if decision == "refer":
            found.append((screening, "Refer: a clinician decides whether to treat"))
        elif screening.patient_id in booked:
            found.append(
                (
                    screening,
                    f"{screening.get_decision_label()} with a visit booked: override or move",
                )
            )
        if len(found) >= limit:
            break
    return found


def drafts_to_sign(clinic: Clinic, limit: int = 30) -> list[SessionNote]:
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
    return list(
        Appointment.objects.filter(
            clinic=clinic,
            status=AppointmentStatus.BOOKED,
            start__gte=now,
            start__lt=end,
            patient__intakes__isnull=True,
        )
        .select_related("patient", "provider__user", "clinic")
        .distinct()
        .order_by("start")
    )


def worklists_for(
    clinic: Clinic, *, clinical: bool, now: datetime.datetime | None = None
) -> Worklists:
    now = now or timezone.now()
    lists = Worklists(
        no_questionnaire=visits_without_questionnaire(clinic, now),
        recovery_alerts=open_alerts(clinic),
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
