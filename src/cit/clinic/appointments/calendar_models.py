"""Rows of the calendar side of appointments: the iTIP e-mails sent (one per appointment
version, so a task that runs twice sends once) and each patient's private feed token."""

from __future__ import annotations

from django.db import models


class CalendarMethod(models.TextChoices):
    REQUEST = "REQUEST", "Invitation or update"
    CANCEL = "CANCEL", "Cancellation"


class CalendarMessage(models.Model):
    """The invitation, update or cancellation e-mailed for one version (SEQUENCE) of an
    appointment. The row is the claim: a second runner cannot create it again."""

    appointment = models.ForeignKey(
        "appointments.Appointment", on_delete=models.CASCADE, related_name="calendar_messages"
    )
    sequence = models.PositiveIntegerField()
    method = models.CharField(max_length=10, choices=CalendarMethod.choices)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "sequence"], name="calendar_message_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} for appointment {self.appointment_id} v{self.sequence}"


class CalendarFeed(models.Model):
    """A patient's private calendar subscription: only the SHA-256 of the token is kept, so
    the link is shown once; a new token replaces (revokes) the old one."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of patient {self.patient_id}"
