"""A patient's FHIR Bundle from their EHR becomes their next questionnaire version (source
FHIR), screened, with the questionnaire-only answers (goals) carried over; a bundle about
someone else, or not a bundle, changes nothing."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from cit.clinic.audit.models import AuditEvent
from cit.clinic.intake.models import IntakeRecord, ScreeningRecord
from tests.api.fhir.conftest import World, client_for

pytestmark = pytest.mark.django_db
EHR_BUNDLE = json.loads(
    (
        Path(__file__).resolve().parents[2] / "interop" / "fixtures" / "searchset_ehr.json"
    ).read_text()
)


@pytest.fixture
def ehr_patient(world: World) -> Any:
    """The world's second patient, born on the day the EHR bundle says (1987-09-12)."""
    patient = world.other_patient
    patient.birth_date = datetime.date(1987, 9, 12)
    patient.save(update_fields=["birth_date"])
    return patient


def _post(client: Any, patient_id: Any, body: Any) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        f"/fhir/Patient/{patient_id}/$import-intake", data, content_type="application/fhir+json"
    )


def test_bundle_becomes_the_next_version(world: World, ehr_patient: Any, make_user: Any) -> None:
    nurse = make_user("registered_nurse", world.clinic)
    before = IntakeRecord.objects.filter(patient=ehr_patient).order_by("-version").first()
    response = _post(client_for(nurse), ehr_patient.pk, EHR_BUNDLE)
    assert response.status_code == 201, response.content
    assert response.json()["resourceType"] == "OperationOutcome"
    record = IntakeRecord.objects.filter(patient=ehr_patient).order_by("-version").first()
    assert record.version == before.version + 1
    assert record.source == "fhir"
    assert record.recorded_by == nurse
    assert record.data["goals"] == before.data["goals"]  # carried over
    assert ScreeningRecord.objects.filter(intake=record).exists()
    assert AuditEvent.objects.filter(
        action="create", patient=ehr_patient, object_id=str(record.pk)
    ).exists()
    # The FHIR view now serves the imported conditions.
    served = client_for(nurse).get(f"/fhir/Condition?patient={ehr_patient.pk}").json()
    # Hypertension, acne (resolved), cold sores (inactive); the refuted lupus is not recorded.
    assert served["total"] == 3
    codes = [entry["resource"]["code"] for entry in served["entry"]]
    assert any(
        {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I10"} in code.get("coding", [])
        for code in codes
    )
    assert {"text": "Lupus"} not in codes
    # The version itself, as answered, including what the reader could not map.
    answered = client_for(nurse).get(f"/fhir/QuestionnaireResponse/{record.pk}").json()
    get_fhir_model_class("QuestionnaireResponse").model_validate(answered)
    groups = {item["linkId"] for item in answered["item"]}
    assert {"conditions", "medications", "allergies", "goals"} <= groups
    assert ("unmapped" in groups) == bool(record.data.get("unmapped"))


def test_bundle_of_someone_else_is_refused(world: World, make_user: Any) -> None:
    nurse = make_user("registered_nurse", world.clinic)
    versions = IntakeRecord.objects.count()
    response = _post(client_for(nurse), world.patient.pk, EHR_BUNDLE)  # born 1985-12-10
    assert response.status_code == 422
    assert "not the same person" in response.json()["issue"][0]["diagnostics"]
    assert IntakeRecord.objects.count() == versions


@pytest.mark.parametrize(
    ("body", "status"),
    [("not json", 400), ({"resourceType": "Patient"}, 400), ([1, 2], 400)],
)
def test_not_a_bundle(
    world: World, ehr_patient: Any, make_user: Any, body: Any, status: int
) -> None:
    response = _post(client_for(make_user("physician", world.clinic)), ehr_patient.pk, body)
    assert response.status_code == status
    assert response.json()["resourceType"] == "OperationOutcome"


def test_form_posts_are_refused(world: World, ehr_patient: Any, make_user: Any) -> None:
    client = client_for(make_user("physician", world.clinic))
    response = client.post(f"/fhir/Patient/{ehr_patient.pk}/$import-intake", {"a": "b"})
    assert response.status_code == 415


def test_who_may_import(world: World, ehr_patient: Any, make_user: Any) -> None:
    versions = IntakeRecord.objects.count()
    # A patient imports into their own record only; another's is not found.
    assert _post(client_for(world.portal_user), ehr_patient.pk, EHR_BUNDLE).status_code == 404
    assert (
        _post(
            client_for(make_user("clinic_admin", world.clinic)), ehr_patient.pk, EHR_BUNDLE
        ).status_code
        == 403
    )
    assert IntakeRecord.objects.count() == versions
    assert _post(client_for(world.other_portal_user), ehr_patient.pk, EHR_BUNDLE).status_code == 201
