"""Accepted treatment plans and the sessions they call for.

The plan itself is evidence (append-only): the engine's proposal and the clinician's
accepted version side by side. Its sessions carry a planned day that may be moved by
hand, inside the interval window, until scheduling books them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cit.clinic.archive import AppendOnlyModel


class TreatmentPlanRecord(AppendOnlyModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    intake = models.ForeignKey("intake.IntakeRecord", on_delete=models.PROTECT, related_name="+")
    proposed = models.JSONField(help_text="plan_to_dict() of the engine's proposal")
    accepted = models.JSONField(help_text="The series as the clinician accepted them")
    protocol_version = models.CharField(max_length=80)
    profile = models.CharField(max_length=60)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "-accepted_at", "-id"]

    def __str__(self) -> str:
        return f"Plan of {self.patient} accepted {self.accepted_at:%Y-%m-%d}"


class PlannedSession(models.Model):
    plan = models.ForeignKey(TreatmentPlanRecord, on_delete=models.PROTECT, related_name="sessions")
    series_index = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField(help_text="1 for the first session of the series")
    planned_on = models.DateField()

    class Meta:
        ordering = ["plan", "series_index", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "series_index", "number"], name="planned_session_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of series {self.series_index + 1} on {self.planned_on}"
