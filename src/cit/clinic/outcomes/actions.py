"""Recording outcome ratings and blinded pair ratings; what is due for a patient."""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.accounts.permissions import is_related_to_patient
from cit.clinic.accounts.roles import CLINICAL_ROLES, Role
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting.models import SessionNote
from cit.clinic.outcomes.models import (
    BlindedPairRating,
    ClinicInstrument,
    OutcomeRating,
    RaterKind,
)
from cit.clinic.patients.models import Patient
from cit.clinic.plans.models import PlannedSession, TreatmentPlanRecord
from cit.protocol.knowledge import Scale, get_knowledge
from cit.protocol.outcomes import (
    DueScale,
    ScoreError,
    SeriesDates,
    due_status,
    outcome_schedule,
    score,
)

# How far back a rating may be dated (a rating copied from paper notes), in days.
OLDEST_RATING_DAYS = 366 * 5


def scale_of(rating: OutcomeRating) -> Scale:
    if rating.instrument is not None:
        return rating.instrument.scale()
    return get_knowledge().scales[rating.scale_id]


def may_rate(user: Any, patient: Patient, scale: Scale) -> bool:
    """Clinical staff of the patient's clinic rate any scale; the patient themself only the
    patient-rated ones (GAIS patient, satisfaction, stretch-mark rating)."""
    if not is_related_to_patient(user, patient):
        return False
    if user.role == Role.PATIENT:
        return scale.rater == RaterKind.PATIENT
    return user.role in CLINICAL_ROLES


@transaction.atomic
def do_record_rating(
    *,
    actor: User,
    patient: Patient,
    values: Mapping[str, object],
    rated_on: datetime.date,
    scale_id: str = "",
    instrument: ClinicInstrument | None = None,
    session_note: SessionNote | None = None,
    request: HttpRequest | None = None,
) -> OutcomeRating:
    """Score and store one rating. Refused (ValidationError naming the input) when the
    values do not fit the scale, the date is in the future or implausibly old, or the
    session belongs to another patient; PermissionDenied when the actor may not rate it."""
    if instrument is not None:
        if instrument.clinic_id != patient.clinic_id or instrument.is_archived:
            raise ValidationError("This instrument is not in use at the patient's clinic.")
        scale = instrument.scale()
        scale_id = ""
    else:
        found = get_knowledge().scales.get(scale_id)
        if found is None:
            raise ValidationError({"scale": ["No such scale."]})
        scale = found
    if not may_rate(actor, patient, scale):
        raise PermissionDenied("You may not record this rating for this patient.")
    today = patient.clinic.today()
    problems: dict[str, list[str]] = {}
    if rated_on > today:
        problems["rated_on"] = ["A rating cannot be dated in the future."]
    elif rated_on < today - datetime.timedelta(days=OLDEST_RATING_DAYS):
        problems["rated_on"] = ["Date a rating within the last five years."]
    if session_note is not None and session_note.patient_id != patient.pk:
        problems["session_note"] = ["That session is another patient's."]
    try:
        total = score(scale, values)
    except ScoreError as error:
        for key, text in error.problems.items():
            problems.setdefault(key, []).append(text)
        total = Decimal(0)
    if problems:
        raise ValidationError(problems)
    rating = OutcomeRating.objects.create(
        patient=patient,
        scale_id=scale_id,
        instrument=instrument,
        values={key: str(value).strip() for key, value in values.items()},
        total=total,
        rated_on=rated_on,
        rater_kind=scale.rater,
        rated_by=actor,
        session_note=session_note,
    )
    record_event(
        request,
        AuditAction.CREATE,
        actor=actor,
        patient=patient,
        obj=rating,
        detail={"scale": scale_id or f"instrument {instrument.pk if instrument else ''}"},
    )
    return rating


# ------------------------------------------------------------------------------ due


@dataclass(frozen=True)
class PlanSchedule:
    plan: TreatmentPlanRecord | None
    due: tuple[DueScale, ...]


