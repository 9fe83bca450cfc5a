"""Accepted treatment plans and the sessions they call for.

The plan itself is evidence (append-only): the engine's proposal and the clinician's
accepted version side by side. Its sessions carry a planned day that may be moved by
hand, inside the interval window, until scheduling books them.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models

from cit.clinic.archive import AppendOnlyModel
from cit.protocol.knowledge import PriceList
from cit.protocol.profiles import ProfileError, load_profile, prices_from_mapping
from cit.protocol.stored import AcceptedPlan


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

    @cached_property
    def accepted_plan(self) -> AcceptedPlan:
        """``accepted`` read into types, once per row (the row never changes)."""
        return AcceptedPlan.from_dict(self.accepted)


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


class ClinicPriceList(models.Model):
    """A clinic's own prices and currency for plans (CLINICAL.md section 7: "every clinic
    sets its own price list and currency"). ``prices`` holds what a protocol profile's
    ``[settings.prices]`` may: ``per_session`` and ``prp_per_session`` (by block, each a
    ``[low, high]`` range, or ``false`` to take a block's price away), ``single_scar``
    (per scar and session), ``laser_alternative`` (or ``false``), ``typical_sessions``.
    Whatever the list leaves out comes from the clinic's protocol profile; whatever neither
    prices is "not priced" in a plan."""

    clinic = models.OneToOneField(
        "facilities.Clinic", on_delete=models.PROTECT, related_name="price_list"
    )
    currency = models.CharField(
        max_length=3, help_text="ISO 4217 code of the clinic's prices, e.g. USD, EUR, GBP."
    )
    prices = models.JSONField(
        default=dict,
        blank=True,
        help_text='e.g. {"per_session": {"face": [250, 400], "neck": [150, 200]}, '
        '"prp_per_session": {"face": [200, 700]}, "single_scar": [60, 90]}',
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Prices of {self.clinic} ({self.currency})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not isinstance(self.prices, dict):
            raise ValidationError({"prices": "Enter a JSON object (see the help text)."})
        try:
            self.price_list()
        except ProfileError as error:
            field = "currency" if error.field == "currency" else "prices"
            raise ValidationError({field: str(error)}) from None

    def price_list(self) -> PriceList:
        """The engine's price list: the clinic profile's, with this list over it."""
        base = load_profile(self.clinic.protocol_profile).settings.prices
        return prices_from_mapping(
            {**self.prices, "currency": self.currency}, base=base, where="clinic price list"
        )


def clinic_prices(clinic: Any) -> PriceList | None:
    """The clinic's own price list for planning, or None (the profile's applies)."""
    price_list = ClinicPriceList.objects.filter(clinic=clinic).first()
    return price_list.price_list() if price_list is not None else None
