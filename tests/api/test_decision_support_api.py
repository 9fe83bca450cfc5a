"""POST /api/screen and /api/plan: intake JSON or FHIR Bundle in, the engine's answer out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditEvent
from cit.protocol import protocol_version

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "interop" / "fixtures"
ADULT = {"birth_date": "1985-06-01", "goals": [{"indication": "acne_scars", "areas": ["cheeks"]}]}


@pytest.fixture
def physician_client(clinic: Any, make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("physician", clinic))
    return client


def _post(client: Client, path: str, body: Any) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, data, content_type="application/json")


def test_screen_returns_findings_with_rule_sources_and_version(physician_client: Client) -> None:
    response = _post(
        physician_client, "/api/screen?on=2026-12-01", {**ADULT, "history": {"cold_sores": True}}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["decision"] == "treat_with_precautions"
    assert body["findings"][0]["rule"] == "herpes-history"
    assert body["findings"][0]["sources"][0]["citation"]
    assert body["protocol_version"] == protocol_version()
    assert body["profile"] == "default"
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.channel, event.detail["outcome"]) == (
        "decide",
        "api",
        "treat_with_precautions",
    )


def test_screen_defer_until_boundary_from_query_day(physician_client: Client) -> None:
    intake = {**ADULT, "medications": [{"name": "Claravis", "last_dose": "2026-01-31"}]}
    before = _post(physician_client, "/api/screen?on=2027-01-30", intake).json()
    on_day = _post(physician_client, "/api/screen?on=2027-01-31", intake).json()
    assert (before["decision"], before["until"]) == ("defer", "2027-01-31")
    assert on_day["decision"] == "treat"


def test_screen_accepts_a_fhir_bundle(physician_client: Client) -> None:
    bundle = json.loads((FIXTURES / "searchset_ehr.json").read_text())
    response = _post(physician_client, "/api/screen?on=2025-03-15", bundle)
    assert response.status_code == 200
    assert response.json()["decision"] in {
        "do_not_treat",
        "refer",
        "defer",
        "treat_with_precautions",
        "treat",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"birth_date": "not a date"}, "body.birth_date"),
        ({"birth_date": "2999-01-01"}, "body.birth_date"),
        ({**ADULT, "sex": "robot"}, "body.sex"),
        ({**ADULT, "medications": [{"name": 5}]}, "body.medications[0].name"),
        ({"resourceType": "Bundle", "type": "collection", "entry": []}, "body"),
        (
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": {"resourceType": "Spaceship"}}],
            },
            "body.entry[0]",
        ),
    ],
    ids=["bad-date", "future-birth", "bad-enum", "wrong-type", "empty-bundle", "unknown-resource"],
)
def test_invalid_intakes_are_422_naming_the_field(
    physician_client: Client, body: Any, field: str
) -> None:
    response = _post(physician_client, "/api/screen", body)
    assert response.status_code == 422, response.content
    payload = response.json()
    assert set(payload) == {"detail", "errors"}
    assert any(error["field"].startswith(field) for error in payload["errors"]), payload


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', ""])
def test_malformed_bodies_are_4xx(physician_client: Client, raw: str) -> None:
    response = _post(physician_client, "/api/screen", raw)
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"detail", "errors"}


def test_unknown_profile_and_day_before_birth(physician_client: Client) -> None:
    response = _post(physician_client, "/api/screen?profile=mars", ADULT)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.profile"
    response = _post(physician_client, "/api/screen?on=1980-01-01", ADULT)
    assert response.json()["errors"] == [
        {"field": "query.on", "message": "1980-01-01 is before the patient's birth date"}
    ]


def test_clinic_profile_applies_unless_overridden(physician_client: Client, clinic: Any) -> None:
    clinic.protocol_profile = "six-month-isotretinoin"
    clinic.save()
    intake = {**ADULT, "medications": [{"name": "Accutane", "last_dose": "2026-06-01"}]}
    assert (
        _post(physician_client, "/api/screen?on=2026-12-01", intake).json()["decision"] == "treat"
    )
    overridden = _post(physician_client, "/api/screen?on=2026-12-01&profile=default", intake).json()
    assert overridden["decision"] == "defer"
    assert overridden["profile"] == "default"


def test_plan_proposes_a_series(physician_client: Client) -> None:
    response = _post(physician_client, "/api/plan?on=2026-12-01", ADULT)
    assert response.status_code == 200
    plan = response.json()
    assert plan["protocol_version"] == protocol_version()
    assert plan["series"], plan


def test_an_implausible_goal_is_422_with_the_reason(physician_client: Client) -> None:
    striae_on_face = {**ADULT, "goals": [{"indication": "striae", "areas": ["face"]}]}
    response = _post(physician_client, "/api/plan?on=2026-12-01", striae_on_face)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "body.goals"
    assert "cannot be planned on the forehead" in error["message"]


def test_plan_uses_the_clinic_price_list(physician_client: Client, clinic: Any) -> None:
    from cit.clinic.plans.models import ClinicPriceList

    ClinicPriceList.objects.create(
        clinic=clinic, currency="GBP", prices={"per_session": {"face": [200, 300]}}
    )
    plan = _post(physician_client, "/api/plan?on=2026-12-01", ADULT).json()
    assert plan["currency"] == "GBP"
    assert plan["price_total"] == [6 * 200, 6 * 300]


def test_plan_for_a_patient_who_may_not_be_treated_is_409_with_the_screening(
    physician_client: Client,
) -> None:
    response = _post(physician_client, "/api/plan", {**ADULT, "history": {"keloids": True}})
    assert response.status_code == 409
    body = response.json()
    assert body["screening"]["decision"] == "do_not_treat"
    assert body["screening"]["findings"][0]["rule"] == "keloid"


def test_only_clinicians_get_decision_support(clinic: Any, make_user: Any) -> None:
    for role, allowed in [
        ("esthetician", True),
        ("front_desk", False),
        ("clinic_admin", False),
        ("patient", False),
    ]:
        client = Client()
        client.force_login(make_user(role, clinic))
        status = _post(client, "/api/screen", ADULT).status_code
        assert (status == 200) is allowed, (role, status)
    assert _post(Client(), "/api/screen", ADULT).status_code == 401


def test_openapi_documents_the_intake_body_and_errors(physician_client: Client) -> None:
    schema = physician_client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/screen"]["post"]
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "birth_date" in body_schema["oneOf"][0]["properties"]
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
    assert "409" in schema["paths"]["/api/plan"]["post"]["responses"]
