"""Every resource type CIT serves, read back through the fhir.resources R4B models; search
bundles page to their total; the codes are the record's own (ICD-10-CM, RxNorm, LOINC)."""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from cit.clinic.audit.models import AuditEvent
from tests.api.fhir.conftest import World, client_for

pytestmark = pytest.mark.django_db

SERVED = [
    "Patient", "Organization", "Practitioner", "PractitionerRole", "Location", "Device",
    "Appointment", "Procedure", "CarePlan", "Consent", "Condition", "MedicationStatement",
    "AllergyIntolerance", "Observation", "Provenance", "AuditEvent",
    "QuestionnaireResponse", "Group",
]  # fmt: skip


def _walk(client: Any, url: str) -> tuple[list[dict[str, Any]], int]:
    """Follow ``next`` links from ``url``; every page is a valid searchset Bundle."""
    resources: list[dict[str, Any]] = []
    total = None
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("application/fhir+json")
        body = response.json()
        Bundle.model_validate(body)
        assert body["type"] == "searchset"
        total = body["total"] if total is None else total
        assert body["total"] == total
        resources += [entry["resource"] for entry in body.get("entry", [])]
        links = {link["relation"]: link["url"] for link in body["link"]}
        assert "self" in links
        url = links.get("next", "")
    assert total is not None
    return resources, total


@pytest.mark.parametrize("type_name", SERVED)
def test_every_type_validates_and_pages_to_its_total(
    world: World, make_user: Any, type_name: str
) -> None:
    # The audit log is the clinic admin's; everything clinical the physician's.
    reader = make_user("clinic_admin" if type_name == "AuditEvent" else "physician", world.clinic)
    client = client_for(reader)
    url = f"/fhir/{type_name}?_count=1"
    if type_name == "AuditEvent":
        # Each search adds events: walk the ones written before it, which stay put.
        ids = AuditEvent.objects.filter(clinic=world.clinic).values_list("pk", flat=True)
        url += "&_id=" + ",".join(str(pk) for pk in ids)
    resources, total = _walk(client, url)
    assert total >= 1
    assert len(resources) == total
    assert len({r["id"] for r in resources}) == total
    model = get_fhir_model_class(type_name)
    for resource in resources:
        assert resource["resourceType"] == type_name
        model.model_validate(resource)
        read = client.get(f"/fhir/{type_name}/{resource['id']}")
        assert read.status_code == 200
        assert read.json() == resource


def test_previous_link_goes_back(world: World, make_user: Any) -> None:
    client = client_for(make_user("physician", world.clinic))
    second = client.get("/fhir/Patient?_count=1&_offset=1").json()
    links = {link["relation"]: link["url"] for link in second["link"]}
    assert second["total"] == 2  # the foreign clinic's patient is not counted
    assert "next" not in links
    first = client.get(links["previous"]).json()
    assert first["entry"][0]["resource"]["id"] != second["entry"][0]["resource"]["id"]


def test_metadata_lists_every_type(client: Any, db: None) -> None:
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    body = response.json()
    get_fhir_model_class("CapabilityStatement").model_validate(body)
    # Media and Binary (photos: test_fhir_photos_and_outcomes.py); Binary is read only.
    listed = sorted(r["type"] for r in body["rest"][0]["resource"])
    assert listed == sorted([*SERVED, "Media", "Binary"])


def test_procedure_carries_zones_depths_and_passes(world: World, make_user: Any) -> None:
    client = client_for(make_user("registered_nurse", world.clinic))
    procedure = client.get(f"/fhir/Procedure/{world.note.pk}").json()
    assert procedure["status"] == "completed"
    assert procedure["subject"]["reference"] == f"Patient/{world.patient.pk}"
    sites = sorted(
        tuple((c["system"].rsplit("/", 1)[-1], c["code"]) for c in site["coding"])
        for site in procedure["bodySite"]
    )
    # SNOMED CT "Skin of cheek" and "Skin of forehead" (DICOM CID 4029), then CIT's zone.
    assert sites == [
        (("sct", "36141000"), ("zone", "cheeks")),
        (("sct", "68698007"), ("zone", "forehead")),
    ]
    charted = {}
    for extension in procedure["extension"]:
        assert extension["url"] == "https://cit.example.org/fhir/StructureDefinition/zone-treatment"
        parts = {part["url"]: part for part in extension["extension"]}
        charted[parts["zone"]["valueCoding"]["code"]] = (
            parts["depth"]["valueQuantity"]["value"],
            parts["depth"]["valueQuantity"]["code"],
            parts["passes"]["valueInteger"],
            parts["endpoint"]["valueCoding"]["code"],
        )
    assert charted == {
        "cheeks": (1.0, "mm", 3, "pinpoint_bleeding"),
        "forehead": (0.5, "mm", 2, "even_erythema"),
    }
    assert (
        procedure["focalDevice"][0]["manipulated"]["reference"] == f"Device/{world.note.device_id}"
    )


