"""The questionnaire becomes a screened intake version; the screening page explains it,
shows what changed, and records overrides with a reason by those allowed to make them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from cit.clinic.intake.models import IntakeRecord, ScreeningOverride, ScreeningRecord

pytestmark = pytest.mark.django_db

LISTS = ("conditions", "medications", "allergies", "procedures", "goals", "areas")


def answers(**lists: list[dict[str, Any]]) -> dict[str, Any]:
    """POST data for the questionnaire: main answers plus rows per list."""
    main = lists.pop("main", [{}])[0]
    data: dict[str, Any] = {f"main-{key}": value for key, value in main.items()}
    for name in LISTS:
        rows = lists.get(name, [])
        data[f"{name}-TOTAL_FORMS"] = str(len(rows))
        data[f"{name}-INITIAL_FORMS"] = "0"
        for index, row in enumerate(rows):
            for key, value in row.items():
                data[f"{name}-{index}-{key}"] = value
    return data


FACE = [{"indication": "rejuvenation", "areas": ["forehead", "cheeks"]}]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_desk_answers_become_a_screened_intake(clinic: Any, make_user: Any, patient: Any) -> None:
    desk = _client(make_user("front_desk", clinic))
    assert desk.get(f"/patients/{patient.pk}/questionnaire/").status_code == 200
    response = desk.post(
        f"/patients/{patient.pk}/questionnaire/",
        answers(
            main=[{"cold_sores": "on", "fitzpatrick": "3"}],
            medications=[{"name": "Lipitor 20 mg", "start": "2024-01-01"}],
            goals=FACE,
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.pk}/", "the desk does not see screenings"
    record = IntakeRecord.objects.get(patient=patient)
    assert record.source == "desk"
    assert record.data["history"]["cold_sores"] is True
    assert record.data["medications"][0]["name"] == "Lipitor 20 mg"
    assert ScreeningRecord.objects.get(patient=patient).decision == "treat_with_precautions"


def test_engine_errors_show_on_the_row_and_nothing_is_saved(
    clinic: Any, make_user: Any, patient: Any
) -> None:
    nurse = _client(make_user("registered_nurse", clinic))
    future = (patient.clinic.today() + datetime.timedelta(days=30)).isoformat()
    response = nurse.post(
        f"/patients/{patient.pk}/questionnaire/",
        answers(
            medications=[{"name": "Metformin"}, {"name": "Accutane", "last_dose": future}],
            goals=FACE,
        ),
    )
    assert response.status_code == 422  # refused: the form with its errors
    page = response.content.decode()
    assert 'data-field="medications-1-last_dose"' in page
    assert not IntakeRecord.objects.exists()


def test_add_another_row_keeps_answers(clinic: Any, make_user: Any, patient: Any) -> None:
    nurse = _client(make_user("registered_nurse", clinic))
    data = answers(allergies=[{"substance": "lidocaine"}], goals=FACE)
    data["add"] = "allergies"
    response = nurse.post(f"/patients/{patient.pk}/questionnaire/", data)
    assert response.status_code == 200
    formset = response.context["form"].formsets["allergies"]
    assert formset.forms[0]["substance"].value() == "lidocaine"
    assert not IntakeRecord.objects.exists()


def test_patient_answers_own_questionnaire_only(
    clinic: Any, make_user: Any, make_patient: Any
) -> None:
    user = make_user("patient", clinic)
    own = make_patient(clinic, portal_user=user)
    other = make_patient(clinic, given_name="Other")
    portal = _client(user)
    page = portal.get(f"/patients/{own.pk}/questionnaire/").content.decode()
    assert "Glogau photo-ageing type" not in page
    assert "Areas examined today" not in page
    response = portal.post(f"/patients/{own.pk}/questionnaire/", answers(goals=FACE))
    assert response["Location"] == "/"
    assert IntakeRecord.objects.get(patient=own).source == "portal"
    assert portal.get(f"/patients/{other.pk}/questionnaire/").status_code == 403


def _screened(patient: Any, client: Client, **lists: Any) -> None:
    response = client.post(f"/patients/{patient.pk}/questionnaire/", answers(**lists))
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["form"].all_forms() if f.errors
    ]


def test_screening_page_override_and_changes(clinic: Any, make_user: Any, patient: Any) -> None:
    nurse_user = make_user("registered_nurse", clinic)
    nurse = _client(nurse_user)
    _screened(patient, nurse, goals=FACE)
    _screened(
        patient,
        nurse,
        main=[{"keloids": "on"}],
        medications=[{"name": "Eliquis 5 mg"}],
        goals=FACE,
    )
    page = nurse.get(f"/patients/{patient.pk}/screening/")
    assert page.context["effective_decision"] == "do_not_treat"
    changes = page.context["changes"]
    assert changes.decision_before == "treat"
    assert set(changes.new_findings) == {"keloid", "anticoagulant"}
    assert "New medication: Eliquis 5 mg" in changes.intake_changes
    latest = ScreeningRecord.objects.filter(patient=patient).first()
    assert latest is not None

    refused = nurse.post(
        f"/screenings/{latest.pk}/override/", {"rule": "anticoagulant", "reason": "ok"}, follow=True
    )
    assert "at least 10 characters" in refused.content.decode()
    nurse.post(
        f"/screenings/{latest.pk}/override/",
        {"rule": "anticoagulant", "reason": "Cleared by haematology letter 2026-11-01"},
    )
    not_physician = nurse.post(
        f"/screenings/{latest.pk}/override/",
        {"rule": "keloid", "reason": "Patient insists, small area only"},
        follow=True,
    )
    assert "only be lifted by a physician" in not_physician.content.decode()
    assert ScreeningOverride.objects.filter(screening=latest).count() == 1

    physician = _client(make_user("physician", clinic))
    physician.post(
        f"/screenings/{latest.pk}/override/",
        {"rule": "keloid", "reason": "Keloid history on the trunk only; test spot healed well"},
    )
    page = physician.get(f"/patients/{patient.pk}/screening/")
    assert page.context["effective_decision"] == "treat"
    assert 'data-testid="override-keloid"' in page.content.decode()


def test_esthetician_cannot_override_and_desk_cannot_see_screening(
    clinic: Any, make_user: Any, patient: Any
) -> None:
    nurse = _client(make_user("registered_nurse", clinic))
    _screened(patient, nurse, main=[{"cold_sores": "on"}], goals=FACE)
    latest = ScreeningRecord.objects.get(patient=patient)
    esthetician = _client(make_user("esthetician", clinic))
    assert esthetician.get(f"/patients/{patient.pk}/screening/").status_code == 200
    response = esthetician.post(
        f"/screenings/{latest.pk}/override/",
        {"rule": "herpes-history", "reason": "Not needed for this patient"},
    )
    assert response.status_code == 403
    desk = _client(make_user("front_desk", clinic))
    assert desk.get(f"/patients/{patient.pk}/screening/").status_code == 403


def test_rescreen_for_a_later_day(clinic: Any, make_user: Any, patient: Any) -> None:
    nurse = _client(make_user("registered_nurse", clinic))
    today = patient.clinic.today()
    peel = (today - datetime.timedelta(days=10)).isoformat()
    _screened(patient, nurse, procedures=[{"kind": "chemical_peel", "date": peel}], goals=FACE)
    assert ScreeningRecord.objects.get(patient=patient).decision == "defer"
    later = (today + datetime.timedelta(days=40)).isoformat()
    nurse.post(f"/patients/{patient.pk}/screening/rescreen/", {"on": later})
    latest = ScreeningRecord.objects.filter(patient=patient).first()
    assert latest is not None
    assert latest.decision == "treat"
    bad = nurse.post(f"/patients/{patient.pk}/screening/rescreen/", {"on": "soon"})
    assert bad.status_code == 422
    assert "Give the treatment day as a date" in bad.content.decode()
