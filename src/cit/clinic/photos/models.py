"""Clinical photographs and the patient's photo consent (CLINICAL.md section 6).

A photo's file lives in the ``photos`` storage under a random name that only this table
knows; pages reach it by the photo's random ``token`` through the authorised view, never by
a storage path or URL. Photo consent is separate from treatment consent: each statement is
kept (append-only) and the latest one is the patient's current scope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cit.clinic.archive import AppendOnlyModel, ArchivableModel


class PhotoScope(models.TextChoices):
    RECORD = "record", _("The patient's clinical record")
    TEACHING = "teaching", _("Teaching")
    PUBLICATION = "publication", _("Publication")


class ConsentStatement(models.TextChoices):
    GIVEN = "given", _("Given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PhotoConsent(AppendOnlyModel):
    """One statement of photo consent: the scopes that stand from it on."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="photo_consents"
    )
    statement = models.CharField(max_length=10, choices=ConsentStatement.choices)
    record = models.BooleanField()
    teaching = models.BooleanField()
    publication = models.BooleanField()
    stated_on = models.DateField(help_text="The day the patient gave or withdrew consent.")
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["patient", "-id"]
        indexes = [models.Index(fields=["patient", "-id"])]

    def __str__(self) -> str:
        return f"Photo consent {self.statement} on {self.stated_on}"

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(scope for scope in PhotoScope.values if getattr(self, scope))


class Photo(ArchivableModel):
    """One clinical photograph of one standard view, sanitised, with its thumbnail."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="photos")
    session_note = models.ForeignKey(
        "charting.SessionNote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
    )
    view = models.CharField(max_length=40, help_text="A view id of photo_views.toml.")
    taken_on = models.DateField()
    token = models.CharField(max_length=43, unique=True, editable=False)
    image_name = models.CharField(max_length=200, editable=False)
    thumbnail_name = models.CharField(max_length=200, editable=False)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    byte_size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["patient", "view", "taken_on", "id"]
        indexes = [models.Index(fields=["patient", "view", "taken_on"])]

    def __str__(self) -> str:
        return f"Photo {self.view} of {self.taken_on}"
