from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cit.clinic.access import capability_required, signed_in_user, staff_clinic
from cit.clinic.accounts.permissions import Capability
from cit.clinic.audit.actions import record_events_per_patient
from cit.clinic.audit.models import AuditAction
from cit.clinic.feedback import flash_errors
from cit.clinic.inventory.actions import (
    do_add_product,
    do_recall_lot,
    do_receive_lot,
    stock_warnings,
)
from cit.clinic.inventory.forms import ProductForm, ReceiveLotForm
from cit.clinic.inventory.models import Lot, Product
from cit.clinic.paging import request_page

PRODUCTS_PER_PAGE = 20
RECALL_USES_PER_PAGE = 100
LOTS_PER_PRODUCT = 20


@capability_required(Capability.INVENTORY_VIEW)
def lot_register(request: HttpRequest) -> HttpResponse:
    clinic = staff_clinic(request)
    today = clinic.today()
    # Each product with its latest lots (one more than shown, to say there are older ones).
    latest_lots = Lot.objects.active().order_by("-expires_on", "-id")[: LOTS_PER_PRODUCT + 1]
    products = request_page(
        request,
        Product.objects.active()
        .filter(clinic=clinic)
        .prefetch_related(Prefetch("lots", queryset=latest_lots, to_attr="latest_lots")),
        ordering=("kind", "name", "id"),
        size=PRODUCTS_PER_PAGE,
    )
    context = {
        "products": products,
        "page": products,
        "lots_shown": LOTS_PER_PRODUCT,
        "warnings": stock_warnings(clinic, today),
        "today": today,
        "product_form": ProductForm(),
        "lot_form": ReceiveLotForm(clinic_id=clinic.pk, initial={"received_on": today}),
    }
    return render(request, "inventory/register.html", context)


@require_POST
@capability_required(Capability.INVENTORY_MANAGE)
def product_add(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST)
    if not form.is_valid():
        flash_errors(request, "Product not added", form.errors)
        return redirect("lot-register")
    try:
        do_add_product(clinic=staff_clinic(request), **form.cleaned_data)
    except ValidationError as error:
        flash_errors(request, "Product not added", error)
    else:
        messages.success(request, f"Product {form.cleaned_data['name']} added.")
    return redirect("lot-register")


@require_POST
@capability_required(Capability.INVENTORY_MANAGE)
def lot_receive(request: HttpRequest) -> HttpResponse:
    form = ReceiveLotForm(request.POST, clinic_id=staff_clinic(request).pk)
    if not form.is_valid():
        flash_errors(request, "Lot not received", form.errors)
        return redirect("lot-register")
    try:
        lot = do_receive_lot(**form.cleaned_data)
    except ValidationError as error:
        flash_errors(request, "Lot not received", error)
    else:
        messages.success(request, f"Received {lot.quantity_received} × {lot}.")
    return redirect("lot-register")


@capability_required(Capability.INVENTORY_MANAGE)
def lot_recall(request: HttpRequest, lot_id: int) -> HttpResponse:
    """Every patient and use that received a lot: the list a recall works through."""
    lot = get_object_or_404(
        Lot.objects.select_related("product"), pk=lot_id, product__clinic=staff_clinic(request)
    )
    if request.method == "POST":
        try:
            do_recall_lot(
                actor=signed_in_user(request),
                lot=lot,
                reason=request.POST.get("reason", ""),
                request=request,
            )
        except ValidationError as error:
            flash_errors(request, "Lot not recalled", error)
        else:
            messages.success(
                request,
                f"Lot {lot.lot_number} is recalled and quarantined: it is not offered again.",
            )
        return redirect("lot-recall", lot_id=lot.pk)
    uses = request_page(
        request,
        lot.uses.select_related("patient", "recorded_by"),
        ordering=("used_on", "id"),
        size=RECALL_USES_PER_PAGE,
    )
    # One event per patient shown (a page holds at most RECALL_USES_PER_PAGE of them).
    record_events_per_patient(
        request,
        AuditAction.VIEW,
        patients={use.patient_id: use.patient for use in uses}.values(),
        obj=lot,
        detail={"purpose": "recall"},
    )
    return render(request, "inventory/recall.html", {"lot": lot, "uses": uses, "page": uses})
