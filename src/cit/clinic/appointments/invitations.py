"""Calendar invitations (iTIP over e-mail, RFC 6047): booking sends ``METHOD:REQUEST`` with
the clinic as ORGANIZER and the patient as ATTENDEE, a move sends the same UID again with a
higher SEQUENCE, and a cancellation sends ``METHOD:CANCEL`` so the session leaves the
patient's calendar.

Sent by the background worker, enqueued on commit; the task is idempotent: each message is
a delivery record keyed by appointment and version (``do_deliver_once``), so a task that runs
twice, or two enqueues of the same version, send one e-mail, and one whose worker died is
sent again once its lease runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.mime.text import MIMEText

from django.core.mail import EmailMessage
from django.db import transaction
from django_tasks import task

from cit.clinic.appointments.calendar_models import CalendarMethod
from cit.clinic.appointments.ics import appointment_uid, build_calendar, session_summary
from cit.clinic.appointments.models import Appointment
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.jobs.actions import do_deliver_once, message_id
from cit.clinic.jobs.models import Channel


def enqueue_calendar_messages(appointment_ids: Sequence[int], method: CalendarMethod) -> None:
    """Enqueue one message per appointment for its current version; call it on commit."""
    for appointment_id, sequence in Appointment.objects.filter(
        pk__in=list(appointment_ids)
    ).values_list("pk", "sequence"):
        send_calendar_message.enqueue(appointment_id, sequence, str(method))


def on_commit_send(appointment_ids: Sequence[int], method: CalendarMethod) -> None:
    """The hook the scheduling actions call inside their transaction."""
    ids = list(appointment_ids)
    if ids:
        transaction.on_commit(lambda: enqueue_calendar_messages(ids, method))


@task(queue_name="calendar")
def send_calendar_message(appointment_id: int, sequence: int, method: str) -> str:
    """E-mail the patient the invitation, update or cancellation of this appointment version.
    Returns what happened, for the task result."""
    appointment = (
        Appointment.objects.select_related("clinic", "patient", "room", "provider__user", "series")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None or appointment.sequence != sequence:
        # A later version was enqueued too; it carries the news.
        return "skipped: superseded"
    if not appointment.patient.email:
        return "skipped: the patient has no e-mail address"
    sent = do_deliver_once(
        key=f"calendar:{appointment.pk}:{sequence}:{Channel.EMAIL}",
        kind="calendar",
        channel=Channel.EMAIL,
        clinic_id=appointment.clinic_id,
        patient_id=appointment.patient_id,
        send=lambda key: _deliver(appointment, CalendarMethod(method), key),
        object_type="appointments.Appointment",
        object_id=str(appointment.pk),
    )
    if not sent:
        return "skipped: already sent or being sent"
    # Sending the patient's appointment out is a disclosure of their data: audit it.
    record_event(
        None,
        AuditAction.EXPORT,
        patient=appointment.patient,
        obj=appointment,
        detail={"calendar": method, "sequence": sequence},
        channel="task",
    )
    return "sent"


def _deliver(appointment: Appointment, method: CalendarMethod, key: str) -> None:
    clinic, patient = appointment.clinic, appointment.patient
    when = appointment.local_start()
    moment = f"{when:%A %d %B %Y at %H:%M} ({clinic.timezone})"
    if method == CalendarMethod.CANCEL:
        subject = f"Cancelled: your appointment on {when:%d %b at %H:%M}"
        text = f"{session_summary(appointment)} at {clinic.name} on {moment} is cancelled."
    elif appointment.sequence == 0:
        subject = f"Booked: your appointment on {when:%d %b at %H:%M}"
        text = f"{session_summary(appointment)} at {clinic.name} is booked for {moment}."
    else:
        subject = f"Changed: your appointment is now on {when:%d %b at %H:%M}"
        text = f"{session_summary(appointment)} at {clinic.name} is now on {moment}."
    if method == CalendarMethod.CANCEL:
        calendar = build_calendar([appointment], method="CANCEL", cancelled=True)
    else:
        calendar = build_calendar([appointment], method="REQUEST")
    message = EmailMessage(
        subject=subject,
        body=(
            f"Dear {patient.given_name},\n\n{text}\n\n"
            "Your calendar app can add (or remove) it with the attached entry.\n"
        ),
        to=[patient.email],
        headers={"Message-ID": message_id(key)},
    )
    # The iTIP method on the attachment's type lets mail clients show their invitation
    # buttons (RFC 6047).
    part = MIMEText(calendar.decode(), "calendar", "utf-8")
    part.set_param("method", method.value)
    part.add_header(
        "Content-Disposition",
        "attachment",
        filename=f"{appointment_uid(appointment).split('@')[0]}.ics",
    )
    message.attach(part)
    message.send(fail_silently=False)
