"""Receiving and using lots. Stock changes are race-free: the decrement is one
conditional UPDATE, and the database's check constraint backs it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.dates import clinic_date_text
from cit.clinic.facilities.models import Clinic
from cit.clinic.inventory.models import Lot, LotUse, Product
from cit.clinic.patients.models import Patient


@transaction.atomic
def do_add_product(*, clinic: Clinic, **fields: Any) -> Product:
    product = Product(clinic=clinic, **fields)
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def do_receive_lot(
    *,
    product: Product,
    lot_number: str,
    expires_on: datetime.date,
    received_on: datetime.date,
    quantity: int,
) -> Lot:
    if quantity < 1:
        raise ValidationError({"quantity": ["Receive at least one unit."]})
    lot = Lot(
        product=product,
        lot_number=lot_number.strip(),
        expires_on=expires_on,
        received_on=received_on,
        quantity_received=quantity,
        quantity_on_hand=quantity,
    )
    lot.full_clean()
    lot.save()
    return lot


@transaction.atomic
def do_use_lot(
    *,
    actor: User,
    lot: Lot,
    patient: Patient,
    quantity: int,
    used_on: datetime.date,
    note: str = "",
    request: HttpRequest | None = None,
) -> LotUse:
    """Record that ``quantity`` units of ``lot`` were used on ``patient`` on ``used_on``.

    Refused, with nothing written, when the lot is expired on that day, archived,
    of another clinic, or has too few units left.
    """
    if quantity < 1:
        raise ValidationError({"quantity": ["Use at least one unit."]})
    lot = Lot.objects.select_related("product").get(pk=lot.pk)
    if lot.product.clinic_id != patient.clinic_id:
        raise ValidationError({"lot": ["This lot belongs to another clinic."]})
    if lot.is_recalled:
        raise ValidationError(
            {"lot": [f"Lot {lot.lot_number} is recalled and quarantined; use another lot."]}
        )
    if lot.is_archived or lot.product.is_archived:
        raise ValidationError({"lot": [f"Lot {lot.lot_number} is withdrawn from use."]})
    if lot.is_expired_on(used_on):
        raise ValidationError(
            {
                "lot": [
                    f"Lot {lot.lot_number} expired on {lot.expires_on:%Y-%m-%d}; use another lot."
                ]
            }
        )
    taken = Lot.objects.filter(pk=lot.pk, quantity_on_hand__gte=quantity).update(
        quantity_on_hand=F("quantity_on_hand") - quantity
    )
    if not taken:
        lot.refresh_from_db(fields=["quantity_on_hand"])
        raise ValidationError(
            {"quantity": [f"Only {lot.quantity_on_hand} unit(s) of lot {lot.lot_number} left."]}
        )
    use = LotUse.objects.create(
        lot=lot, patient=patient, quantity=quantity, used_on=used_on, recorded_by=actor, note=note
    )
    record_event(
        request,
        AuditAction.CREATE,
        actor=actor,
        patient=patient,
        obj=use,
        detail={"lot": lot.lot_number, "product": lot.product.name, "quantity": quantity},
    )
    return use


MIN_RECALL_REASON = 5


@transaction.atomic
def do_recall_lot(*, actor: User, lot: Lot, reason: str, request: HttpRequest | None = None) -> Lot:
    """Quarantine a recalled lot: from now on it is neither offered nor used. Its uses
    stay as they are: they are the list of patients to contact."""
    reason = reason.strip()
    if len(reason) < MIN_RECALL_REASON:
        raise ValidationError({"reason": ["Say why the lot is recalled (the notice or defect)."]})
    longest = Lot._meta.get_field("recall_reason").max_length or 0
    if len(reason) > longest:
        raise ValidationError({"reason": [f"Keep the reason to {longest} characters."]})
    locked: Lot = Lot.objects.select_for_update().select_related("product").get(pk=lot.pk)
    if locked.is_recalled:
        raise ValidationError({"lot": [f"Lot {locked.lot_number} is already recalled."]})
    locked.recalled_at = timezone.now()
    locked.recall_reason = reason
    locked.recalled_by = actor
    locked.save(update_fields=["recalled_at", "recall_reason", "recalled_by"])
    record_event(
        request,
        AuditAction.UPDATE,
        actor=actor,
        obj=locked,
        detail={"recalled": locked.lot_number, "product": locked.product.name},
    )
    return locked


def usable_lots(clinic: Clinic, on: datetime.date) -> QuerySet[Lot]:
    """The lots charting may offer on ``on``: in date, in stock, not recalled, not withdrawn."""
    return (
        Lot.objects.active()
        .filter(
            product__clinic=clinic,
            product__archived_at__isnull=True,
            recalled_at__isnull=True,
            expires_on__gte=on,
            quantity_on_hand__gt=0,
        )
        .select_related("product")
        .order_by("product__name", "expires_on")
    )


@dataclass(frozen=True)
class StockWarning:
    level: str  # "danger" or "warning"
    kind: str  # "expired", "expiring", "low_stock"
    message: str
    product_id: int
    lot_id: int | None = None


def stock_warnings(clinic: Clinic, today: datetime.date) -> list[StockWarning]:
    """Expired lots still in stock, lots expiring within 30 days, products running low."""
    warnings: list[StockWarning] = []
    lots = (
        Lot.objects.active()
        .filter(product__clinic=clinic, product__archived_at__isnull=True, quantity_on_hand__gt=0)
        .select_related("product")
    )
    for lot in lots:
        if lot.is_recalled:
            warnings.append(
                StockWarning(
                    "danger",
                    "recalled",
                    f"{lot.product.name} lot {lot.lot_number} is recalled: "
                    f"{lot.quantity_on_hand} unit(s) quarantined, to return or discard.",
                    lot.product_id,
                    lot.pk,
                )
            )
        elif lot.is_expired_on(today):
            warnings.append(
                StockWarning(
                    "danger",
                    "expired",
                    f"{lot.product.name} lot {lot.lot_number} expired on "
                    f"{clinic_date_text(lot.expires_on, 'j M Y')}: "
                    f"{lot.quantity_on_hand} unit(s) to discard.",
                    lot.product_id,
                    lot.pk,
                )
            )
        elif lot.expires_soon_on(today):
            days = (lot.expires_on - today).days
            warnings.append(
                StockWarning(
                    "warning",
                    "expiring",
                    f"{lot.product.name} lot {lot.lot_number} expires in {days} day(s) "
                    f"({clinic_date_text(lot.expires_on, 'j M Y')}).",
                    lot.product_id,
                    lot.pk,
                )
            )
    in_date = (
        Product.objects.active()
        .filter(clinic=clinic)
        .annotate(
            in_date_units=Sum(
                "lots__quantity_on_hand",
                filter=Q(
                    lots__expires_on__gte=today,
                    lots__archived_at__isnull=True,
                    lots__recalled_at__isnull=True,
                ),
                default=0,
            )
        )
    )
    for product in in_date:
        if product.in_date_units <= product.low_stock_threshold:
            warnings.append(
                StockWarning(
                    "warning",
                    "low_stock",
                    f"{product.name}: {product.in_date_units} unit(s) in date "
                    f"(reorder at {product.low_stock_threshold}).",
                    product.pk,
                )
            )
    return warnings
