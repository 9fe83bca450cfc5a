"""The front desk's pages: propose → book, move with cascade preview → confirm, cancel,
calendars per provider and per room, absences; refusals answer 409/422 with the reason."""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from cit.clinic.appointments.models import Appointment, ProviderAbsence, SeriesBooking

pytestmark = pytest.mark.django_db
WEEK = datetime.timedelta(days=7)


@pytest.fixture
def desk_client(desk: Any) -> Client:
    client = Client()
    client.force_login(desk)
    return client


@pytest.fixture
def plan(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any) -> Any:
    return make_plan(make_patient(booking_clinic))


def _tokens(page: str) -> list[str]:
    return re.findall(r'name="token" value="([^"]+)"', page)


def test_propose_then_book_from_the_page(desk_client: Client, plan: Any) -> None:
    patient = plan.patient
    overview = desk_client.get(f"/patients/{patient.pk}/bookings/")
    assert overview.status_code == 200
    url = f"/patients/{patient.pk}/bookings/plan/{plan.pk}/series/0/"
    assert url in overview.content.decode()
    page = desk_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Best proposal" in html
    assert "Alternative 1" in html
    response = desk_client.post("/appointments/book/", {"token": _tokens(html)[1], "back": url})
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.pk}/bookings/"
    assert Appointment.objects.filter(patient=patient).count() == 4
    # The page now shows the sessions, not the proposals.
    assert "already booked" in desk_client.get(url).content.decode()
    conflict = desk_client.post("/appointments/book/", {"token": _tokens(html)[0], "back": url})
    assert conflict.status_code == 409
    assert "already booked" in conflict.content.decode()


def test_each_proposed_session_is_listed_with_its_time_provider_and_room(
    desk_client: Client, plan: Any
) -> None:
    """The rows of the best proposal are the sessions booked from it, in the clinic's time."""
    url = f"/patients/{plan.patient.pk}/bookings/plan/{plan.pk}/series/0/"
    html = desk_client.get(url).content.decode()
    best = html[html.index('data-testid="proposal-1"') : html.index('data-testid="proposal-2"')]
    desk_client.post("/appointments/book/", {"token": _tokens(html)[0], "back": url})
    booked = Appointment.objects.filter(patient=plan.patient).select_related(
        "provider__user", "room"
    )
    zone = ZoneInfo(plan.patient.clinic.timezone)
    assert len(booked) == 4
    for appointment in booked:
        start, end = appointment.start.astimezone(zone), appointment.end.astimezone(zone)
        when = f"{start:%a} {start.day} {start:%b %Y %H:%M}–{end:%H:%M}"
        row = (
            f"<tr><td>{appointment.number}</td><td>{when}</td>"
            f"<td>{appointment.provider.user.get_full_name()}</td>"
            f"<td>{appointment.room.name}</td></tr>"
        )
        assert row in best


def test_preferences_steer_the_proposal(desk_client: Client, plan: Any) -> None:
    url = f"/patients/{plan.patient.pk}/bookings/plan/{plan.pk}/series/0/"
    page = desk_client.get(url, {"time_of_day": "afternoon", "weekdays": ["2"]})
    assert page.status_code == 200
    best = page.context["proposals"][0]
    assert all(s["start"].hour >= 12 for s in best["sessions"])
    assert all(s["start"].weekday() == 2 for s in best["sessions"])


def test_move_preview_then_confirm(desk_client: Client, plan: Any, book: Any) -> None:
    series = book(plan)
    second = Appointment.objects.get(series=series, number=2)
    local = second.local_start() + WEEK
    form = {"new_date": local.date().isoformat(), "new_time": local.strftime("%H:%M")}
    preview = desk_client.post(f"/appointments/{second.pk}/move/", {**form, "preview": "1"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'data-testid="cascade-3"' in html
    assert "Confirm the move" in html
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', html)
    assert fingerprint is not None
    confirm = desk_client.post(
        f"/appointments/{second.pk}/move/",
        {**form, "confirm": "1", "fingerprint": fingerprint.group(1)},
    )
    assert confirm.status_code == 302
    second.refresh_from_db()
    assert second.local_start() == local


def test_impossible_move_shows_the_reason(desk_client: Client, plan: Any, book: Any) -> None:
    series = book(plan)
    second = Appointment.objects.get(series=series, number=2)
    local = second.local_start() + 5 * WEEK
    form = {"new_date": local.date().isoformat(), "new_time": local.strftime("%H:%M")}
    response = desk_client.post(f"/appointments/{second.pk}/move/", {**form, "preview": "1"})
    assert response.status_code == 422
    assert "window" in response.content.decode()


def test_cancel_page(desk_client: Client, plan: Any, book: Any) -> None:
    series = book(plan)
    second = Appointment.objects.get(series=series, number=2)
    page = desk_client.get(f"/appointments/{second.pk}/cancel/")
    assert page.status_code == 200
    assert 'data-testid="gap-warning"' in page.content.decode()
    response = desk_client.post(f"/appointments/{second.pk}/cancel/", {"reason": "ill"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "cancelled"
    again = desk_client.post(f"/appointments/{second.pk}/cancel/", {"reason": "ill"})
    assert again.status_code == 422


def test_calendar_per_provider_and_per_room(
    desk_client: Client, plan: Any, book: Any, nurse: Any
) -> None:
    series = book(plan)
    first = Appointment.objects.get(series=series, number=1)
    day = first.local_start().date().isoformat()
    by_provider = desk_client.get(
        "/calendar/", {"provider": first.provider_id, "date": day, "view": "week"}
    )
    assert by_provider.status_code == 200
    assert f'data-testid="slot-{first.pk}"' in by_provider.content.decode()
    by_room = desk_client.get("/calendar/", {"room": first.room_id, "date": day, "view": "day"})
    assert f'data-testid="slot-{first.pk}"' in by_room.content.decode()
    columns = by_room.context["columns"]
    spans = [c["span"] for col in columns for c in col.cells.values() if c["kind"] == "visit"]
    assert spans == [18]  # a 90-minute visit fills exactly eighteen five-minute rows
    other_day = desk_client.get(
        "/calendar/", {"room": first.room_id, "date": "2030-01-01", "view": "day"}
    )
    assert f'data-testid="slot-{first.pk}"' not in other_day.content.decode()


def test_absence_page_re_plans(desk_client: Client, plan: Any, book: Any) -> None:
    series = book(plan)
    second = Appointment.objects.get(series=series, number=2)
    local = second.local_start()
    response = desk_client.post(
        "/calendar/absences/",
        {
            "provider": second.provider_id,
            "starts": local.replace(hour=0, minute=0).strftime("%Y-%m-%dT%H:%M"),
            "ends": local.replace(hour=23, minute=0).strftime("%Y-%m-%dT%H:%M"),
            "reason": "training",
        },
    )
    assert response.status_code == 302
    absence = ProviderAbsence.objects.get()
    assert absence.replan_status == "done"
    assert SeriesBooking.objects.get().appointments.filter(status="booked").count() == 4
