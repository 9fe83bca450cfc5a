"""The calendar side of appointments: the iTIP methods, and each patient's private feed token
(the e-mails sent are delivery records of ``cit.clinic.jobs``)."""

from __future__ import annotations

from django.db import models


class CalendarMethod(models.TextChoices):
    REQUEST = "REQUEST", "Invitation or update"
    CANCEL = "CANCEL", "Cancellation"


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
