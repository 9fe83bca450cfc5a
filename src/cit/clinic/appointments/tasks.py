"""Background work on django-tasks (database backend; run ``cit db_worker``).

Every task is idempotent: the database row it acts on says whether the work was done, and the
task claims it with a conditional UPDATE before doing it, so a task that runs twice (a worker
restart, a duplicate enqueue, two workers at once) does the work once. Claims are leases
(``cit.clinic.jobs.lease``): a worker killed mid-task leaves a claim that runs out, and the
sweep (``sweep_stuck_work``) puts its work back in the queue.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cit.clinic.appointments.ics import appointment_uid, build_calendar, session_summary
from cit.clinic.appointments.models import Appointment, AppointmentStatus, SeriesKind
from cit.clinic.appointments.sms import get_sms_backend
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.dates import clinic_date_text
from cit.clinic.intake.models import IntakeRecord
from cit.clinic.integrations.actions import do_clear_expired_tokens
from cit.clinic.jobs.actions import do_deliver_to_patient, message_id
from cit.clinic.jobs.lease import claim, claimable, lease_expired_before, release
from cit.clinic.jobs.models import Delivery, DeliveryStatus
from cit.clinic.jobs.recovery import recover_stuck_tasks
from cit.clinic.links import absolute_url


@task(queue_name="reminders")
def send_reminder(appointment_id: int, sequence: int) -> str:
    """Email (with the session's .ics) and SMS the patient once for this version of the
    appointment. Returns what happened, for the task result."""
    now = timezone.now()
    # The claim, a lease: one runner sets reminder_claimed_at on the current sequence of a
    # still-booked, unsent appointment; a claim older than TASK_LEASE_SECONDS (its worker
    # died) can be taken over. Everyone else sees 0 rows updated.
    unsent = Appointment.objects.filter(
        pk=appointment_id,
        sequence=sequence,
        status=AppointmentStatus.BOOKED,
        reminder_sent_at__isnull=True,
        start__gt=now,
    )
    if not claim(unsent, "reminder_claimed_at", now):
        return "skipped: already sent, being sent, cancelled, moved or past"
    appointment = Appointment.objects.select_related(
        "clinic", "patient", "room", "provider__user", "series"
    ).get(pk=appointment_id)
    try:
        _deliver(appointment, sequence)
    except Exception:
        # Not delivered: release the claim so a retry can send it (channels already sent
        # are recorded and not sent again).
        release(Appointment.objects.filter(pk=appointment_id), "reminder_claimed_at", now)
        raise
    done = Appointment.objects.filter(pk=appointment_id, reminder_claimed_at=now).update(
        reminder_sent_at=timezone.now(), reminder_sequence=sequence
    )
    if not done:  # our lease ran out and another run took over: it records the sending
        return "sent; finished by another run"
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


def reminder_key(appointment_id: int, sequence: int) -> str:
    """The dedupe key of a reminder: the appointment and its version (each channel's
    message adds ``:email`` or ``:sms``)."""
    return f"reminder:{appointment_id}:{sequence}"


def questionnaire_request(appointment: Appointment) -> str | None:
    """For a consultation reminder: ask a patient who has not answered the questionnaire yet
    to fill it in before the visit, with the link to it in their portal."""
    if appointment.series.kind != SeriesKind.CONSULTATION:
        return None
    if IntakeRecord.objects.filter(patient_id=appointment.patient_id).exists():
        return None
    link = absolute_url("questionnaire", appointment.patient_id)
    return gettext(
        "Before your consultation, please fill in the health questionnaire in your "
        "patient portal: %(link)s"
    ) % {"link": link}


def _deliver(appointment: Appointment, sequence: int) -> None:
    clinic, patient = appointment.clinic, appointment.patient
    when = appointment.local_start()
    text = (
        f"Reminder: {session_summary(appointment)} at {clinic.name} on "
        f"{clinic_date_text(when, 'l j F Y', order=clinic.date_order)} at {when:%H:%M} "
        f"({clinic.timezone}), room {appointment.room.name}."
    )
    text = " ".join(part for part in (text, questionnaire_request(appointment)) if part)

    def send_email(key: str) -> None:
        message = EmailMessage(
            subject=(
                f"Your appointment on {clinic_date_text(when, 'j M', order=clinic.date_order)}"
                f" at {when:%H:%M}"
            ),
            body=f"Dear {patient.given_name},\n\n{text}\n\nThe calendar entry is attached.\n",
            to=[patient.email],
            headers={"Message-ID": message_id(key)},
        )
        message.attach(
            f"{appointment_uid(appointment).split('@')[0]}.ics",
            build_calendar([appointment]),
            "text/calendar",
        )
        message.send(fail_silently=False)

    def send_sms(key: str) -> None:
        get_sms_backend().send(patient.phone, text)

    do_deliver_to_patient(
        key=reminder_key(appointment.pk, sequence),
        kind="reminder",
        patient=patient,
        email=send_email,
        sms=send_sms,
        object_type="appointments.Appointment",
        object_id=str(appointment.pk),
    )


def requeue_unsent_reminders(now: datetime.datetime | None = None) -> int:
    """Enqueue again the reminders that are due (by more than a lease), not sent, and not
    held by a live claim: their task failed, or its worker died before or after claiming.
    A reminder whose message failed DELIVERY_MAX_ATTEMPTS times is left for the admin page."""
    now = now or timezone.now()
    overdue = Appointment.objects.filter(
        claimable("reminder_claimed_at", now),
        status=AppointmentStatus.BOOKED,
        reminder_sent_at__isnull=True,
        reminder_due_at__lt=lease_expired_before(now),
        start__gt=now,
    ).values_list("pk", "sequence")
    # A backlog (the worker busy or stopped) must not grow with every sweep: a reminder whose
    # task is waiting in the queue already is left to it.
    waiting = {
        tuple(row.get("args", ()))
        for row in DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
            task_path=send_reminder.module_path,
        ).values_list("args_kwargs", flat=True)
    }
    requeued = 0
    for appointment_id, sequence in overdue:
        if (appointment_id, sequence) in waiting:
            continue
        given_up = Delivery.objects.filter(
            key__startswith=f"reminder:{appointment_id}:{sequence}:",
            attempts__gte=settings.DELIVERY_MAX_ATTEMPTS,
        ).exclude(status=DeliveryStatus.SENT)
        if given_up.exists():
            continue
        send_reminder.enqueue(appointment_id, sequence)
        requeued += 1
    return requeued


@task(queue_name="default")
def sweep_stuck_work() -> dict[str, int]:
    """The periodic sweep (every TASK_SWEEP_SECONDS): fail and re-enqueue tasks stuck
    RUNNING, re-enqueue overdue unsent reminders, delete expired OAuth tokens, then schedule
    the next sweep."""
    counts = recover_stuck_tasks()
    counts["reminders_requeued"] = requeue_unsent_reminders()
    counts["expired_tokens_removed"] = do_clear_expired_tokens()
    schedule_sweep(after_seconds=int(settings.TASK_SWEEP_SECONDS))
    return counts


def schedule_sweep(after_seconds: int = 0) -> None:
    """Enqueue the next sweep unless one is already waiting (the worker calls this when it
    starts, so a sweep lost with a killed worker is scheduled again)."""
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=sweep_stuck_work.module_path
    )
    if waiting.exists():
        return
    run_after = timezone.now() + datetime.timedelta(seconds=after_seconds)
    sweep_stuck_work.using(run_after=run_after).enqueue()
