"""Django admin defaults: nothing is deleted through the admin, only archived."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class NoDeleteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
