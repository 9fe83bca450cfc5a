"""The recovery diary's state changes: scheduling a session's check-ins, the patient's
answers and their triage, the alert and its acknowledgement, adverse events.

Numbers (check-in days, the response clock, the adverse-event vocabulary) come from the
knowledge base (escalation.toml); the triage is the core's ``classify_diary``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting.amendments import current_values
from cit.clinic.charting.depth_rules import zone_limits
from cit.clinic.charting.models import SessionNote
from cit.clinic.facilities.models import Clinic
from cit.clinic.intake.models import IntakeRecord
from cit.clinic.patients.models import Patient
from cit.clinic.photos.actions import current_photo_scopes, do_capture_photo, photo_views_for_zones
from cit.clinic.photos.models import PhotoScope
from cit.clinic.photos.sanitise import SanitisedPhoto
from cit.clinic.recovery.models import (
    AdverseEvent,
    CheckIn,
    DiaryEntry,
    RecoveryAlert,
    Severity,
)
from cit.clinic.recovery.tasks import escalate_alert, notify_treating_clinician, send_check_in
from cit.protocol.aftercare import DiaryLevel, classify_diary, diary_check_ins
from cit.protocol.knowledge import get_knowledge
from cit.protocol.model import DiaryEntry as CoreDiaryEntry
from cit.protocol.model import PainTrend

# The yes/no answers of the form that the core's escalation signs read.
CORE_SIGNS = (
    "fever", "pus", "blisters", "hives", "lip_eye_swelling", "breathing_trouble",
    "spreading_redness", "pigment_change", "track_marks", "itchy_rash", "acne_flare", "bumps",
)  # fmt: skip
# Asked because they are part of healing; no sign escalates them (CLINICAL.md section 5).
EXPECTED_ONLY = ("peeling", "bleeding")


# ------------------------------------------------------------------------------ scheduling


def skin_type(patient: Patient) -> int | None:
    """The Fitzpatrick type of the patient's latest questionnaire, else of the record."""
    latest = IntakeRecord.objects.filter(patient=patient).order_by("-version").first()
    if latest is not None and isinstance(latest.data.get("fitzpatrick"), int):
        return int(latest.data["fitzpatrick"])
    return patient.fitzpatrick_type


def _at_send_hour(clinic: Clinic, day: datetime.date) -> datetime.datetime:
    hour = get_knowledge().diary.send_hour
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=clinic.tzinfo)


def schedule_check_ins(note: SessionNote) -> list[CheckIn]:
    """Create the signed session's check-ins (once: a second call finds them) and send each
    when it is due, by the background worker, after the transaction commits."""
    clinic = note.patient.clinic
    check_ins = []
    for due in diary_check_ins(skin_type(note.patient)):
        check_in, _ = CheckIn.objects.get_or_create(
            note=note,
            day=due.day,
            defaults={
                "patient": note.patient,
                "kind": due.kind,
                "due_at": _at_send_hour(
                    clinic, note.session_date + datetime.timedelta(days=due.day)
                ),
                "late_at": _at_send_hour(
                    clinic, note.session_date + datetime.timedelta(days=due.late_after_day)
                ),
            },
        )
        check_ins.append(check_in)
    ids = [check_in.pk for check_in in check_ins]
    transaction.on_commit(lambda: enqueue_check_in_messages(ids))
    return check_ins


def enqueue_check_in_messages(check_in_ids: list[int]) -> None:
    now = timezone.now()
    for check_in in CheckIn.objects.filter(pk__in=check_in_ids, sent_at__isnull=True):
        task = send_check_in.using(run_after=check_in.due_at) if check_in.due_at > now else None
        (task or send_check_in).enqueue(check_in.pk)


# ------------------------------------------------------------------------------ links


# ------------------------------------------------------------------------------ answers


def day_after_session(check_in: CheckIn, now: datetime.datetime | None = None) -> int:
    """Days from the session to today in the clinic (the day the patient answers on)."""
    today = check_in.patient.clinic.today(now)
    return max(0, (today - check_in.note.session_date).days)


def core_entry(answers: dict[str, Any]) -> CoreDiaryEntry:
    return CoreDiaryEntry(
        redness=int(answers["redness"]),
        swelling=int(answers["swelling"]),
        pain=int(answers["pain"]),
        pain_trend=PainTrend(answers["pain_trend"]),
        **{name: bool(answers.get(name)) for name in CORE_SIGNS},
    )


