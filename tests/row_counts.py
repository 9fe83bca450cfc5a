"""Row counts of every table, to show that a refused request wrote nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Max

from cit.clinic.audit.models import AuditAction, AuditEvent


@dataclass(frozen=True)
class Snapshot:
    counts: dict[str, int]  # {model label: rows}, the audit log aside
    last_audit_id: int


def snapshot() -> Snapshot:
    """The row count of every table of every installed app (one query), and the newest
    audit event."""
    quote = connection.ops.quote_name
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model is not AuditEvent
    ]
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    last = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    return Snapshot(dict(zip((m._meta.label for m in models), row, strict=True)), last)


def _records_the_refusal(event: AuditEvent, method: str) -> bool:
    # By design a refusal is audited: "access denied" (cit.clinic.access), or the view of
    # the record the request read, with the refused status (AuditCompletenessMiddleware);
    # a page may also audit its read of the record before it finds the role wanting.
    if event.action == AuditAction.DENIED:
        return True
    if event.action != AuditAction.VIEW:
        return False
    return method == "GET" or event.detail.get("status") in (401, 403, 404)


def writes_since(before: Snapshot, method: str) -> dict[str, Any]:
    """What a refused ``method`` request wrote since ``before``: the tables whose row count
    changed, and the audit events other than those recording the refusal. Empty when
    nothing was written."""
    after = snapshot()
    written: dict[str, Any] = {
        label: (rows, after.counts[label])
        for label, rows in before.counts.items()
        if after.counts[label] != rows
    }
    events = AuditEvent.objects.filter(id__gt=before.last_audit_id).order_by("id")
    audited = [f"{e.action} {e.object_type}" for e in events if not _records_the_refusal(e, method)]
    if audited:
        written["audit events"] = audited
    return written
