"""Outcome ratings, a clinic's licensed instruments, and blinded ratings of photo pairs.

Open ratings and blinded ratings live in separate tables: a blinded rating is made without
dates or order shown and must never be mixed into, or read beside, the open series.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from cit.clinic.archive import AppendOnlyModel, ArchivableModel
from cit.clinic.outcomes.instruments import InstrumentDefinition, parse_definition
from cit.protocol.knowledge import Scale


class RaterKind(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    PATIENT = "patient", "Patient"


class ClinicInstrument(ArchivableModel):
    """A licensed instrument the clinic holds a licence for, defined by the clinic."""

    clinic = models.ForeignKey(
        "facilities.Clinic", on_delete=models.PROTECT, related_name="outcome_instruments"
    )
    code = models.SlugField(max_length=40, help_text="Short id, e.g. face-q-satisfaction")
    title = models.CharField(max_length=200)
    licence = models.CharField(
        max_length=300, help_text="Who holds the licence, its number and expiry."
    )
    definition = models.JSONField(
        help_text='{"rater": "patient", "better": "higher", "items": [{"id": "q1", '
        '"label": "...", "minimum": 1, "maximum": 4}], "minimal_important_change": null, '
        '"mic_source": null}'
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["clinic", "title"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "code"], name="instrument_code_unique")
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        try:
            parse_definition(self.definition)
        except ValueError as error:
            raise ValidationError({"definition": str(error)}) from None

    def parsed(self) -> InstrumentDefinition:
        return parse_definition(self.definition)

    def scale(self) -> Scale:
        return self.parsed().to_scale(self.code, self.title)


class OutcomeRating(AppendOnlyModel):
    """One rating of one scale (shipped, by ``scale_id``; or the clinic's ``instrument``)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="outcome_ratings"
    )
    scale_id = models.CharField(max_length=60, blank=True)
    instrument = models.ForeignKey(
        ClinicInstrument, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    values = models.JSONField(help_text="The inputs as entered: {item or item.factor: number}")
    total = models.DecimalField(max_digits=10, decimal_places=3)
    rated_on = models.DateField()
    rater_kind = models.CharField(max_length=10, choices=RaterKind.choices)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    session_note = models.ForeignKey(
        "charting.SessionNote",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outcome_ratings",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "rated_on", "id"]
        indexes = [models.Index(fields=["patient", "scale_id", "rated_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(instrument__isnull=True) & ~models.Q(scale_id=""))
                | (models.Q(instrument__isnull=False) & models.Q(scale_id="")),
                name="rating_of_one_scale",
            )
        ]

    def __str__(self) -> str:
        return f"Rating of {self.patient} on {self.rated_on}"


class BlindedPairRating(models.Model):
    """A photo pair to be rated blind: the rater sees two photos in a random order, no
    dates, and says which looks later (treated) and how much it improved (GAIS 1-5).

    ``earlier_ref`` and ``later_ref`` are opaque references to the two photos (the photos
    app's ids), never shown to the rater; ``later_shown_first`` is the randomised order.
    The rater reaches the pair by ``token`` alone, which says nothing about the photos.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="blinded_ratings"
    )
    earlier_ref = models.CharField(max_length=64)
    later_ref = models.CharField(max_length=64)
    later_shown_first = models.BooleanField()
    token = models.CharField(max_length=43, unique=True)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    gais = models.PositiveSmallIntegerField(null=True, blank=True)
    judged_later = models.CharField(
        max_length=6, blank=True, help_text="Which photo the rater judged the later: first/second"
    )
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["patient", "assigned_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(earlier_ref=models.F("later_ref")), name="blinded_pair_two"
            ),
            models.CheckConstraint(
                condition=models.Q(gais__isnull=True)
                | (models.Q(gais__gte=1) & models.Q(gais__lte=5)),
                name="blinded_gais_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Blinded pair {self.pk} of {self.patient}"

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError("Blinded ratings are evidence and are never deleted.")
