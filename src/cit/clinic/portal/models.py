"""A patient's request, from the portal, to move or cancel a booked session; staff
confirm (through the ordinary move or cancel) or decline it with a reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeKind(models.TextChoices):
    RESCHEDULE = "reschedule", _("Move to another time")
    CANCEL = "cancel", _("Cancel")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the clinic")
    CONFIRMED = "confirmed", _("Done by the clinic")
    DECLINED = "declined", _("Not possible")
    WITHDRAWN = "withdrawn", _("Withdrawn by you")


class ChangeRequest(models.Model):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="change_requests"
    )
    appointment = models.ForeignKey(
        "appointments.Appointment", on_delete=models.PROTECT, related_name="change_requests"
    )
    kind = models.CharField(max_length=12, choices=ChangeKind.choices)
    requested_start = models.DateTimeField(
        null=True, blank=True, help_text="The new start the patient asks for (moves only)."
    )
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decline_reason = models.CharField(max_length=300, blank=True)
    patient_told_at = models.DateTimeField(
        null=True, blank=True, help_text="When the patient was emailed that an answer is waiting."
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One open request per session: a second would race the first.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=models.Q(status="pending"),
                name="portal_one_pending_request_per_appointment",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="reschedule") | models.Q(requested_start__isnull=False),
                name="portal_reschedule_has_a_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request for {self.appointment}"

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING
