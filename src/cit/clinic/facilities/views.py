from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cit.clinic.access import capability_required, signed_in_user, staff_clinic
from cit.clinic.accounts.actions import (
    do_create_staff,
    do_set_weekly_rota,
    do_unlock_account,
    do_update_staff,
    locked_out_usernames,
    weekly_rota_text,
)
from cit.clinic.accounts.models import Provider, ProviderWorkingHours, User
from cit.clinic.accounts.permissions import Capability, has_capability
from cit.clinic.accounts.roles import STAFF_ROLES, Role
from cit.clinic.charting.forms import apply_errors
from cit.clinic.facilities.actions import (
    do_add_device,
    do_add_room,
    do_retire_resource,
    do_set_consultation_settings,
    do_set_opening_hours,
    do_update_resource,
)
from cit.clinic.facilities.forms import (
    LICENCE_WARNING_DAYS,
    ConsultationSettingsForm,
    DeviceForm,
    OpeningHoursForm,
    RoomForm,
    StaffForm,
    WeeklyRotaForm,
)
from cit.clinic.facilities.models import Device, Room
from cit.clinic.feedback import flash_errors, form_status


@capability_required(Capability.CLINIC_VIEW)
def clinic_overview(request: HttpRequest) -> HttpResponse:
    clinic = staff_clinic(request)
    context = {
        "clinic": clinic,
        "opening_hours": clinic.opening_hours.all(),
        "rooms": clinic.rooms.active(),
        "devices": clinic.devices.active(),
        "providers": Provider.objects.active()
        .filter(clinic=clinic)
        .select_related("user")
        .annotate(
            has_own_rota=Exists(ProviderWorkingHours.objects.filter(provider=OuterRef("pk")))
        ),
        "room_form": RoomForm(),
        "device_form": DeviceForm(),
        "consultation_roles": [
            Role(role).label for role in clinic.consultation_roles if role in Role.values
        ],
    }
    if has_capability(request.user, Capability.CLINIC_MANAGE):
        accounts = list(User.objects.filter(clinic=clinic, is_active=True))
        locked = locked_out_usernames([account.username for account in accounts])
        context["locked_accounts"] = [a for a in accounts if a.username in locked]
        context["staff"] = _staff_rows(clinic)
    return render(request, "facilities/overview.html", context)


def _staff_rows(clinic: Any) -> list[dict[str, Any]]:
    """Each member of staff with their licence and a warning when it lapses soon."""
    today = clinic.today()
    providers = {
        p.user_id: p for p in Provider.objects.filter(clinic=clinic, archived_at__isnull=True)
    }
    rows = []
    members = User.objects.filter(clinic=clinic, role__in=list(STAFF_ROLES))
    # An integration's account is listed on the integrations page, not as staff.
    for member in members.filter(service_integration__isnull=True):
        provider = providers.get(member.pk)
        warning = ""
        if provider is not None:
            days = (provider.licence_expires_on - today).days
            if days < 0:
                warning = "licence expired"
            elif days <= LICENCE_WARNING_DAYS:
                warning = f"licence expires in {days} day(s)"
        rows.append({"user": member, "provider": provider, "warning": warning})
    return rows


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


