"""Every route that shows or changes patient data writes an audit event (issue 12, point 7).

The test walks every URL pattern of the site (pages, the JSON API, CDS Hooks; Django's own
admin is closed to every clinic role and is checked for that alone) as each kind of user,
with the ids of one patient's real records, by GET and by an empty POST/PATCH (which fails
validation and re-renders the form). A request reads patient data when its answer names the
patient (name or record number) or when it took one of the patient's record ids and did not
answer "not found", "not allowed", "log in first" or "no such method". Every such request
must have written at least one audit event.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from cit.clinic.appointments.absences import do_record_absence
from cit.clinic.audit.models import AuditEvent
from cit.clinic.plans.models import PlannedSession
from tests.clinic.charting.conftest import (  # noqa: F401
    cartridge_lot,
    consent_form,
    consented_patient,
    draft_note,
    pen,
    screened_patient,
    signed_note,
    today,
)

pytestmark = pytest.mark.django_db

GIVEN, FAMILY = "Zephyrine", "Quillfeather"
RECORD_IDS = {"patient_id", "note_id", "appointment_id", "session_id", "screening_id"}
NOT_READ = {302, 401, 403, 404, 405}
# Logging out would end the walk's session (it reads no patient data); archiving would
# hide the record from the rest of the walk (do_archive_patient writes its own event,
# tests/clinic/test_archive_not_delete.py).
SKIPPED = {"accounts/logout/", "patients/<int:patient_id>/archive/"}
PARAM = re.compile(r"<(?:(?:int|str|path|slug):)?(\w+)>")


def routes() -> Iterator[str]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith("admin/"):
                    continue
                yield from walk(pattern.url_patterns, route)
            else:
                yield route

    seen: set[str] = set()
    for route in walk(get_resolver().url_patterns, ""):
        if route not in seen:
            seen.add(route)
            yield route


@pytest.fixture
def records(
    signed_note: Any,  # noqa: F811
    draft_note: Any,  # noqa: F811
    booking_clinic: Any,
    make_plan: Any,
    book: Any,
    nurse: Any,  # noqa: F811
) -> dict[str, Any]:
    record = signed_note.patient
    record.given_name, record.family_name = GIVEN, FAMILY
    record.save(update_fields=["given_name", "family_name"])
    series = book(make_plan(record))
    appointment = series.appointments.order_by("number").first()
    start = appointment.start - datetime.timedelta(hours=1)
    do_record_absence(
        actor=nurse,
        provider=appointment.provider,
        start=start,
        end=start + datetime.timedelta(hours=6),
        now=timezone.now(),
    )
    return {
        "patient": record,
        "patient_id": record.pk,
        "note_id": signed_note.pk,
        "plan_id": series.plan_id,
        "series_index": 0,
        "appointment_id": appointment.pk,
        "session_id": PlannedSession.objects.filter(plan_id=series.plan_id).first().pk,
        "screening_id": signed_note.screening_id,
        "provider_id": appointment.provider_id,
        "lot_id": cartridge_lot_id(record),
        "service_id": "cit-screening",
        "scale_id": "mmasi",
    }


def cartridge_lot_id(record: Any) -> int:
    from cit.clinic.inventory.models import Lot

    lot = Lot.objects.filter(product__clinic=record.clinic).first()
    return lot.pk if lot else 1


def _users(records: dict[str, Any], make_user: Any) -> dict[str, Any]:
    clinic = records["patient"].clinic
    portal = make_user("patient", clinic)
    record = records["patient"]
    record.portal_user = portal
    record.save(update_fields=["portal_user"])
    return {
        "physician": make_user("physician", clinic),
        "front_desk": make_user("front_desk", clinic),
        "clinic_admin": make_user("clinic_admin", clinic),
        "patient": portal,
    }


def _call(client: Client, method: str, path: str, api: bool) -> Any:
    if method == "GET":
        return client.get(path)
    if api:
        return client.generic(method, path, "{}", content_type="application/json")
    return client.post(path, {})


def _reads_patient(route: str, response: Any, record: Any) -> bool:
    body = b"" if getattr(response, "streaming", False) else response.content
    if any(mark.encode() in body for mark in (FAMILY, record.record_number)):
        return True
    takes_record = bool(RECORD_IDS & set(PARAM.findall(route)))
    return takes_record and response.status_code not in NOT_READ and not _schema_refusal(response)


def _schema_refusal(response: Any) -> bool:
    """A 422 from the API's schema validation, before the view ran: nothing was read."""
    if response.status_code != 422 or not response.get("Content-Type", "").startswith(
        "application/json"
    ):
        return False
    fields = [error["field"] for error in response.json()["errors"]]
    return bool(fields) and all(f.startswith(("body", "query.", "path.")) for f in fields)


def test_every_route_that_reads_patient_data_writes_an_audit_event(
    records: dict[str, Any], make_user: Any, settings: Any
) -> None:
    settings.AXES_ENABLED = False
    record = records["patient"]
    unaudited: list[str] = []
    walked = 0
    for role, user in _users(records, make_user).items():
        for route in routes():
            if route in SKIPPED:
                continue
            path = "/" + PARAM.sub(lambda m: str(records.get(m.group(1), 1)), route)
            api = route.startswith(("api/", "cds-services"))
            methods = ("GET", "POST", "PATCH") if api else ("GET", "POST")
            for method in methods:
                # A fresh session each time, so no message flashed by an earlier (audited)
                # action shows up on this answer.
                client = Client()
                client.force_login(user)
                before = AuditEvent.objects.count()
                response = _call(client, method, path, api)
                walked += 1
                assert response.status_code < 500, f"{role} {method} {path}: 5xx"
                if _reads_patient(route, response, record) and AuditEvent.objects.count() == before:
                    unaudited.append(f"{role} {method} {path} -> {response.status_code}")
    assert walked > 300
    assert not unaudited, "read patient data without an audit event:\n" + "\n".join(unaudited)


def test_the_django_admin_is_closed_to_every_clinic_role(
    records: dict[str, Any], make_user: Any
) -> None:
    for role, user in _users(records, make_user).items():
        client = Client()
        client.force_login(user)
        response = client.get("/admin/patients/patient/")
        assert response.status_code == 302, role
        assert FAMILY.encode() not in response.content
