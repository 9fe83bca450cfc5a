"""One message to a patient on one channel, keyed so that it goes out once."""

from __future__ import annotations

from django.db import models


class DeliveryStatus(models.TextChoices):
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Not sent (failed)"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message"


class Delivery(models.Model):
    """The record of one message, made before it is handed to the mail or SMS server.

    ``key`` is unique (e.g. ``reminder:<appointment>:<sequence>:email``): a second try of the
    same message finds this row and sends nothing when it says SENT. A row left SENDING with
    an expired claim means the worker died while sending: the outcome is unknown, and the
    next try sends again under the same key (the e-mail's Message-ID is derived from it).
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, help_text="What the message is: reminder, recall...")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    clinic = models.ForeignKey("facilities.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.SENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(
        max_length=200, blank=True, help_text="The error's class only: never message content."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "status"])]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.key} ({self.status}, {self.attempts} tries)"
