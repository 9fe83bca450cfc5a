"""How an audit event is committed: a page view's or list's event, alone in its transaction,
does not wait for PostgreSQL's WAL flush; every other event, and any event written inside a
change's transaction, commits durably with it (cit.clinic.audit.actions)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cit.clinic.audit.actions import record_event, record_events_per_patient
from cit.clinic.audit.models import AuditAction, AuditEvent

# Autocommit, as a page runs: the test itself must not wrap the events in a transaction.
pytestmark = pytest.mark.django_db(transaction=True)

ASYNCHRONOUS = "SET LOCAL synchronous_commit TO OFF; INSERT INTO"


def _record(user: Any, patient: Any, action: AuditAction) -> str:
    """Every statement the event took, one a line."""
    request = RequestFactory().get(f"/patients/{patient.pk}/")
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        event = record_event(request, action, patient=patient, obj=patient)
    assert event.pk == AuditEvent.objects.latest("id").pk
    return "\n".join(query["sql"] for query in queries.captured_queries)


def test_a_view_alone_commits_without_waiting_for_the_flush_on_postgresql(
    nurse: Any, patient: Any
) -> None:
    before = AuditEvent.objects.count()
    statements = _record(nurse, patient, AuditAction.VIEW)
    # One round trip, as the INSERT alone: no BEGIN or COMMIT of its own.
    assert statements.startswith(ASYNCHRONOUS) == (connection.vendor == "postgresql")
    assert statements.count("\n") == 0
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("id").action == AuditAction.VIEW


@pytest.mark.parametrize("action", [AuditAction.UPDATE, AuditAction.DENIED, AuditAction.EXPORT])
def test_changes_refusals_and_exports_commit_durably(
    nurse: Any, patient: Any, action: AuditAction
) -> None:
    assert ASYNCHRONOUS not in _record(nurse, patient, action)
    assert AuditEvent.objects.latest("id").action == action


def test_an_event_inside_a_transaction_commits_with_it(nurse: Any, patient: Any) -> None:
    with transaction.atomic():
        statements = _record(nurse, patient, AuditAction.VIEW)
    assert ASYNCHRONOUS not in statements
    assert AuditEvent.objects.latest("id").action == AuditAction.VIEW


def test_a_pages_events_per_patient_are_one_statement(
    nurse: Any, make_patient: Any, clinic: Any
) -> None:
    patients = [make_patient(clinic, given_name=f"Ada{i}") for i in range(100)]
    request = RequestFactory().get("/inventory/lots/1/recall/")
    request.user = nurse
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        record_events_per_patient(request, AuditAction.VIEW, patients=patients, obj=clinic)
    [statement] = [query["sql"] for query in queries.captured_queries]
    assert statement.startswith(ASYNCHRONOUS) == (connection.vendor == "postgresql")
    assert AuditEvent.objects.count() == before + 100
