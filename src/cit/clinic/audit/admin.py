from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cit.clinic.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: the admin can browse events but never add, change or delete one."""

    list_display = [
        "at",
        "actor_username",
        "actor_role",
        "action",
        "patient",
        "object_type",
        "channel",
    ]
    list_filter = ["action", "channel", "clinic"]
    search_fields = ["actor_username", "patient__record_number"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
