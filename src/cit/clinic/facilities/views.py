from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from cit.clinic.access import capability_required, staff_clinic
from cit.clinic.accounts.actions import do_set_weekly_rota, weekly_rota_text
from cit.clinic.accounts.models import Provider
from cit.clinic.accounts.permissions import Capability
from cit.clinic.facilities.actions import do_add_device, do_add_room
from cit.clinic.facilities.forms import DeviceForm, RoomForm, WeeklyRotaForm
from cit.clinic.feedback import flash_errors, form_status


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


def _add(
    request: HttpRequest, form: RoomForm | DeviceForm, add: Callable[..., object], label: str
) -> None:
    if not form.is_valid():
        flash_errors(request, f"{label} not added", form.errors)
        return
    try:
        add(clinic=staff_clinic(request), **form.cleaned_data)
    except ValidationError as error:
        flash_errors(request, f"{label} not added", error)
        return
    messages.success(request, f"{label} added.")


@capability_required(Capability.CLINIC_MANAGE)
def room_add(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _add(request, RoomForm(request.POST), do_add_room, "Room")
    return redirect("clinic-overview")


@capability_required(Capability.CLINIC_MANAGE)
def device_add(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _add(request, DeviceForm(request.POST), do_add_device, "Device")
    return redirect("clinic-overview")


@capability_required(Capability.CLINIC_MANAGE)
def provider_rota(request: HttpRequest, provider_id: int) -> HttpResponse:
    """A provider's weekly working hours, used when booking series."""
    clinic = staff_clinic(request)
    provider = get_object_or_404(
        Provider.objects.select_related("user"), pk=provider_id, clinic=clinic
    )
    if request.method == "POST":
        form = WeeklyRotaForm(request.POST)
        if form.is_valid():
            try:
                do_set_weekly_rota(provider=provider, rota=form.cleaned_data["rota"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"Working hours of {provider.user.get_full_name()} saved."
                )
                return redirect("clinic-overview")
    else:
        current = weekly_rota_text(provider)
        if current is None:
            hours = {
                weekday: ", ".join(
                    f"{p.opens:%H:%M}-{p.closes:%H:%M}"
                    for p in clinic.opening_hours.filter(weekday=weekday)
                )
                or "off"
                for weekday in range(7)
            }
            initial: dict[str, object] = {"use_clinic_hours": True}
        else:
            hours, initial = current, {}
        initial.update({f"day_{weekday}": text for weekday, text in hours.items()})
        form = WeeklyRotaForm(initial=initial)
    context = {"form": form, "provider": provider}
    return render(request, "facilities/rota.html", context, status=form_status(form))
