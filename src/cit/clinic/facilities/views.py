from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cit.clinic.access import capability_required, staff_clinic
from cit.clinic.accounts.models import Provider
from cit.clinic.accounts.permissions import Capability
from cit.clinic.facilities.actions import do_add_device, do_add_room
from cit.clinic.facilities.forms import DeviceForm, RoomForm


@capability_required(Capability.CLINIC_VIEW)
def clinic_overview(request: HttpRequest) -> HttpResponse:
    clinic = staff_clinic(request)
    context = {
        "clinic": clinic,
        "opening_hours": clinic.opening_hours.all(),
        "rooms": clinic.rooms.active(),
        "devices": clinic.devices.active(),
        "providers": Provider.objects.active().filter(clinic=clinic).select_related("user"),
        "room_form": RoomForm(),
        "device_form": DeviceForm(),
    }
    return render(request, "facilities/overview.html", context)


def _save_or_show_errors(request: HttpRequest, form: RoomForm | DeviceForm, label: str) -> None:
    clinic = staff_clinic(request)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{label} not added — {field}: {error}")
        return
    try:
        if isinstance(form, RoomForm):
            do_add_room(clinic=clinic, **form.cleaned_data)
        else:
            do_add_device(clinic=clinic, **form.cleaned_data)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"{label} not added — {message}")
        return
    messages.success(request, f"{label} added.")


@capability_required(Capability.CLINIC_MANAGE)
def room_add(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _save_or_show_errors(request, RoomForm(request.POST), "Room")
    return redirect("clinic-overview")


@capability_required(Capability.CLINIC_MANAGE)
def device_add(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _save_or_show_errors(request, DeviceForm(request.POST), "Device")
    return redirect("clinic-overview")
