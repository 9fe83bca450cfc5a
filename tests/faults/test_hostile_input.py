"""Dates at the ends of the calendar, huge offsets, negative indexes and oversized fields:
every one is a 4xx with the reason (the structured body on the API, the form with its field
error on pages), none is a 500, and nothing absurd is stored. Each case was a 500 or a stored
absurdity before (issue 12)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from cit.clinic.appointments.models import Appointment, ProviderAbsence
from cit.clinic.intake.models import ScreeningRecord
from cit.clinic.patients.models import Patient

pytestmark = pytest.mark.django_db

ENDS = ["0001-01-01", "9999-12-31"]


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _json(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


def _structured(response: Any, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"]
    return body


@pytest.fixture
def series(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    return book(make_plan(make_patient(booking_clinic)))


@pytest.mark.parametrize("day", ENDS)
def test_proposals_from_the_ends_of_the_calendar(
    booking_clinic: Any, desk: Any, make_patient: Any, make_plan: Any, day: str
) -> None:
    plan = make_plan(make_patient(booking_clinic))
    client = _as(desk)
    api = f"/api/patients/{plan.patient_id}/plans/{plan.pk}/series/0/proposals"
    errors = _structured(client.get(api, {"earliest_start": day}))["errors"]
    assert errors[0]["field"] == "query.earliest_start"
    page = client.get(
        f"/patients/{plan.patient_id}/bookings/plan/{plan.pk}/series/0/", {"earliest_start": day}
    )
    assert page.status_code == 422
    assert "Enter a date" in page.content.decode()


def test_a_negative_or_huge_series_index_is_refused(
    booking_clinic: Any, desk: Any, make_patient: Any, make_plan: Any
) -> None:
    plan = make_plan(make_patient(booking_clinic))
    client = _as(desk)
    for index in (-1, 2**70):
        path = f"/api/patients/{plan.patient_id}/plans/{plan.pk}/series/{index}/proposals"
        assert _structured(client.get(path))["errors"][0]["field"] == "path.series_index"
    # Within the bound but past the plan's series: 404 in the same shape.
    path = f"/api/patients/{plan.patient_id}/plans/{plan.pk}/series/7/proposals"
    _structured(client.get(path), 404)


@pytest.mark.parametrize("day", ENDS)
def test_moving_to_the_ends_of_the_calendar(series: Any, desk: Any, day: str) -> None:
    first = Appointment.objects.filter(series=series).order_by("number").first()
    assert first is not None
    before = first.start
    client = _as(desk)
    for path in (
        f"/api/appointments/{first.pk}/move/preview",
        f"/api/appointments/{first.pk}/move",
    ):
        errors = _structured(_json(client, "post", path, {"new_start": f"{day}T10:00:00"}))
        assert errors["errors"][0]["field"] == "body.new_start"
    page = client.post(
        f"/appointments/{first.pk}/move/", {"new_date": day, "new_time": "10:00", "confirm": "1"}
    )
    assert page.status_code == 422
    assert "Enter a date" in page.content.decode()
    first.refresh_from_db()
    assert first.start == before


def test_the_calendar_far_out_is_a_400_not_a_500(booking_clinic: Any, desk: Any) -> None:
    client = _as(desk)
    for day in ENDS + ["not-a-date"]:
        response = client.get("/calendar/", {"date": day})
        assert response.status_code == 400
        assert "date:" in response.content.decode()
    assert client.get("/calendar/", {"date": booking_clinic.today().isoformat()}).status_code == 200
    api = client.get("/api/calendar", {"start": "9999-12-30T00:00", "end": "9999-12-31T00:00"})
    _structured(api)


def test_the_plan_page_far_out(series: Any, nurse: Any) -> None:
    client = _as(nurse)
    response = client.get(f"/patients/{series.patient_id}/plan/", {"start": "9999-12-31"})
    assert response.status_code == 400
    assert "years ahead" in response.content.decode()


def test_decision_support_on_a_day_far_out(booking_clinic: Any, nurse: Any) -> None:
    client = _as(nurse)
    intake = {
        "birth_date": "1985-06-01",
        "goals": [{"indication": "acne_scars", "areas": ["cheeks"]}],
    }
    for path in ("/api/plan", "/api/screen"):
        response = client.post(
            f"{path}?on=9999-12-31", json.dumps(intake), content_type="application/json"
        )
        assert _structured(response)["errors"][0]["field"] == "query.on"


def test_an_absence_across_all_time_is_refused_and_not_stored(
    booking_clinic: Any, desk: Any, nurse: Any
) -> None:
    client = _as(desk)
    provider_id = nurse.provider.pk
    page = client.post(
        "/calendar/absences/",
        {"provider": provider_id, "starts": "0001-01-01T00:00", "ends": "9999-12-31T23:59"},
    )
    assert page.status_code == 422
    assert "Enter a date" in page.content.decode()
    api = _json(
        client,
        "post",
        "/api/absences",
        {"provider_id": provider_id, "start": "0001-01-01T00:00", "end": "9999-12-31T23:59"},
    )
    fields = {e["field"] for e in _structured(api)["errors"]}
    assert fields == {"body.start", "body.end"}
    assert not ProviderAbsence.objects.exists()


def test_a_huge_limit_or_a_damaged_cursor_is_a_422(booking_clinic: Any, desk: Any) -> None:
    client = _as(desk)
    for limit in (2**70, -1, 201):
        response = client.get("/api/patients", {"limit": limit})
        assert _structured(response)["errors"][0]["field"] == "query.limit"
    for cursor in ("x" * 501, "not a cursor", "W10"):
        response = client.get("/api/patients", {"cursor": cursor})
        assert _structured(response)["errors"][0]["field"] == "query.cursor"
    assert client.get("/api/patients", {"limit": 200}).status_code == 200


def test_a_megabyte_address_is_refused_and_not_stored(
    booking_clinic: Any, desk: Any, make_patient: Any
) -> None:
    client = _as(desk)
    huge = "x" * 1_000_000
    body = {
        "given_name": "A",
        "family_name": "B",
        "birth_date": "1980-01-01",
        "sex": "female",
        "address": huge,
    }
    response = _json(client, "post", "/api/patients", body)
    assert _structured(response)["errors"][0]["field"] == "body.address"
    patient = make_patient(booking_clinic)
    patch = _json(client, "patch", f"/api/patients/{patient.pk}", {"address": huge})
    _structured(patch)
    page = client.post(
        f"/patients/{patient.pk}/edit/",
        {
            "given_name": "A",
            "family_name": "B",
            "birth_date": "1980-01-01",
            "sex": "female",
            "address": "y" * 501,
        },
    )
    assert page.status_code in (400, 422)
    assert "at most 500 characters" in page.content.decode()
    assert not Patient.objects.filter(address__startswith="xx").exists()
    assert not Patient.objects.filter(address__startswith="yy").exists()


def test_birth_dates_in_the_future_or_before_1900(booking_clinic: Any, desk: Any) -> None:
    client = _as(desk)
    tomorrow = booking_clinic.today() + datetime.timedelta(days=1)
    for day in (tomorrow.isoformat(), "1899-12-31", "0001-01-01"):
        body = {"given_name": "A", "family_name": "B", "birth_date": day, "sex": "female"}
        response = _json(client, "post", "/api/patients", body)
        assert _structured(response)["errors"][0]["field"] == "body.birth_date"
    assert not Patient.objects.exists()


def test_a_rescreen_far_out_is_refused_and_not_stored(series: Any, nurse: Any) -> None:
    client = _as(nurse)
    before = ScreeningRecord.objects.filter(patient_id=series.patient_id).count()
    response = client.post(
        f"/patients/{series.patient_id}/screening/rescreen/", {"on": "9999-12-31"}
    )
    assert response.status_code == 422
    assert "years ahead" in response.content.decode()
    assert ScreeningRecord.objects.filter(patient_id=series.patient_id).count() == before


def test_a_json_body_nested_deep_is_a_400(booking_clinic: Any, nurse: Any) -> None:
    client = _as(nurse)
    for depth in (65, 100_000):
        body = "[" * depth + "]" * depth
        response = client.post("/api/screen", body, content_type="application/json")
        _structured(response, 400)