def _resource_page(request: HttpRequest, model: type[Room] | type[Device], pk: int) -> HttpResponse:
    clinic = staff_clinic(request)
    resource = get_object_or_404(model.objects.active(), pk=pk, clinic=clinic)
    form_class = RoomForm if model is Room else DeviceForm
    label = "Room" if model is Room else "Device"
    form = form_class(request.POST or None, instance=model.objects.get(pk=resource.pk))
    if request.method == "POST":
        if request.POST.get("retire"):
            try:
                do_retire_resource(
                    actor=signed_in_user(request), resource=resource, request=request
                )
            except ValidationError as error:
                flash_errors(request, f"{label} not retired", error)
                return redirect(request.path)
            name = resource.name if isinstance(resource, Room) else str(resource)
            messages.success(request, f"{label} {name} retired; it is no longer offered.")
            return redirect("clinic-overview")
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form_class.Meta.fields}
            try:
                do_update_resource(
                    actor=signed_in_user(request),
                    resource=resource,
                    changes=changes,
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{label} saved.")
                return redirect("clinic-overview")
    return render(
        request,
        "facilities/resource.html",
        {"form": form, "resource": resource, "label": label},
    )


@capability_required(Capability.CLINIC_MANAGE)
def room_edit(request: HttpRequest, room_id: int) -> HttpResponse:
    return _resource_page(request, Room, room_id)


@capability_required(Capability.CLINIC_MANAGE)
def device_edit(request: HttpRequest, device_id: int) -> HttpResponse:
    return _resource_page(request, Device, device_id)


@require_POST
@capability_required(Capability.CLINIC_MANAGE)
def unlock_account(request: HttpRequest, user_id: int) -> HttpResponse:
    """Clear a staff or portal account's lockout (django-axes); audited."""
    user = get_object_or_404(User, pk=user_id, clinic=staff_clinic(request))
    do_unlock_account(actor=signed_in_user(request), user=user, request=request)
    messages.success(request, f"{user.get_full_name() or user.username} can log in again.")
    return redirect("clinic-overview")


@capability_required(Capability.CLINIC_MANAGE)
def consultation_settings(request: HttpRequest) -> HttpResponse:
    """Edit the consultation length and who may hold consultations."""
    clinic = staff_clinic(request)
    form = ConsultationSettingsForm(
        request.POST or None,
        initial={
            "consultation_minutes": clinic.consultation_minutes,
            "consultation_roles": clinic.consultation_roles,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_set_consultation_settings(
                actor=signed_in_user(request),
                clinic=clinic,
                minutes=form.cleaned_data["consultation_minutes"],
                roles=form.cleaned_data["consultation_roles"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Consultation settings saved.")
            return redirect("clinic-overview")
    return render(
        request,
        "facilities/consultations.html",
        {"form": form, "clinic": clinic},
        status=form_status(form),
    )


@capability_required(Capability.CLINIC_MANAGE)
def opening_hours(request: HttpRequest) -> HttpResponse:
    """Edit the clinic's weekly opening hours."""
    clinic = staff_clinic(request)
    if request.method == "POST":
        form = OpeningHoursForm(request.POST)
        if form.is_valid():
            try:
                outside = do_set_opening_hours(
                    actor=signed_in_user(request),
                    clinic=clinic,
                    hours=form.cleaned_data["hours"],
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Opening hours saved.")
                if outside:
                    messages.warning(
                        request,
                        f"{outside} booked appointment(s) now fall outside the opening hours; "
                        "move them on the calendar.",
                    )
                return redirect("clinic-overview")
    else:
        initial = {
            f"day_{weekday}": ", ".join(
                f"{p.opens:%H:%M}-{p.closes:%H:%M}"
                for p in clinic.opening_hours.filter(weekday=weekday)
            )
            or "closed"
            for weekday in range(7)
        }
        form = OpeningHoursForm(initial=initial)
    return render(request, "facilities/opening_hours.html", {"form": form, "clinic": clinic})


@capability_required(Capability.CLINIC_MANAGE)
def staff_add(request: HttpRequest) -> HttpResponse:
    clinic = staff_clinic(request)
    form = StaffForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            user = do_create_staff(
                actor=signed_in_user(request),
                clinic=clinic,
                data=form.cleaned_data,
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Account {user.username} created.")
            return redirect("clinic-overview")
    return render(
        request, "facilities/staff.html", {"form": form, "title": "Add a member of staff"}
    )


@capability_required(Capability.CLINIC_MANAGE)
def staff_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    clinic = staff_clinic(request)
    member = get_object_or_404(
        User, pk=user_id, clinic=clinic, role__in=list(STAFF_ROLES), service_integration=None
    )
    provider = Provider.objects.filter(user=member, archived_at__isnull=True).first()
    initial = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "role": member.role,
        "is_active": member.is_active,
        **(
            {
                "licence_type": provider.licence_type,
                "licence_number": provider.licence_number,
                "licence_expires_on": provider.licence_expires_on,
            }
            if provider is not None
            else {}
        ),
    }
    form = StaffForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_staff(
                actor=signed_in_user(request), user=member, data=form.cleaned_data, request=request
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{member.get_full_name() or member.username} saved.")
            return redirect("clinic-overview")
    return render(
        request,
        "facilities/staff.html",
        {"form": form, "title": f"Staff: {member.get_full_name() or member.username}"},
    )
