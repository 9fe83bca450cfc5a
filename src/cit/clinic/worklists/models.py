"""What the worklists need to remember: which questionnaire a clinician has reviewed."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cit.clinic.archive import AppendOnlyModel


class QuestionnaireReview(AppendOnlyModel):
    """A clinician read this questionnaire version (sent by the patient or another system)
    and its screening; it leaves the "waiting for review" list."""

    intake = models.OneToOneField(
        "intake.IntakeRecord", on_delete=models.PROTECT, related_name="review"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Review of {self.intake}"
