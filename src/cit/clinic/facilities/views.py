from __future__ import annotations

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
    return render(request, "facilities/rota.html", {"form": form, "provider": provider})
