"""The consultation and maintenance pages: the desk books a consultation from a clicked free
block or the record; the clinician (not the desk) marks it done; the desk's maintenance list
and booking; another clinic's patients and the portal get nothing."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client

from cit.clinic.appointments.models import Appointment, SeriesBooking
from tests.clinic.appointments.clinic_day_support import move_clinic_to_morning
from tests.clinic.appointments.maintenance_support import finish_series

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _tokens(html: str) -> list[str]:
    return re.findall(r'name="token" value="([^"]+)"', html)


@pytest.fixture
def newcomer(booking_clinic: Any, make_patient: Any) -> Any:
    return make_patient(booking_clinic, given_name="Nina", family_name="Newcomer")


def _slot(clinic: Any, provider: Any, days: int = 7, hour: int = 10) -> dict[str, str]:
    day = clinic.today() + datetime.timedelta(days=days)
    return {"provider": str(provider.pk), "start": f"{day.isoformat()}T{hour:02d}:00"}


def test_the_free_block_offers_a_consultation_for_a_patient_without_plan(
    booking_clinic: Any, desk: Any, nurse: Any, newcomer: Any
) -> None:
    client = _client(desk)
    slot = _slot(booking_clinic, nurse.provider)
    found = client.get("/calendar/book/", {**slot, "q": "Newcomer"})
    assert found.status_code == 200
    html = found.content.decode()
    assert f'data-testid="slot-consultation-{newcomer.pk}"' in html
    page = client.get(f"/patients/{newcomer.pk}/consultation/", slot)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Book this consultation" in body
    booked = client.post("/appointments/book/", {"token": _tokens(body)[0]})
    assert booked.status_code == 302
    series = SeriesBooking.objects.get(patient=newcomer)
    assert series.kind == "consultation"
    visit = Appointment.objects.get(series=series)
    assert visit.local_start().strftime("%Y-%m-%dT%H:%M") == slot["start"]
    record = client.get(f"/patients/{newcomer.pk}/bookings/").content.decode()
    assert 'data-testid="other-visits"' in record
    assert "Consultation" in record


def test_from_the_record_the_next_free_times(
    booking_clinic: Any, desk: Any, nurse: Any, newcomer: Any
) -> None:
    page = _client(desk).get(f"/patients/{newcomer.pk}/consultation/")
    assert page.status_code == 200
    assert len(_tokens(page.content.decode())) >= 1


@pytest.mark.parametrize(
    "params",
    [
        {"provider": "x", "start": "2030-01-01T10:00"},
        {"provider": "1", "start": "yesterday"},
        {"provider": "999999", "start": "2030-01-01T10:00"},
        {"from": "not-a-day"},
    ],
)
def test_bad_input_is_a_4xx(desk: Any, nurse: Any, newcomer: Any, params: dict[str, str]) -> None:
    response = _client(desk).get(f"/patients/{newcomer.pk}/consultation/", params)
    assert 400 <= response.status_code < 500
    assert not SeriesBooking.objects.exists()


def test_other_clinics_and_the_portal_are_refused(
    booking_clinic: Any,
    other_clinic: Any,
    make_user: Any,
    make_patient: Any,
    nurse: Any,
    newcomer: Any,
) -> None:
    foreign_desk = make_user("front_desk", other_clinic)
    assert _client(foreign_desk).get(f"/patients/{newcomer.pk}/consultation/").status_code in (
        403,
        404,
    )
    portal = make_user("patient", booking_clinic)
    make_patient(booking_clinic, portal_user=portal, given_name="Pat", family_name="Portal")
    client = _client(portal)
    assert client.get(f"/patients/{newcomer.pk}/consultation/").status_code in (403, 404)
    assert client.get("/maintenance/").status_code == 403


def test_only_a_clinician_marks_a_consultation_done(
    booking_clinic: Any, desk: Any, nurse: Any, newcomer: Any
) -> None:
    move_clinic_to_morning(booking_clinic)
    now = datetime.datetime.now(booking_clinic.tzinfo)
    start = now.replace(second=0, microsecond=0) + datetime.timedelta(minutes=5)
    series = SeriesBooking.objects.create(
        clinic=booking_clinic,
        patient=newcomer,
        series_index=0,
        kind="consultation",
        request={},
    )
    visit = Appointment.objects.create(
        clinic=booking_clinic,
        patient=newcomer,
        series=series,
        number=1,
        provider=nurse.provider,
        room=booking_clinic.rooms.first(),
        start=start,
        end=start + datetime.timedelta(minutes=30),
    )
    url = f"/appointments/{visit.pk}/consultation-done/"
    assert _client(desk).post(url).status_code == 403
    visit.refresh_from_db()
    assert visit.status == "booked"
    home = _client(nurse).get("/").content.decode()
    assert f'data-testid="consultation-done-{visit.pk}"' in home
    assert _client(nurse).post(url, {"next": "/"}).status_code == 302
    visit.refresh_from_db()
    assert visit.status == "completed"


def test_the_maintenance_list_and_booking(
    booking_clinic: Any,
    other_clinic: Any,
    make_user: Any,
    desk: Any,
    nurse: Any,
    make_patient: Any,
    make_plan: Any,
    book: Any,
) -> None:
    patient = make_patient(booking_clinic, given_name="Mary", family_name="Shelley")
    series = book(make_plan(patient))
    last = datetime.date(2026, 3, 10)
    today = booking_clinic.today()
    # Window 10 July – 10 September 2026: overdue from 11 September on.
    finish_series(series, last)
    client = _client(desk)
    home = client.get("/").content.decode()
    assert 'href="/maintenance/"' in home
    assert "1 patient due now or overdue" in home
    page = client.get("/maintenance/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-testid="due-{patient.pk}-0"' in html
    assert "Fri 10 Jul 2026 – Thu 10 Sep 2026" in html
    expected = "Overdue" if today > datetime.date(2026, 9, 10) else "Due now"
    assert expected in html
    soon = client.get("/maintenance/", {"due": "soon"}).content.decode()
    assert f'data-testid="due-{patient.pk}-0"' not in soon, "due now or overdue, not soon"
    assert client.get("/maintenance/", {"page": "zzz", "due": "<bad>"}).status_code == 200
    foreign = _client(make_user("front_desk", other_clinic)).get("/maintenance/")
    assert f'data-testid="due-{patient.pk}-0"' not in foreign.content.decode()
    url = f"/patients/{patient.pk}/maintenance/plan/{series.plan.pk}/series/0/"
    assert url in html
    proposals = client.get(url)
    assert proposals.status_code == 200
    booked = client.post("/appointments/book/", {"token": _tokens(proposals.content.decode())[0]})
    assert booked.status_code == 302
    assert SeriesBooking.objects.filter(patient=patient, kind="maintenance").count() == 1
    assert f'data-testid="due-{patient.pk}-0"' not in client.get("/maintenance/").content.decode()
    assert client.get(url).status_code == 404


def test_maintenance_booking_of_another_clinic_or_by_a_patient_is_refused(
    booking_clinic: Any,
    other_clinic: Any,
    make_user: Any,
    nurse: Any,
    make_patient: Any,
    make_plan: Any,
    book: Any,
) -> None:
    patient = make_patient(booking_clinic, given_name="Mary", family_name="Shelley")
    series = book(make_plan(patient))
    finish_series(series, booking_clinic.today() - datetime.timedelta(days=150))
    url = f"/patients/{patient.pk}/maintenance/plan/{series.plan.pk}/series/0/"
    assert _client(make_user("front_desk", other_clinic)).get(url).status_code in (403, 404)
    portal = make_user("patient", booking_clinic)
    make_patient(booking_clinic, portal_user=portal, given_name="Pat", family_name="Portal")
    assert _client(portal).get(url).status_code in (403, 404)
    assert not SeriesBooking.objects.filter(kind="maintenance").exists()


def test_a_free_block_offers_the_maintenance_of_a_patient_due(
    booking_clinic: Any, desk: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    patient = make_patient(booking_clinic, given_name="Mary", family_name="Shelley")
    series = book(make_plan(patient))
    last = booking_clinic.today() - datetime.timedelta(days=150)
    finish_series(series, last)
    client = _client(desk)
    slot = _slot(booking_clinic, nurse.provider, days=10, hour=14)
    found = client.get("/calendar/book/", {**slot, "q": "Shelley"}).content.decode()
    link = re.search(rf'href="([^"]+)" data-testid="slot-maintenance-{patient.pk}-0"', found)
    assert link is not None
    page = client.get(link.group(1).replace("&amp;", "&"))
    assert page.status_code == 200
    token = _tokens(page.content.decode())[0]
    assert client.post("/appointments/book/", {"token": token}).status_code == 302
    visit = Appointment.objects.get(series__kind="maintenance", patient=patient)
    # From the day clicked on, and within six months (at most 184 days) of the last session.
    clicked = booking_clinic.today() + datetime.timedelta(days=10)
    assert clicked <= visit.local_start().date() <= last + datetime.timedelta(days=184)
