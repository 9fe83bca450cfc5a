"""When a session's reminder is due, and queueing it after the booking commits."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from cit.clinic.appointments.models import (
    Appointment,
    AppointmentStatus,
)
from cit.clinic.appointments.tasks import send_reminder


def reminder_due(start: datetime.datetime) -> datetime.datetime:
    return start - datetime.timedelta(hours=settings.REMINDER_HOURS_BEFORE)


def schedule_reminders(appointment_ids: Sequence[int]) -> None:
    """Enqueue one reminder task per appointment, to run when it is due (after commit)."""
    now = timezone.now()
    for appointment in Appointment.objects.filter(
        pk__in=appointment_ids, status=AppointmentStatus.BOOKED
    ):
        due = appointment.reminder_due_at or reminder_due(appointment.start)
        task = send_reminder.using(run_after=due) if due > now else send_reminder
        task.enqueue(appointment.pk, appointment.sequence)
