"""Background work on django-tasks (database backend; run ``cit db_worker``).

Every task is idempotent: the database row it acts on says whether the work was done, and the
task claims it with a conditional UPDATE before doing it, so a task that runs twice (a worker
restart, a duplicate enqueue, two workers at once) does the work once.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

from cit.clinic.appointments.ics import appointment_uid, build_calendar, session_summary
from cit.clinic.appointments.models import Appointment, AppointmentStatus
from cit.clinic.appointments.sms import get_sms_backend
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction


@task(queue_name="reminders")
def send_reminder(appointment_id: int, sequence: int) -> str:
    """Email (with the session's .ics) and SMS the patient once for this version of the
    appointment. Returns what happened, for the task result."""
    now = timezone.now()
    # The claim: only one runner flips reminder_claimed_at from NULL, for the current
    # sequence of a still-booked appointment; everyone else sees 0 rows updated.
    claimed = Appointment.objects.filter(
        pk=appointment_id,
        sequence=sequence,
        status=AppointmentStatus.BOOKED,
        reminder_claimed_at__isnull=True,
        start__gt=now,
    ).update(reminder_claimed_at=now)
    if not claimed:
        return "skipped: already sent, cancelled, moved or past"
    appointment = Appointment.objects.select_related(
        "clinic", "patient", "room", "provider__user", "series"
    ).get(pk=appointment_id)
    try:
        _deliver(appointment)
    except Exception:
        # Not delivered: release the claim so a retry can send it.
        Appointment.objects.filter(pk=appointment_id, reminder_claimed_at=now).update(
            reminder_claimed_at=None
        )
        raise
    Appointment.objects.filter(pk=appointment_id).update(
        reminder_sent_at=timezone.now(), reminder_sequence=sequence
    )
    # Sending the patient's appointment out is a disclosure of their data: audit it.
    record_event(
        None,
        AuditAction.EXPORT,
        patient=appointment.patient,
        obj=appointment,
        detail={"reminder": True, "sequence": sequence},
        channel="task",
    )
    return "sent"


def _deliver(appointment: Appointment) -> None:
    clinic, patient = appointment.clinic, appointment.patient
    when = appointment.local_start()
    text = (
        f"Reminder: {session_summary(appointment)} at {clinic.name} on "
        f"{when:%A %d %B %Y at %H:%M} ({clinic.timezone}), room {appointment.room.name}."
    )
    from cit.clinic.appointments.consultations import questionnaire_request

    text = " ".join(part for part in (text, questionnaire_request(appointment)) if part)
    if patient.email:
        message = EmailMessage(
            subject=f"Your appointment on {when:%d %b at %H:%M}",
            body=f"Dear {patient.given_name},\n\n{text}\n\nThe calendar entry is attached.\n",
            to=[patient.email],
        )
        message.attach(
            f"{appointment_uid(appointment).split('@')[0]}.ics",
            build_calendar([appointment]),
            "text/calendar",
        )
        message.send(fail_silently=False)
    if patient.phone:
        get_sms_backend().send(patient.phone, text)


@task(queue_name="replan")
def replan_after_absence(absence_id: int) -> dict[str, Any]:
    """Clinic-wide re-plan (CP-SAT, time-limited) of every series a provider's absence hits."""
    from cit.clinic.appointments.actions import replan_for_absence

    return replan_for_absence(absence_id, optimise=True)