def patient_schedule(patient: Patient, today: datetime.date) -> PlanSchedule:
    """What the patient's latest accepted plan calls for, matched to the ratings recorded."""
    plan = TreatmentPlanRecord.objects.filter(patient=patient).first()
    if plan is None:
        return PlanSchedule(None, ())
    sessions = PlannedSession.objects.filter(plan=plan)
    dates: dict[int, list[datetime.date]] = {}
    for session in sessions:
        dates.setdefault(session.series_index, []).append(session.planned_on)
    series = [
        SeriesDates(one.indications, tuple(dates.get(index, ())))
        for index, one in enumerate(plan.accepted_plan.series)
    ]
    schedule = outcome_schedule(series, sex=patient.sex or None)
    ratings = OutcomeRating.objects.filter(patient=patient, instrument__isnull=True).values_list(
        "scale_id", "rated_on"
    )
    return PlanSchedule(plan, due_status(schedule, list(ratings), today))


# ------------------------------------------------------------------------------ blinded


def blinded_order(earlier_ref: str, later_ref: str, later_first: bool) -> tuple[str, str]:
    """The two photos in the order the rater sees them."""
    return (later_ref, earlier_ref) if later_first else (earlier_ref, later_ref)


def shown_order(pair: BlindedPairRating) -> tuple[str, str]:
    return blinded_order(pair.earlier_ref, pair.later_ref, pair.later_shown_first)


def identified_later(pair: BlindedPairRating) -> bool | None:
    """Whether the rater picked the truly later photo (None until rated)."""
    if not pair.judged_later:
        return None
    return (pair.judged_later == "first") == pair.later_shown_first


@transaction.atomic
def do_assign_blinded_pair(
    *,
    actor: User,
    patient: Patient,
    earlier_ref: str,
    later_ref: str,
    rater: Any,
    rng: random.Random | None = None,
    request: HttpRequest | None = None,
) -> BlindedPairRating:
    """Put a pair of the patient's photos (earlier, later) before a rater, in a random order
    drawn now and recorded. ``rng`` is for tests; by default the system's secure source."""
    if actor.role not in CLINICAL_ROLES or not is_related_to_patient(actor, patient):
        raise PermissionDenied("Only the clinic's clinical staff set up blinded ratings.")
    problems: dict[str, list[str]] = {}
    for field, ref in (("earlier_ref", earlier_ref), ("later_ref", later_ref)):
        if not ref or len(ref) > 64:
            problems[field] = ["Give the photo's reference."]
    if earlier_ref and earlier_ref == later_ref:
        problems["later_ref"] = ["A pair is two different photos."]
    if rater.role not in CLINICAL_ROLES or rater.clinic_id != patient.clinic_id:
        problems["rater"] = ["The rater must be a clinician of the patient's clinic."]
    if problems:
        raise ValidationError(problems)
    draw = rng or secrets.SystemRandom()
    pair = BlindedPairRating.objects.create(
        patient=patient,
        earlier_ref=earlier_ref,
        later_ref=later_ref,
        later_shown_first=draw.random() < 0.5,
        token=secrets.token_urlsafe(32),
        rater=rater,
        assigned_by=actor,
    )
    record_event(request, AuditAction.CREATE, actor=actor, patient=patient, obj=pair)
    return pair


@transaction.atomic
def do_rate_blinded_pair(
    *,
    actor: User,
    pair: BlindedPairRating,
    gais: int,
    judged_later: str,
    request: HttpRequest | None = None,
) -> BlindedPairRating:
    """The assigned rater's GAIS for the pair and which photo they judged the later."""
    locked = BlindedPairRating.objects.select_for_update().select_related("patient").get(pk=pair.pk)
    if actor.pk != locked.rater_id or not is_related_to_patient(actor, locked.patient):
        raise PermissionDenied("This pair was given to another rater.")
    problems: dict[str, list[str]] = {}
    if locked.rated_at is not None:
        problems["gais"] = ["This pair has been rated already."]
    if isinstance(gais, bool) or not isinstance(gais, int) or not 1 <= gais <= 5:
        problems.setdefault("gais", []).append("Choose a grade from 1 to 5.")
    if judged_later not in ("first", "second"):
        problems["judged_later"] = ["Say which photo looks later: the first or the second."]
    if problems:
        raise ValidationError(problems)
    locked.gais = gais
    locked.judged_later = judged_later
    locked.rated_at = timezone.now()
    locked.save(update_fields=["gais", "judged_later", "rated_at"])
    record_event(request, AuditAction.UPDATE, actor=actor, patient=locked.patient, obj=locked)
    return locked
