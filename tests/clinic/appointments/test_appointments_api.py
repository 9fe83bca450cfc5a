"""The JSON API: propose → book (201, or 409 naming the taken resource), move preview and
confirm (409 on a stale preview), cancel, calendar, .ics, absences; errors in one shape."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from icalendar import Calendar

from cit.clinic.appointments.models import Appointment

pytestmark = pytest.mark.django_db
WEEK = datetime.timedelta(days=7)


@pytest.fixture
def api(desk: Any) -> Client:
    client = Client()
    client.force_login(desk)
    return client


@pytest.fixture
def plan(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any) -> Any:
    return make_plan(make_patient(booking_clinic))


def _proposals(api: Client, plan: Any, **query: Any) -> dict[str, Any]:
    response = api.get(f"/api/patients/{plan.patient.pk}/plans/{plan.pk}/series/0/proposals", query)
    assert response.status_code == 200, response.content
    data: dict[str, Any] = response.json()
    return data


def _book(api: Client, token: str) -> Any:
    return api.post("/api/bookings", {"token": token}, content_type="application/json")


def test_propose_and_book(api: Client, plan: Any) -> None:
    data = _proposals(api, plan, time_window="12:00-17:00")
    assert data["failure"] is None
    assert len(data["proposals"]) >= 2
    best = data["proposals"][0]
    assert len(best["sessions"]) == 4
    assert isinstance(best["explanation"], list)
    booked = _book(api, best["token"])
    assert booked.status_code == 201
    body = booked.json()
    assert [a["number"] for a in body["appointments"]] == [1, 2, 3, 4]
    assert body["appointments"][0]["timezone"] == "Europe/London"
    again = _book(api, data["proposals"][1]["token"])
    assert again.status_code == 409
    assert "already booked" in again.json()["detail"]


def test_conflict_names_the_resource(
    api: Client, plan: Any, make_patient: Any, make_plan: Any, booking_clinic: Any
) -> None:
    other = make_plan(make_patient(booking_clinic, given_name="Grace"))
    mine = _proposals(api, plan)["proposals"][0]
    theirs = _proposals(api, other)["proposals"][0]
    assert [s["start"] for s in mine["sessions"]] == [s["start"] for s in theirs["sessions"]]
    assert _book(api, mine["token"]).status_code == 201
    clash = _book(api, theirs["token"])
    assert clash.status_code == 409
    detail = clash.json()["detail"]
    assert "already booked" in detail
    assert "Europe/London" in detail
    assert Appointment.objects.filter(patient=other.patient).count() == 0


def test_move_preview_confirm_and_stale_preview(api: Client, plan: Any) -> None:
    booked = _book(api, _proposals(api, plan)["proposals"][0]["token"]).json()
    second = booked["appointments"][1]
    new_start = (datetime.datetime.fromisoformat(second["start"]) + WEEK).isoformat()
    url = f"/api/appointments/{second['id']}/move"
    preview = api.post(f"{url}/preview", {"new_start": new_start}, content_type="application/json")
    assert preview.status_code == 200
    cascade = preview.json()
    assert cascade["rejected"] is None
    assert len(cascade["moves"]) >= 2
    stale = api.post(
        url, {"new_start": new_start, "fingerprint": "nope"}, content_type="application/json"
    )
    assert stale.status_code == 409
    done = api.post(
        url,
        {"new_start": new_start, "fingerprint": cascade["fingerprint"]},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert {m["appointment_id"] for m in done.json()["moves"]} == {
        m["appointment_id"] for m in cascade["moves"]
    }
    too_far = (datetime.datetime.fromisoformat(second["start"]) + 6 * WEEK).isoformat()
    refused = api.post(url, {"new_start": too_far}, content_type="application/json")
    assert refused.status_code == 422
    assert "window" in refused.json()["detail"]


def test_cancel_calendar_and_ics(api: Client, plan: Any) -> None:
    booked = _book(api, _proposals(api, plan)["proposals"][0]["token"]).json()
    first, second = booked["appointments"][:2]
    cancelled = api.post(
        f"/api/appointments/{second['id']}/cancel",
        {"reason": "ill"},
        content_type="application/json",
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    start = datetime.datetime.fromisoformat(first["start"])
    listing = api.get(
        "/api/calendar",
        {
            "start": (start - WEEK).isoformat(),
            "end": (start + 2 * WEEK).isoformat(),
            "provider_id": first["provider_id"],
        },
    )
    assert listing.status_code == 200
    assert [a["id"] for a in listing.json()] == [first["id"]]
    too_long = api.get(
        "/api/calendar",
        {"start": start.isoformat(), "end": (start + 40 * datetime.timedelta(days=1)).isoformat()},
    )
    assert too_long.status_code == 422
    ics = api.get(f"/api/patients/{plan.patient.pk}/appointments.ics")
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    statuses = [str(e["STATUS"]) for e in Calendar.from_ical(ics.content).walk("VEVENT")]
    assert statuses.count("CANCELLED") == 1
    assert statuses.count("CONFIRMED") == 3


def test_absence_re_plans(api: Client, plan: Any) -> None:
    booked = _book(api, _proposals(api, plan)["proposals"][0]["token"]).json()
    second = booked["appointments"][1]
    start = datetime.datetime.fromisoformat(second["start"])
    response = api.post(
        "/api/absences",
        {
            "provider_id": second["provider_id"],
            "start": (start - datetime.timedelta(hours=2)).isoformat(),
            "end": (start + datetime.timedelta(hours=8)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["replan_status"] == "done"


def test_openapi_declares_the_conflict(api: Client) -> None:
    schema = api.get("/api/openapi.json").json()
    assert "409" in schema["paths"]["/api/bookings"]["post"]["responses"]
    assert "409" in schema["paths"]["/api/appointments/{appointment_id}/move"]["post"]["responses"]
