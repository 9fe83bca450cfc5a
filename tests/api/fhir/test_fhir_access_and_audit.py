"""Role rules and audit on /fhir/ as on pages: a patient reaches only their own record
(another's id is 404), roles without the capability get 403, every read is audited as a
view and every search as a list; bad parameters and values are 400 OperationOutcomes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditEvent
from tests.api.fhir.conftest import World, client_for

pytestmark = pytest.mark.django_db


def _ids(response: Any) -> set[str]:
    return {entry["resource"]["id"] for entry in response.json().get("entry", [])}


def test_patient_sees_only_their_own_record(world: World) -> None:
    client = client_for(world.portal_user)
    assert _ids(client.get("/fhir/Patient")) == {str(world.patient.pk)}
    assert client.get(f"/fhir/Patient/{world.patient.pk}").status_code == 200
    assert client.get(f"/fhir/Patient/{world.other_patient.pk}").status_code == 404
    assert client.get(f"/fhir/Patient/{world.foreign_patient.pk}").status_code == 404
    # Asking for another patient's conditions finds nothing of theirs.
    other = client.get(f"/fhir/Condition?patient=Patient/{world.other_patient.pk}")
    assert other.status_code == 200
    assert other.json()["total"] == 0
    own = client.get("/fhir/Condition")
    assert own.json()["total"] == 1
    other_intake = world.other_patient.intakes.first()
    assert client.get(f"/fhir/Condition/{other_intake.pk}-1").status_code == 404
    assert client.get(f"/fhir/Procedure/{world.note.pk}").status_code == 200


def test_staff_of_another_clinic_find_nothing(
    world: World, other_clinic: Any, make_user: Any
) -> None:
    client = client_for(make_user("physician", other_clinic))
    assert client.get(f"/fhir/Patient/{world.patient.pk}").status_code == 404
    assert client.get(f"/fhir/Procedure/{world.note.pk}").status_code == 404
    assert _ids(client.get("/fhir/Patient")) == {str(world.foreign_patient.pk)}


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("front_desk", "/fhir/Patient", 200),
        ("front_desk", "/fhir/Appointment", 200),
        ("front_desk", "/fhir/Procedure", 403),
        ("front_desk", "/fhir/Condition", 403),
        ("clinic_admin", "/fhir/Location", 200),
        ("clinic_admin", "/fhir/CarePlan", 403),
        ("esthetician", "/fhir/Procedure", 200),
        ("patient", "/fhir/Practitioner", 403),
        ("patient", "/fhir/Appointment", 200),
        ("physician", "/fhir/AuditEvent", 403),
        ("clinic_admin", "/fhir/AuditEvent", 200),
        ("patient", "/fhir/AuditEvent", 403),
        ("front_desk", "/fhir/Provenance", 403),
        ("patient", "/fhir/Provenance", 200),
    ],
)
def test_role_capabilities(world: World, make_user: Any, role: str, url: str, status: int) -> None:
    user = world.portal_user if role == "patient" else make_user(role, world.clinic)
    response = client_for(user).get(url)
    assert response.status_code == status
    if status == 403:
        assert response.json()["resourceType"] == "OperationOutcome"


def test_anonymous_gets_401(world: World) -> None:
    response = Client().get("/fhir/Patient")
    assert response.status_code == 401
    assert response.json()["issue"][0]["code"] == "login"


def test_read_and_search_are_audited(world: World, make_user: Any) -> None:
    nurse = make_user("registered_nurse", world.clinic)
    client = client_for(nurse)
    before = AuditEvent.objects.count()
    client.get(f"/fhir/Procedure/{world.note.pk}")
    (read,) = AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before]
    assert (read.action, read.patient_id, read.actor_id, read.channel) == (
        "view", world.patient.pk, nurse.pk, "fhir",
    )  # fmt: skip
    before = AuditEvent.objects.count()
    client.get("/fhir/Condition")
    listed = list(AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before])
    assert {e.action for e in listed} == {"list"}
    assert {e.patient_id for e in listed} == {world.patient.pk, world.other_patient.pk}


@pytest.mark.parametrize(
    "query",
    [
        "/fhir/Patient?name=Ada",
        "/fhir/Appointment?date=yesterday",
        "/fhir/Appointment?date=2026-13-01",
        "/fhir/Appointment?_count=-1",
        "/fhir/Appointment?_count=abc",
        "/fhir/Appointment?_offset=x",
        "/fhir/Appointment?status=sleeping",
        "/fhir/Appointment?patient=Practitioner/abc",
        "/fhir/Location?_lastUpdated=ge2026-01-01",
        "/fhir/Patient?_lastUpdated=ge2026-99",
        "/fhir/Appointment?date=9999-12-31",
        "/fhir/Procedure?date=ge9999",
        "/fhir/Condition?status=active",
        "/fhir/Appointment?patient=1&patient=2",
        "/fhir/Appointment?_format=xml",
        "/fhir/Patient?identifier=",
        "/fhir/Patient?birthdate=1985-13",
    ],
)
def test_bad_parameters_are_400(world: World, make_user: Any, query: str) -> None:
    response = client_for(make_user("physician", world.clinic)).get(query)
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_unknown_type_and_id_are_404(world: World, make_user: Any) -> None:
    client = client_for(make_user("physician", world.clinic))
    assert client.get("/fhir/Spaceship").status_code == 404
    assert client.get("/fhir/Patient/not-a-number").status_code == 404
    assert client.get("/fhir/Condition/999999-1").status_code == 404


def test_date_status_and_patient_filters(world: World, make_user: Any) -> None:
    client = client_for(make_user("physician", world.clinic))
    first = world.series.appointments.order_by("start").first()
    day = first.local_start().date().isoformat()
    on_day = client.get(f"/fhir/Appointment?date={day}")
    assert _ids(on_day) == {str(first.pk)}
    assert client.get(f"/fhir/Appointment?date=lt{day}").json()["total"] == 0
    assert client.get("/fhir/Appointment?status=booked").json()["total"] == 4
    assert client.get("/fhir/Appointment?status=cancelled").json()["total"] == 0
    assert (
        client.get(f"/fhir/Appointment?patient=Patient/{world.other_patient.pk}").json()["total"]
        == 0
    )
    assert client.get("/fhir/Patient?_lastUpdated=ge2000-01-01").json()["total"] == 2
    assert client.get("/fhir/Patient?_lastUpdated=lt2000-01-01").json()["total"] == 0
    assert client.get("/fhir/Patient?_format=json").json()["total"] == 2
    mrn = world.patient.record_number
    assert _ids(client.get(f"/fhir/Patient?identifier={mrn}")) == {str(world.patient.pk)}
    system = f"https://cit.example.org/fhir/CodeSystem/clinic-{world.clinic.pk}-mrn"
    assert _ids(client.get(f"/fhir/Patient?identifier={system}|{mrn}")) == {str(world.patient.pk)}
    other_system = f"https://cit.example.org/fhir/CodeSystem/clinic-{world.clinic.pk + 1}-mrn"
    assert client.get(f"/fhir/Patient?identifier={other_system}|{mrn}").json()["total"] == 0
    # Both patients were born on 1985-12-10 (the fixture's default).
    assert client.get("/fhir/Patient?birthdate=1985-12-10").json()["total"] == 2
    assert client.get("/fhir/Patient?birthdate=gt1985-12-10").json()["total"] == 0
