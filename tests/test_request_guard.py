"""Hostile input is refused with a 4xx before any view, and nothing patient-related is cached
(issue 12: NUL bytes, bodies without a boundary, oversized bodies, Cache-Control)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cit.clinic.patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(clinic: Any, make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("front_desk", clinic))
    return client


def test_a_nul_byte_in_a_search_is_400(desk_client: Client) -> None:
    assert desk_client.get("/patients/", {"q": "Ada\x00"}).status_code == 400
    assert desk_client.get("/api/patients", {"q": "Ada\x00"}).status_code == 400


def test_a_nul_byte_in_a_json_field_is_400_and_stores_nothing(desk_client: Client) -> None:
    body = {"given_name": "Ada\u0000", "family_name": "L", "birth_date": "1990-01-01"}
    response = desk_client.post("/api/patients", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}
    assert not Patient.objects.exists()


def test_a_nul_byte_in_a_form_field_is_400(desk_client: Client) -> None:
    response = desk_client.post("/patients/new/", {"given_name": "A\x00da", "family_name": "L"})
    assert response.status_code == 400
    assert not Patient.objects.exists()


def test_tab_and_newline_are_fine_in_text(desk_client: Client) -> None:
    # Only NUL and the other control characters are refused; a pasted address keeps its lines.
    assert desk_client.get("/patients/", {"q": "Ada\tLovelace"}).status_code == 200


def test_a_multipart_body_without_a_boundary_is_400_not_500(desk_client: Client) -> None:
    response = desk_client.generic(
        "POST", "/patients/new/", b"given_name=x", content_type="multipart/form-data"
    )
    assert response.status_code == 400


def test_an_oversized_body_is_413(desk_client: Client, settings: Any) -> None:
    settings.MAX_REQUEST_BYTES = 1024
    response = desk_client.post("/api/patients", "x" * 2048, content_type="application/json")
    assert response.status_code == 413


def test_a_body_over_the_form_memory_limit_is_413(desk_client: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"given_name": "A" * 4096})
    response = desk_client.post("/api/patients", body, content_type="application/json")
    assert response.status_code == 413


def test_pages_and_the_api_are_never_cached(
    desk_client: Client, clinic: Any, make_patient: Any
) -> None:
    patient = make_patient(clinic)
    for path in (f"/patients/{patient.pk}/", "/api/patients", "/accounts/login/"):
        assert "no-store" in desk_client.get(path)["Cache-Control"], path
