"""What CIT keeps of its CDS Hooks calls: the JWT nonces seen (against replay), the cards
it answered with, and the feedback clients sent on them."""

from __future__ import annotations

import uuid

from django.db import models


class CdsTokenUse(models.Model):
    """A client JWT's ``jti``, kept until the token expires: the same token again is refused
    (in the database, so every worker process sees it)."""

    issuer = models.CharField(max_length=500)
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "jti"], name="cds_token_used_once")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.jti}"


class CdsCard(models.Model):
    """One card CIT answered a hook call with, by the ``uuid`` the client sends feedback on."""

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.CharField(max_length=100)
    issuer = models.CharField(max_length=500, help_text="The client the card was sent to.")
    hook_instance = models.CharField(max_length=200)
    decision = models.CharField(max_length=40)
    indicator = models.CharField(max_length=10)
    screening_day = models.DateField()
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The CIT patient the card linked to, when the EHR's record named one.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.service} {self.uuid} ({self.decision})"


class FeedbackOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    OVERRIDDEN = "overridden", "Overridden"


class CdsFeedback(models.Model):
    """What the clinician did with a card, as the client reported it."""

    card = models.ForeignKey(CdsCard, on_delete=models.PROTECT, related_name="feedback")
    outcome = models.CharField(max_length=12, choices=FeedbackOutcome.choices)
    outcome_at = models.DateTimeField(help_text="When the clinician acted (the client's time).")
    override_system = models.CharField(max_length=500, blank=True)
    override_code = models.CharField(max_length=200, blank=True)
    override_display = models.CharField(max_length=500, blank=True)
    user_comment = models.TextField(blank=True)
    accepted_suggestions = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.card_id}: {self.outcome}"
