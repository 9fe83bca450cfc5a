from typing import Any

from django import forms
from django.contrib import admin

from cit.clinic.accounts.roles import CLINICAL_ROLES, Role
from cit.clinic.admin_base import NoDeleteAdmin
from cit.clinic.appointments.schedule_index import note_setup_changed
from cit.clinic.facilities.models import Clinic, ClosureDay, Device, OpeningHours, Room


class OpeningHoursInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OpeningHours
    extra = 0


class ClinicAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    # Roles by their labels, ticked, rather than a JSON list typed by hand.
    consultation_roles = forms.MultipleChoiceField(
        choices=[(role.value, role.label) for role in Role if role in CLINICAL_ROLES],
        widget=forms.CheckboxSelectMultiple,
        help_text="The clinical roles whose providers may hold consultations.",
    )

    class Meta:
        model = Clinic
        fields = [
            "name",
            "timezone",
            "date_order",
            "address",
            "phone",
            "email",
            "record_number_prefix",
            "protocol_profile",
            "consultation_minutes",
            "consultation_roles",
        ]

    def clean_consultation_roles(self) -> Any:
        return sorted(self.cleaned_data["consultation_roles"])


class SetupAdmin(NoDeleteAdmin):
    """An admin edit of a clinic's set-up moves its schedule version, in the admin's
    transaction once the row and its inlines are saved, so proposals' cached scheduling index
    sees it."""

    def save_related(self, request: Any, form: Any, formsets: Any, change: Any) -> None:
        super().save_related(request, form, formsets, change)
        note_setup_changed(form.instance.clinic_id)


@admin.register(Clinic)
class ClinicAdmin(NoDeleteAdmin):
    form = ClinicAdminForm
    list_display = ["name", "timezone", "consultation_minutes", "archived_at"]
    inlines = [OpeningHoursInline]

    def save_related(self, request: Any, form: Any, formsets: Any, change: Any) -> None:
        super().save_related(request, form, formsets, change)
        note_setup_changed(form.instance.pk)  # its opening hours (see SetupAdmin)


@admin.register(Room)
class RoomAdmin(SetupAdmin):
    list_display = ["name", "clinic", "archived_at"]
    list_filter = ["clinic"]


@admin.register(Device)
class DeviceAdmin(SetupAdmin):
    list_display = ["model", "kind", "serial_number", "max_depth_mm", "clinic", "archived_at"]
    list_filter = ["clinic", "kind"]


@admin.register(ClosureDay)
class ClosureDayAdmin(SetupAdmin):
    list_display = ["date", "name", "repeats_yearly", "clinic", "archived_at"]
    list_filter = ["clinic", "repeats_yearly"]
