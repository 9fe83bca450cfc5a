"""FHIR Bulk Data export jobs: what was asked, by whom, and the NDJSON files written."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class ExportLevel(models.TextChoices):
    SYSTEM = "system", "Whole clinic"
    PATIENT = "patient", "All patients"
    GROUP = "group", "Group of patients"


class ExportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("facilities.Clinic", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(max_length=10, choices=ExportLevel.choices)
    types = models.JSONField(help_text="The resource types to export, in order.")
    since = models.DateTimeField(null=True, blank=True)
    request_url = models.CharField(max_length=500)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.CharField(max_length=100, blank=True)
    # The running worker's lease (cit.clinic.jobs.lease): renewed after each resource type;
    # a worker that died leaves it to run out, and the task's next run takes the job over.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # [{"type": "Patient", "name": "Patient-1.ndjson", "count": 12}]
    output = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    transaction_time = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Export {self.id} of {self.clinic} ({self.status})"

    def file_path(self, name: str) -> str:
        return f"{self.id}/{name}"
