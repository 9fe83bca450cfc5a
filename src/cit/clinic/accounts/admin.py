from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from cit.clinic.accounts.models import Provider, User
from cit.clinic.admin_base import NoDeleteAdmin
from cit.clinic.appointments.schedule_index import note_setup_changed


@admin.register(User)
class CitUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "first_name", "last_name", "role", "clinic", "is_active"]
    list_filter = ["role", "clinic", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, ("CIT", {"fields": ["role", "clinic"]})]  # type: ignore[misc]
    add_fieldsets = [*UserAdmin.add_fieldsets, ("CIT", {"fields": ["role", "clinic"]})]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def save_related(self, request: Any, form: Any, formsets: Any, change: Any) -> None:
        # A provider's name, role and activity are part of their clinic's set-up: proposals'
        # cached scheduling index must see the change (in the admin's transaction).
        super().save_related(request, form, formsets, change)
        for clinic_id in Provider.objects.filter(user=form.instance).values_list(
            "clinic_id", flat=True
        ):
            note_setup_changed(clinic_id)


@admin.register(Provider)
class ProviderAdmin(NoDeleteAdmin):
    list_display = ["user", "clinic", "licence_type", "licence_number", "licence_expires_on"]
    list_filter = ["clinic", "licence_type"]

    def save_related(self, request: Any, form: Any, formsets: Any, change: Any) -> None:
        # The set-up of the provider's clinic (and of the one they left) changed: see
        # UserAdmin.save_related.
        super().save_related(request, form, formsets, change)
        clinics = {form.instance.clinic_id, form.initial.get("clinic")}
        for clinic_id in sorted(pk for pk in clinics if pk is not None):
            note_setup_changed(clinic_id)