@dataclass(frozen=True)
class Submitted:
    entry: DiaryEntry
    alert: RecoveryAlert | None


def may_send_photo(patient: Patient) -> bool:
    """A check-in may carry a photo when the patient has a portal account (the photo is
    theirs) and consents to photographs for their record."""
    return patient.portal_user_id is not None and PhotoScope.RECORD in current_photo_scopes(patient)


def check_in_photo_view(check_in: CheckIn) -> str:
    """The first standard view of the zones treated in the session (the face from the
    front when none is known)."""
    zones = list(check_in.note.zones.values_list("zone", flat=True))
    views = photo_views_for_zones(zones) if zones else ()
    return views[0].id if views else "face_frontal"


def do_submit_check_in(
    *,
    check_in: CheckIn,
    answers: dict[str, Any],
    via: str,
    photo: SanitisedPhoto | None = None,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> Submitted:
    """Record the patient's answers once, triaged by the core for the day after the session;
    anything not expected raises an alert with its response clock. A photo (already
    sanitised) is kept with the patient's photographs, linked to the session."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            CheckIn.objects.select_for_update()
            .select_related("note", "patient__clinic")
            .get(pk=check_in.pk)
        )
        if locked.answered_at is not None:
            raise ValidationError({"check_in": "This check-in has already been answered."})
        day = day_after_session(locked, now)
        knowledge = get_knowledge()
        result = classify_diary(core_entry(answers), day, knowledge=knowledge)
        entry = DiaryEntry.objects.create(
            check_in=locked,
            patient=locked.patient,
            day_after_session=day,
            redness=int(answers["redness"]),
            swelling=int(answers["swelling"]),
            pain=int(answers["pain"]),
            pain_trend=str(answers["pain_trend"]),
            note=str(answers.get("note") or "").strip(),
            level=result.level.value,
            signs=[
                {"id": sign.id, "level": sign.level.value, "reason": sign.reason}
                for sign in result.signs
            ],
            protocol_version=knowledge.protocol_version,
            submitted_via=via,
            **{name: bool(answers.get(name)) for name in CORE_SIGNS + EXPECTED_ONLY},
        )
        locked.answered_at = now
        locked.save(update_fields=["answered_at"])
        # may_send_photo: the patient has a portal account, which owns the photo.
        if (
            photo is not None
            and may_send_photo(locked.patient)
            and (owner := locked.patient.portal_user) is not None
        ):
            do_capture_photo(
                actor=owner,
                patient=locked.patient,
                view=check_in_photo_view(locked),
                taken_on=locked.patient.clinic.today(now),
                photo=photo,
                session_note=locked.note,
                request=request,
            )
        # A portal answer is the logged-in patient's; a link's has no account behind it.
        record_event(
            request,
            AuditAction.CREATE,
            patient=locked.patient,
            obj=entry,
            detail={"check_in": locked.pk, "day": day, "via": via},
            channel="page" if request is not None else "task",
        )
        alert = None
        if result.level is not DiaryLevel.EXPECTED:
            alert = _raise_alert(entry, locked, result.level, now, request)
    return Submitted(entry, alert)


def _raise_alert(
    entry: DiaryEntry,
    check_in: CheckIn,
    level: DiaryLevel,
    now: datetime.datetime,
    request: HttpRequest | None,
) -> RecoveryAlert:
    hours = get_knowledge().diary.response_hours[level.value]
    note = check_in.note
    alert = RecoveryAlert.objects.create(
        entry=entry,
        patient=check_in.patient,
        note=note,
        clinic=check_in.patient.clinic,
        level=level.value,
        raised_at=now,
        respond_by=now + datetime.timedelta(hours=hours),
        treating_clinician=note.signed_by,
    )
    record_event(
        request,
        AuditAction.CREATE,
        patient=check_in.patient,
        obj=alert,
        detail={"level": level.value, "respond_by": alert.respond_by.isoformat()},
        channel="page" if request is not None else "task",
    )
    transaction.on_commit(lambda: enqueue_alert_tasks(alert.pk))
    return alert


def enqueue_alert_tasks(alert_id: int) -> None:

    alert = RecoveryAlert.objects.get(pk=alert_id)
    notify_treating_clinician.enqueue(alert_id)
    escalate_alert.using(run_after=alert.respond_by).enqueue(alert_id)


# ------------------------------------------------------------------------------ clinicians


def do_acknowledge_alert(
    *,
    actor: User,
    alert: RecoveryAlert,
    action_taken: str,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> RecoveryAlert:
    """The clinician has reviewed the check-in and says what was done; the clock stops."""
    action_taken = action_taken.strip()
    if not action_taken:
        raise ValidationError({"action_taken": "Say what was done (called the patient, ...)."})
    with transaction.atomic():
        locked = RecoveryAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is not None:
            raise ValidationError({"action_taken": "This alert has already been acknowledged."})
        locked.acknowledged_at = now or timezone.now()
        locked.acknowledged_by = actor
        locked.action_taken = action_taken
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "action_taken"])
        record_event(
            request,
            AuditAction.UPDATE,
            actor=actor,
            patient=locked.patient,
            obj=locked,
            detail={"acknowledged": True},
        )
    return locked


def adverse_event_labels() -> dict[str, str]:
    return {event.id: event.label for event in get_knowledge().diary.adverse_events}


def do_record_adverse_event(
    *,
    actor: User,
    note: SessionNote,
    event_type: str,
    severity: str,
    onset_on: datetime.date,
    description: str = "",
    alert: RecoveryAlert | None = None,
    request: HttpRequest | None = None,
) -> AdverseEvent:
    """An adverse event after ``note``'s session, with the depth, zones and lots of the
    signed note (as amended)."""
    errors: dict[str, str] = {}
    if event_type not in adverse_event_labels():
        errors["event_type"] = "Choose a type of adverse event from the list."
    if severity not in Severity.values:
        errors["severity"] = "Choose mild, moderate or severe."
    if not note.is_signed:
        errors["note"] = "Adverse events are recorded against a signed session."
    elif onset_on < note.session_date:
        errors["onset_on"] = "The onset cannot be before the session."
    if alert is not None and alert.note_id != note.pk:
        errors["note"] = "The alert is about another session."
    if errors:
        raise ValidationError(errors)
    values = current_values(note)
    titles = {zone: limits.title for zone, limits in zone_limits(note.patient.clinic).items()}
    zones = []
    for zone in note.zones.all():
        depth = values.get(f"zone:{zone.zone}:depth_mm") or str(zone.depth_mm)
        zones.append(
            {"zone": zone.zone, "title": titles.get(zone.zone, zone.zone), "depth_mm": depth}
        )
    with transaction.atomic():
        event = AdverseEvent.objects.create(
            patient=note.patient,
            note=note,
            alert=alert,
            event_type=event_type,
            severity=severity,
            onset_on=onset_on,
            description=description.strip(),
            max_depth_mm=max((Decimal(z["depth_mm"]) for z in zones), default=None),
            zones=zones,
            recorded_by=actor,
        )
        event.lot_uses.set([product.lot_use for product in note.products.all()])
        record_event(
            request,
            AuditAction.CREATE,
            actor=actor,
            patient=note.patient,
            obj=event,
            detail={"event_type": event_type, "severity": severity, "note": note.pk},
        )
    return event


# ------------------------------------------------------------------------------ lists


def open_alerts(clinic: Clinic) -> QuerySet[RecoveryAlert]:
    """Alerts no clinician has acknowledged yet (page them soonest due first:
    ``ALERT_ORDER``)."""
    return RecoveryAlert.objects.filter(clinic=clinic, acknowledged_at__isnull=True).select_related(
        "patient"
    )


ALERT_ORDER = ("respond_by", "id")


def missed_check_ins(clinic: Clinic, now: datetime.datetime | None = None) -> QuerySet[CheckIn]:
    """Check-ins still unanswered a day (the configured time) after they were due (page
    them latest first: ``MISSED_ORDER``)."""
    now = now or timezone.now()
    return CheckIn.objects.filter(
        patient__clinic=clinic,
        patient__archived_at__isnull=True,
        answered_at__isnull=True,
        late_at__lte=now,
    ).select_related("patient", "note")


MISSED_ORDER = ("-late_at", "id")
