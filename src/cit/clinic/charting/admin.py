"""Charting records in the admin: to look at, never to edit.

Notes start, change and are signed only through the charting actions (which check the
clinical rules and write audit events), so the admin offers no add, change or delete.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cit.clinic.admin_base import NoDeleteAdmin
from cit.clinic.charting.models import (
    ConsentForm,
    ConsentSignature,
    NoteAmendment,
    SessionNote,
    SessionProduct,
    ZoneTreatment,
)


class ReadOnlyAdmin(NoDeleteAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ZoneInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ZoneTreatment
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AmendmentInline(ZoneInline):
    model = NoteAmendment  # type: ignore[assignment]


@admin.register(SessionNote)
class SessionNoteAdmin(ReadOnlyAdmin):
    list_display = ["patient", "session_date", "procedure", "signed_at", "signed_by"]
    list_filter = ["procedure"]
    inlines = [ZoneInline, AmendmentInline]


@admin.register(ConsentForm)
class ConsentFormAdmin(ReadOnlyAdmin):
    list_display = ["title", "procedure", "version", "clinic", "effective_on"]


@admin.register(ConsentSignature)
class ConsentSignatureAdmin(ReadOnlyAdmin):
    list_display = ["patient", "form", "method", "signed_at", "witnessed_by"]


admin.site.register(SessionProduct, ReadOnlyAdmin)
admin.site.register(NoteAmendment, ReadOnlyAdmin)
