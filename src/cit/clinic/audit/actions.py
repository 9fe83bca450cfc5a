"""Writing audit events. Every read or write of patient data goes through here."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from cit.clinic.audit.models import AuditAction, AuditEvent


def client_address(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is set by the server we run (gunicorn); a forwarded-for header is
    # client-controlled and is not trusted here.
    return request.META.get("REMOTE_ADDR") or None


def _channel(request: HttpRequest) -> str:
    return "api" if request.path.startswith("/api/") else "page"


def record_event(
    request: HttpRequest | None,
    action: AuditAction,
    *,
    actor: Any = None,
    patient: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    detail: dict[str, Any] | None = None,
    channel: str = "",
) -> AuditEvent:
    """Append one event. ``actor`` defaults to the request's user; ``obj`` names the record."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    clinic_id = getattr(patient, "clinic_id", None) or getattr(actor, "clinic_id", None)
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=getattr(actor, "username", "") or "",
        actor_role=getattr(actor, "role", "") or "",
        clinic_id=clinic_id,
        action=action,
        patient=patient,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        channel=channel or (_channel(request) if request is not None else "cli"),
        method=request.method or "" if request is not None else "",
        path=request.get_full_path()[:500] if request is not None else "",
        client_address=client_address(request) if request is not None else None,
        detail=detail or {},
    )
