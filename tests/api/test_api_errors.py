"""The JSON API answers bad input with structured 4xx errors and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cit.clinic.patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(clinic: Any, make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("front_desk", clinic))
    return client


def _post(client: Client, path: str, body: str) -> Any:
    return client.post(path, body, content_type="application/json")


def _assert_error_shape(payload: dict[str, Any]) -> None:
    assert set(payload) == {"detail", "errors"}
    assert isinstance(payload["detail"], str)
    assert payload["detail"]
    for error in payload["errors"]:
        assert set(error) == {"field", "message"}


def test_malformed_json_is_a_4xx_with_structure(api: Client) -> None:
    response = _post(api, "/api/patients", "{not json")
    assert 400 <= response.status_code < 500
    _assert_error_shape(response.json())
    assert not Patient.objects.exists()


def test_wrong_types_name_each_field(api: Client) -> None:
    response = _post(
        api,
        "/api/patients",
        json.dumps(
            {
                "given_name": 5,
                "family_name": "",
                "birth_date": "yesterday",
                "sex": "robot",
                "fitzpatrick_type": 9,
            }
        ),
    )
    assert response.status_code == 422
    payload = response.json()
    _assert_error_shape(payload)
    fields = {error["field"] for error in payload["errors"]}
    assert {
        "body.given_name",
        "body.family_name",
        "body.birth_date",
        "body.sex",
        "body.fitzpatrick_type",
    } <= fields
    assert not Patient.objects.exists()


def test_model_rule_failure_is_422_with_field(api: Client) -> None:
    response = _post(
        api,
        "/api/patients",
        json.dumps(
            {
                "given_name": "A",
                "family_name": "B",
                "birth_date": "1980-01-01",
                "sex": "male",
                "email": "not-an-address",
            }
        ),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "email", "message": "Enter a valid email address."}
    ]
    assert not Patient.objects.exists()


def test_a_birth_date_in_the_future_is_422_with_field(api: Client) -> None:
    response = _post(
        api,
        "/api/patients",
        json.dumps(
            {"given_name": "A", "family_name": "B", "birth_date": "2999-01-01", "sex": "male"}
        ),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.birth_date", "message": "Enter a date that is not in the future."}
    ]
    assert not Patient.objects.exists()


def test_patch_with_null_required_field_is_refused(
    api: Client, clinic: Any, make_patient: Any
) -> None:
    patient = make_patient(clinic)
    response = api.patch(
        f"/api/patients/{patient.pk}",
        json.dumps({"family_name": None, "phone": "1"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    patient.refresh_from_db()
    assert (patient.family_name, patient.phone) == ("Lovelace", "")


def test_unknown_patient_is_404_json(api: Client) -> None:
    response = api.get("/api/patients/424242")
    assert response.status_code == 404
    _assert_error_shape(response.json())


def test_unknown_api_path_is_404_json(api: Client) -> None:
    response = api.get("/api/no-such-thing")
    assert response.status_code == 404
    _assert_error_shape(response.json())


def test_bad_query_parameter_is_422(api: Client) -> None:
    response = api.get("/api/patients?limit=0")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.limit"


def test_openapi_declares_error_responses(api: Client) -> None:
    schema = api.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/patients"]["post"]
    assert {"201", "401", "403", "422"} <= set(operation["responses"])


def test_list_search_and_paging(api: Client, clinic: Any, make_patient: Any) -> None:
    for name in ("Alpha", "Beta", "Gamma"):
        make_patient(clinic, family_name=name)
    page = api.get("/api/patients?q=beta").json()
    assert [p["family_name"] for p in page["items"]] == ["Beta"]
    assert page["next"] is None
    first = api.get("/api/patients?limit=2").json()
    assert [p["family_name"] for p in first["items"]] == ["Alpha", "Beta"]
    # The next link keeps the other parameters and carries the cursor.
    assert first["next"].startswith("http://testserver/api/patients?limit=2&cursor=")
    last = api.get(first["next"].removeprefix("http://testserver")).json()
    assert [p["family_name"] for p in last["items"]] == ["Gamma"]
    assert last["next"] is None
