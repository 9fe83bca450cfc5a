"""Versioned intake answers and the screenings run on them.

Both are evidence: a new answer is a new version, never an edit, and a screening is
stored exactly as the engine returned it, with the protocol version and clinic profile
that decided it.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models

from cit.clinic.archive import AppendOnlyModel
from cit.protocol.stored import StoredScreening


class IntakeSource(models.TextChoices):
    PORTAL = "portal", "Patient portal"
    DESK = "desk", "Entered by staff"
    FHIR = "fhir", "Imported from FHIR"
    DEMO = "demo", "Demo data"


class IntakeRecord(AppendOnlyModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="intakes"
    )
    version = models.PositiveIntegerField()
    # The intake in CIT's intake JSON format (cit.protocol.intake_json), as validated.
    data = models.JSONField()
    source = models.CharField(max_length=10, choices=IntakeSource.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["patient", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "version"], name="intake_unique_version")
        ]

    def __str__(self) -> str:
        return f"Intake v{self.version} of {self.patient}"


class ScreeningRecord(AppendOnlyModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="screenings"
    )
    intake = models.ForeignKey(IntakeRecord, on_delete=models.PROTECT, related_name="screenings")
    screened_for = models.DateField(help_text="The treatment day the screening answers for.")
    decision = models.CharField(max_length=30)
    until = models.DateField(null=True, blank=True)
    # screening_to_dict() of the engine's result: findings, facts, sources, unrecognised.
    result = models.JSONField()
    protocol_version = models.CharField(max_length=80)
    profile = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["patient", "-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "-created_at"])]

    def __str__(self) -> str:
        return f"Screening of {self.patient} for {self.screened_for}: {self.decision}"

    @cached_property
    def stored(self) -> StoredScreening:
        """``result`` read into types, once per row (the row never changes)."""
        return StoredScreening.from_dict(self.result)

    def get_decision_label(self) -> str:
        """The engine's decision in words ("Refer to a physician"); pages that show a
        screening show the effective one (intake.actions.effective_screening)."""
        from cit.clinic.labels import decision_label

        return decision_label(self.decision)


class ScreeningOverride(AppendOnlyModel):
    """A clinician's recorded decision to lift one finding of a screening, with the reason."""

    screening = models.ForeignKey(
        ScreeningRecord, on_delete=models.PROTECT, related_name="overrides"
    )
    rule = models.CharField(max_length=60)
    reason = models.TextField()
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    overridden_by_role = models.CharField(max_length=32)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "rule"], name="override_once_per_rule"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="override_reason_required"),
        ]

    def __str__(self) -> str:
        return f"Override of {self.rule} on {self.screening}"
