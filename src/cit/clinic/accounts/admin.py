from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from cit.clinic.accounts.models import Provider, User
from cit.clinic.admin_base import NoDeleteAdmin


@admin.register(User)
class CitUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "first_name", "last_name", "role", "clinic", "is_active"]
    list_filter = ["role", "clinic", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, ("CIT", {"fields": ["role", "clinic"]})]  # type: ignore[misc]
    add_fieldsets = [*UserAdmin.add_fieldsets, ("CIT", {"fields": ["role", "clinic"]})]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Provider)
class ProviderAdmin(NoDeleteAdmin):
    list_display = ["user", "clinic", "licence_type", "licence_number", "licence_expires_on"]
    list_filter = ["clinic", "licence_type"]
