"""What the portal home shows a patient: the next appointment and how to prepare, the
plan in plain words, today's aftercare after a recent session, consents and handouts,
and the state of their change requests. Reads only; the view writes the audit event."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from cit.clinic.appointments.models import Appointment, AppointmentStatus
from cit.clinic.charting.models import ConsentSignature, SessionNote
from cit.clinic.intake.models import ScreeningRecord
from cit.clinic.patients.models import Patient
from cit.clinic.photos.actions import newest_of_each_view, photos_for
from cit.clinic.photos.models import Photo
from cit.clinic.plans.models import TreatmentPlanRecord
from cit.clinic.portal.models import ChangeRequest, RequestStatus
from cit.clinic.portal.plain import plan_in_words, preparation_words
from cit.clinic.recovery.models import CheckIn
from cit.protocol.aftercare import AFTERCARE_DAYS, aftercare
from cit.protocol.preparation import before_session

ANSWERED_SHOWN_DAYS = 30  # answered requests stay on the home page this long

UPCOMING = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.IN_TREATMENT)


@dataclass
class TodaysAftercare:
    session_date: datetime.date
    day: int
    instructions: list[str]
    handout_note_id: int


def upcoming_appointments(
    patient: Patient, now: datetime.datetime, limit: int | None = None
) -> list[Appointment]:
    return list(
        Appointment.objects.filter(patient=patient, status__in=UPCOMING, end__gt=now)
        .select_related("clinic", "room", "provider__user", "series")
        .order_by("start", "id")[:limit]
    )


def found_rules(patient: Patient) -> list[str]:
    screening = ScreeningRecord.objects.filter(patient=patient).first()
    if screening is None:
        return []
    return screening.stored.rules


def todays_aftercare(patient: Patient, today: datetime.date) -> TodaysAftercare | None:
    note = (
        SessionNote.objects.signed()
        .filter(
            patient=patient,
            session_date__lte=today,
            # Day 0 to the last aftercare day: a session that recent has aftercare today.
            session_date__gte=today - datetime.timedelta(days=AFTERCARE_DAYS - 1),
        )
        .order_by("-session_date", "-pk")
        .first()
    )
    if note is None:
        return None
    day = (today - note.session_date).days
    care = aftercare(note.session_date, day, patient.clinic.protocol_profile)
    return TodaysAftercare(
        note.session_date, day, [item.text for item in care.instructions], note.pk
    )


def directions_link(address: str) -> str:
    return f"https://www.openstreetmap.org/search?query={quote_plus(address)}" if address else ""


# The most rows of each list on the portal home; each links to its full, paged page.
HOME_LIST_LIMIT = 10


def _first(rows: QuerySet[Any], limit: int = HOME_LIST_LIMIT) -> tuple[list[Any], bool]:
    """The first ``limit`` rows, and whether there are more."""
    found = list(rows[: limit + 1])
    return found[:limit], len(found) > limit


def patient_home(patient: Patient, now: datetime.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    clinic = patient.clinic
    today = clinic.today(now)
    upcoming = upcoming_appointments(patient, now, HOME_LIST_LIMIT)
    requests, _more = _first(
        ChangeRequest.objects.filter(patient=patient)
        .filter(
            Q(status=RequestStatus.PENDING)
            | Q(decided_at__gte=now - datetime.timedelta(days=ANSWERED_SHOWN_DAYS))
        )
        .select_related("appointment__clinic")
        .order_by("-created_at")
    )
    pending = {
        r.appointment_id: r
        for r in ChangeRequest.objects.filter(
            appointment__in=upcoming, status=RequestStatus.PENDING
        )
    }
    consents, more_consents = _first(
        ConsentSignature.objects.filter(patient=patient).select_related("form")
    )
    handouts, more_handouts = _first(
        SessionNote.objects.signed().filter(patient=patient).order_by("-session_date", "-id")
    )
    check_ins_due, more_check_ins = _first(
        CheckIn.objects.filter(patient=patient, due_at__lte=now, answered_at__isnull=True)
        .select_related("note")
        .order_by("due_at", "id")
    )
    return {
        "patient": patient,
        "clinic": clinic,
        "zone": clinic.timezone,
        "next_appointment": upcoming[0] if upcoming else None,
        "upcoming": [(a, pending.get(a.pk)) for a in upcoming],
        "preparation": [
            preparation_words(item)
            for item in before_session(found_rules(patient), clinic.protocol_profile)
        ],
        "directions": directions_link(clinic.address),
        "plan_series": plan_in_words(TreatmentPlanRecord.objects.filter(patient=patient).first()),
        "aftercare_today": todays_aftercare(patient, today),
        "consents": consents,
        "handouts": handouts,
        "more_documents": more_consents or more_handouts,
        "change_requests": requests,
        "check_ins_due": check_ins_due,
        "more_check_ins": more_check_ins,
        "recent_photos": latest_photo_per_view(patient),
    }


def latest_photo_per_view(patient: Patient, limit: int = 6) -> list[Photo]:
    """The newest photo of each view the patient consented to for their record."""
    return newest_of_each_view(photos_for(patient), 1)[:limit]


def request_notice_hours() -> int:
    """The notice, in hours, a change asked for through the portal needs."""
    return int(settings.LATE_CANCEL_HOURS)


def waiting_count(clinic: Any) -> int:
    """How many patients' change requests wait for the clinic's answer (staff home)."""
    return ChangeRequest.objects.filter(
        status=RequestStatus.PENDING, patient__clinic=clinic, patient__archived_at__isnull=True
    ).count()