def test_intake_entries_keep_their_codes(world: World, make_user: Any) -> None:
    client = client_for(make_user("physician", world.clinic))
    patient = f"patient=Patient/{world.patient.pk}"
    (condition,) = [e["resource"] for e in client.get(f"/fhir/Condition?{patient}").json()["entry"]]
    assert condition["code"]["coding"] == [
        {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I10"}
    ]
    assert condition["clinicalStatus"]["coding"][0]["code"] == "active"
    (medication,) = [
        e["resource"] for e in client.get(f"/fhir/MedicationStatement?{patient}").json()["entry"]
    ]
    assert medication["medicationCodeableConcept"]["coding"] == [
        {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "17767"}
    ]
    assert medication["status"] == "active"
    (allergy,) = [
        e["resource"] for e in client.get(f"/fhir/AllergyIntolerance?{patient}").json()["entry"]
    ]
    assert allergy["code"] == {"text": "latex"}  # no code in the record: words only
    observations = {
        e["resource"]["code"]["coding"][0]["code"]: e["resource"]
        for e in client.get(f"/fhir/Observation?{patient}").json()["entry"]
    }
    assert set(observations) == {"82810-3", "63895-7"}
    assert observations["82810-3"]["valueCodeableConcept"]["coding"][0]["code"] == "60001007"


def test_care_plan_and_appointments_link_up(world: World, make_user: Any) -> None:
    client = client_for(make_user("physician", world.clinic))
    plan = client.get(f"/fhir/CarePlan/{world.plan.pk}").json()
    assert plan["status"] == "active"
    assert plan["intent"] == "plan"
    scheduled = [a for a in plan["activity"] if a["detail"]["status"] == "scheduled"]
    assert len(scheduled) == 4  # the booked series has four sessions
    appointment = client.get(scheduled[0]["reference"]["reference"].replace("", "/fhir/", 1)).json()
    assert appointment["status"] == "booked"
    actors = {p["actor"]["reference"].split("/")[0] for p in appointment["participant"]}
    assert actors == {"Patient", "Practitioner", "Location"}


def test_questionnaire_response_of_every_kind_of_answer(world: World, make_user: Any) -> None:
    from cit.clinic.intake.actions import do_record_intake

    nurse = make_user("registered_nurse", world.clinic)
    data = {
        "birth_date": "1985-12-10",
        "sex": "female",
        "fitzpatrick": 3,
        "glogau": 2,
        "pregnant": "unknown",
        "nursing": True,
        "history": {"cold_sores": True, "keloids": False, "healing_concern": "slow healing"},
        "areas": [{"zone": "cheeks", "active_acne": True}],
        "procedures": [{"kind": "chemical_peel", "date": "2025-01-10", "zone": "cheeks"}],
        "goals": [{"indication": "acne_scars", "areas": ["cheeks"], "prp": True}],
    }
    record, _ = do_record_intake(
        actor=nurse, patient=world.patient, data=data, source="desk", today=world.clinic.today()
    )
    client = client_for(nurse)
    answered = client.get(f"/fhir/QuestionnaireResponse/{record.pk}").json()
    get_fhir_model_class("QuestionnaireResponse").model_validate(answered)
    items = {item["linkId"]: item for item in answered["item"]}
    assert items["pregnant"]["answer"] == [
        {
            "valueCoding": {
                "system": "http://snomed.info/sct",
                "code": "261665006",
                "display": "Unknown",
            }
        }
    ]
    assert items["nursing"]["answer"] == [{"valueBoolean": True}]
    assert items["fitzpatrick"]["answer"] == [{"valueInteger": 3}]
    assert items["areas"]["item"][0]["answer"] == [{"valueString": "active acne"}]
    assert items["procedures"]["item"][0]["answer"] == [{"valueString": "2025-01-10, Cheeks"}]
    # The status observations follow the latest version: pregnancy unknown, breastfeeding.
    observations = client.get(f"/fhir/Observation?patient={world.patient.pk}").json()["entry"]
    values = {
        entry["resource"]["code"]["coding"][0]["code"]: entry["resource"]["valueCodeableConcept"]
        for entry in observations
    }
    assert values["82810-3"]["coding"][0]["code"] == "261665006"
    assert values["63895-7"] == {"text": "Breastfeeding"}
