"""The check-in / no-show buttons: POST only, the desk's own clinic, bad input a 4xx with the
reason, a no-show leading to the re-plan page, statuses shown in words."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cit.clinic.appointments.models import Appointment
from cit.clinic.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(desk: Any) -> Client:
    client = Client()
    client.force_login(desk)
    return client


@pytest.fixture
def series(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    return book(make_plan(make_patient(booking_clinic)))


def _now_visit(series: Any, minutes_ago: int) -> Appointment:
    visit = Appointment.objects.get(series=series, number=1)
    start = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    Appointment.objects.filter(pk=visit.pk).update(
        start=start, end=start + datetime.timedelta(minutes=90)
    )
    visit.refresh_from_db()
    return visit


def test_check_in_from_the_bookings_page(desk_client: Client, series: Any) -> None:
    visit = _now_visit(series, 5)
    page = desk_client.get(f"/patients/{series.patient_id}/bookings/").content.decode()
    assert f'data-testid="check-in-{visit.pk}"' in page
    response = desk_client.post(
        f"/appointments/{visit.pk}/status/", {"event": "check_in", "next": "/calendar/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/calendar/"
    visit.refresh_from_db()
    assert visit.status == "arrived"
    page = desk_client.get(f"/patients/{series.patient_id}/bookings/").content.decode()
    assert "Checked in" in page
    assert "arrived" not in page.replace("status-arrived", "")


def test_no_show_leads_to_the_replan_page(desk_client: Client, series: Any) -> None:
    visit = _now_visit(series, 30)
    response = desk_client.post(f"/appointments/{visit.pk}/status/", {"event": "no_show"})
    assert response.status_code == 302
    assert response["Location"] == f"/appointments/{visit.pk}/no-show/replan/"
    page = desk_client.get(response["Location"])
    assert page.status_code == 200
    assert b"Make-up session" in page.content or b"Nothing fits" in page.content


@pytest.mark.parametrize("event", ["", "completed", "<script>", "check_in" * 50])
def test_bad_events_are_refused(desk_client: Client, series: Any, event: str) -> None:
    visit = Appointment.objects.get(series=series, number=1)
    response = desk_client.post(f"/appointments/{visit.pk}/status/", {"event": event})
    assert response.status_code == 422
    visit.refresh_from_db()
    assert visit.status == "booked"


def test_refused_change_explains(desk_client: Client, series: Any) -> None:
    visit = Appointment.objects.get(series=series, number=2)  # weeks away
    response = desk_client.post(f"/appointments/{visit.pk}/status/", {"event": "check_in"})
    assert response.status_code == 422
    assert b"on the day of the visit" in response.content


def test_offsite_next_is_ignored(desk_client: Client, series: Any) -> None:
    visit = _now_visit(series, 5)
    response = desk_client.post(
        f"/appointments/{visit.pk}/status/", {"event": "check_in", "next": "//evil.example/"}
    )
    assert response["Location"] == f"/patients/{series.patient_id}/bookings/"


def test_get_and_other_clinics_are_refused(
    series: Any, other_clinic: Any, make_user: Any, desk_client: Client
) -> None:
    visit = Appointment.objects.get(series=series, number=1)
    assert desk_client.get(f"/appointments/{visit.pk}/status/").status_code == 405
    stranger = Client()
    stranger.force_login(make_user("front_desk", other_clinic))
    response = stranger.post(f"/appointments/{visit.pk}/status/", {"event": "check_in"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="denied", patient=visit.patient).exists()
    assert desk_client.post("/appointments/999999/status/", {"event": "x"}).status_code == 404
