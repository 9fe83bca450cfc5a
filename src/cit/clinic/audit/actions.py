"""Writing audit events. Every read or write of patient data goes through here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.psycopg_any import is_psycopg3
from django.http import HttpRequest

from cit.clinic.accounts.lockout import client_ip
from cit.clinic.accounts.models import User
from cit.clinic.audit.models import AuditAction, AuditEvent


def client_address(request: HttpRequest) -> str | None:
    # The peer address, or the client's as named by a trusted proxy (TRUSTED_PROXIES).
    return client_ip(request)


def note_patient_read(request: HttpRequest | None, patient: Any) -> None:
    """Remember that this request read ``patient``'s record; if it ends without writing any
    audit event, :class:`cit.clinic.audit.middleware.AuditCompletenessMiddleware` writes one."""
    if request is None:
        return
    read: list[Any] = getattr(request, "patients_read", [])
    if all(p.pk != patient.pk for p in read):
        read.append(patient)
    request.patients_read = read  # type: ignore[attr-defined]


def _channel(request: HttpRequest) -> str:
    return "api" if request.path.startswith("/api/") else "page"


def record_event(
    request: HttpRequest | None,
    action: AuditAction,
    *,
    actor: User | None = None,
    patient: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    detail: dict[str, Any] | None = None,
    channel: str = "",
) -> AuditEvent:
    """Append one event. ``actor`` defaults to the request's user; ``obj`` names the record."""
    event = _event(request, action, actor, patient, obj, object_type, detail, channel)
    _write(action, event.save)
    return event


def record_events_per_patient(
    request: HttpRequest | None,
    action: AuditAction,
    *,
    patients: Iterable[Any],
    obj: models.Model | None = None,
    object_type: str = "",
    detail: dict[str, Any] | None = None,
    channel: str = "",
) -> None:
    """``record_event`` once for each of ``patients`` (a page listing their records), the
    events written in one INSERT whatever their number."""
    events = [
        _event(request, action, None, patient, obj, object_type, detail, channel)
        for patient in patients
    ]
    if events:
        _write(action, lambda: _insert_in_one_statement(events))


def _insert_in_one_statement(events: list[AuditEvent]) -> None:
    # The INSERT bulk_create makes, without what it adds: on SQLite it splits the rows into
    # statements of 999 parameters (Django's floor for SQLite 3.31; 3.32 on allow 32,766),
    # 71 events each, and on both databases it opens a transaction of its own (a BEGIN and a
    # COMMIT more). One statement keeps a page's audit to one round trip, as one event's.
    # The largest page (a FHIR search of 200) binds 2,800 parameters. The ids are not read.
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    AuditEvent.objects._insert(events, fields=fields)  # type: ignore[attr-defined]


def _event(
    request: HttpRequest | None,
    action: AuditAction,
    actor: User | None,
    patient: Any,
    obj: models.Model | None,
    object_type: str,
    detail: dict[str, Any] | None,
    channel: str,
) -> AuditEvent:
    """The event ``record_event`` writes, not yet saved."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if request is not None:
        # Counted so the audit middleware can tell a request that read a patient's record
        # without writing any event (a refused form re-rendering the record).
        request.audit_events_written = getattr(request, "audit_events_written", 0) + 1  # type: ignore[attr-defined]
    clinic_id = getattr(patient, "clinic_id", None) or getattr(actor, "clinic_id", None)
    grant = getattr(request, "oauth_grant", None)
    if grant is not None:
        # Which integration acted (never the token itself).
        detail = {**(detail or {}), "oauth_client": grant.client_id}
    return AuditEvent(
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


def _write(action: AuditAction, insert: Callable[[], Any]) -> None:
    connection = transaction.get_connection()
    if (
        action in ASYNCHRONOUS_ACTIONS
        and not connection.in_atomic_block
        and _one_query_can_hold_two_statements(connection)
    ):
        with connection.execute_wrapper(_without_waiting_for_the_flush):
            insert()
    else:
        insert()


# An event that only says someone viewed or listed something, written in a transaction of its
# own (nothing else changed), commits on PostgreSQL without waiting for the WAL flush to disk:
# that wait was most of what auditing a page view cost. The application dying loses none of
# them (the commit is done); PostgreSQL or the machine crashing can lose those of the last
# 3 × wal_writer_delay (600 ms by default), never corrupts anything, and never drops one that
# a later synchronous commit follows (WAL is flushed in order). Changes, log-ins, refusals
# and exports stay synchronous, and an event written inside a transaction (an action's)
# commits with it, durably. SQLite (WAL, synchronous=NORMAL in cit.settings) already commits
# everything this way.
ASYNCHRONOUS_ACTIONS = frozenset({AuditAction.VIEW, AuditAction.LIST})
ASYNCHRONOUS_COMMIT = "SET LOCAL synchronous_commit TO OFF"


def _one_query_can_hold_two_statements(connection: BaseDatabaseWrapper) -> bool:
    # psycopg 3 binding parameters on the client (Django's default) sends the query as text,
    # so the setting and the INSERT go in one round trip, as one implicit transaction.
    return (
        connection.vendor == "postgresql"
        and is_psycopg3
        and not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")
    )


def _without_waiting_for_the_flush(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """The event's INSERT behind ``SET LOCAL synchronous_commit TO OFF`` in the same query:
    one round trip, as the INSERT alone was (a BEGIN, SET, INSERT, COMMIT would be four)."""
    if not sql.startswith(f"INSERT INTO {AUDIT_TABLE}"):
        return execute(sql, params, many, context)
    result = execute(f"{ASYNCHRONOUS_COMMIT}; {sql}", params, many, context)
    # The cursor stands on the SET's empty result; the INSERT's (the new id) is next.
    context["cursor"].cursor.nextset()
    return result


AUDIT_TABLE = f'"{AuditEvent._meta.db_table}"'
