"""The questionnaire's "Add another" without JavaScript, and everyday wording for patients."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cit.clinic.intake.models import IntakeRecord
from tests.clinic.intake.test_questionnaire_and_screening import FACE, answers

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_add_another_without_javascript_adds_one_row_and_keeps_answers(
    clinic: Any, make_user: Any, make_patient: Any
) -> None:
    patient = make_patient(clinic)
    desk = _client(make_user("front_desk", clinic))
    data = answers(medications=[{"name": "Metformin"}], goals=FACE)
    data["add"] = "medications"
    response = desk.post(f"/patients/{patient.pk}/questionnaire/", data)
    assert response.status_code == 200, "nothing is saved: the page comes back"
    page = response.content.decode()
    # One row was posted; the page offers it and one more.
    assert 'name="medications-TOTAL_FORMS" value="2"' in page
    assert 'id="id_medications-1-name"' in page
    assert 'value="Metformin"' in page
    assert not IntakeRecord.objects.filter(patient=patient).exists()


def test_patients_get_everyday_words_and_codes_survive_their_save(
    clinic: Any, make_user: Any, make_patient: Any
) -> None:
    portal = make_user("patient", clinic)
    patient = make_patient(clinic, portal_user=portal)
    nurse = _client(make_user("registered_nurse", clinic))
    staff_page = nurse.get(f"/patients/{patient.pk}/questionnaire/").content.decode()
    assert "ICD-10 code" in staff_page
    assert "Route" in staff_page
    saved = nurse.post(
        f"/patients/{patient.pk}/questionnaire/",
        answers(
            conditions=[{"text": "Keloid scar", "code": "L91.0", "status": "active"}],
            medications=[{"name": "Tretinoin cream", "route": "topical"}],
            goals=FACE,
        ),
    )
    assert saved.status_code == 302
    mine = _client(portal)
    page = mine.get(f"/patients/{patient.pk}/questionnaire/").content.decode()
    for staff_word in ("ICD-10", "Route", "Fitzpatrick", "Glogau photo-ageing"):
        assert staff_word not in page
    assert "Very fair: always burns, never tans" in page
    # The patient saves again without seeing the codes; the staff's codes are kept.
    resave = answers(
        conditions=[{"text": "Keloid scar", "code": "L91.0", "status": "active"}],
        medications=[{"name": "Tretinoin cream", "route": "topical"}],
        goals=FACE,
    )
    assert mine.post(f"/patients/{patient.pk}/questionnaire/", resave).status_code == 302
    latest = IntakeRecord.objects.filter(patient=patient).order_by("-version").first()
    assert latest is not None
    assert latest.version == 2
    assert latest.data["medications"][0]["route"] == "topical"
    assert latest.data["conditions"][0]["code"] == "L91.0"
