"""The lot register: products, their lots with expiry and stock, and every use of a lot.

A use ties a lot to a patient (and, once charting lands, to the session note), so a
recall can list everyone who received a given lot.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models

from cit.clinic.archive import ArchivableModel
from cit.clinic.facilities.models import Clinic

EXPIRY_WARNING_DAYS = 30


class ProductKind(models.TextChoices):
    NEEDLE_CARTRIDGE = "needle_cartridge", "Needle cartridge"
    SERUM = "serum", "Serum"
    ANAESTHETIC = "anaesthetic", "Topical anaesthetic"
    PRP_KIT = "prp_kit", "PRP kit"
    AFTERCARE = "aftercare", "Aftercare product"


class Product(ArchivableModel):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="products")
    kind = models.CharField(max_length=20, choices=ProductKind.choices)
    name = models.CharField(max_length=150)
    manufacturer = models.CharField(max_length=150, blank=True)
    # Only products made for intradermal use may be applied during needling (CLINICAL.md §1).
    intradermal_use = models.BooleanField(
        default=False, help_text="Made for intradermal use, so it may be applied during needling."
    )
    low_stock_threshold = models.PositiveIntegerField(
        default=5, help_text="Warn when the units in date fall to this number or below."
    )

    class Meta:
        ordering = ["clinic", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "kind", "name"], name="product_unique_name_per_clinic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class Lot(ArchivableModel):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(max_length=60)
    expires_on = models.DateField()
    received_on = models.DateField()
    quantity_received = models.PositiveIntegerField()
    quantity_on_hand = models.PositiveIntegerField()
    # A recalled lot is quarantined: never offered or used again; its uses are the recall list.
    recalled_at = models.DateTimeField(null=True, blank=True, editable=False)
    recall_reason = models.CharField(max_length=300, blank=True)
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["product", "expires_on", "lot_number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "lot_number"], name="lot_unique_number"),
            # The database refuses a use that would take stock below zero, so two
            # sessions drawing on the last unit cannot both succeed.
            models.CheckConstraint(
                condition=models.Q(quantity_on_hand__gte=0), name="lot_stock_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_on_hand__lte=models.F("quantity_received")),
                name="lot_stock_not_above_received",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("received_on")),
                name="lot_expires_after_receipt",
                violation_error_message="A lot must expire after the day it was received.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} lot {self.lot_number}"

    @property
    def is_recalled(self) -> bool:
        return self.recalled_at is not None

    def is_expired_on(self, day: datetime.date) -> bool:
        """A lot may be used up to and including its expiry day."""
        return day > self.expires_on

    def expires_soon_on(self, day: datetime.date) -> bool:
        return not self.is_expired_on(day) and (self.expires_on - day).days <= EXPIRY_WARNING_DAYS


class LotUse(models.Model):
    """One use of a lot on a patient; never edited or deleted (corrections add a return)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="uses")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="lot_uses"
    )
    quantity = models.PositiveIntegerField()
    used_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-used_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="lot_use_positive")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.lot} on {self.used_on}"
