"""A patient's private calendar feed: the portal makes a link (shown once), the link works
without log-in and shows only that patient's appointment times, clinic and provider; a new
link revokes the old one, turning it off revokes it too (404), and every read is audited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from icalendar import Calendar

from cit.clinic.appointments.calendar_models import CalendarFeed
from cit.clinic.appointments.models import Appointment
from cit.clinic.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(
    booking_clinic: Any, nurse: Any, make_user: Any, make_patient: Any, make_plan: Any, book: Any
) -> tuple[Client, Any]:
    user = make_user("patient", booking_clinic)
    patient = make_patient(
        booking_clinic, portal_user=user, given_name="Wiktoria", family_name="Zawadzka"
    )
    book(make_plan(patient))
    client = Client()
    client.force_login(user)
    return client, patient


@pytest.fixture
def other_patients_series(booking_clinic: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    other = make_patient(booking_clinic, given_name="Ignacy", family_name="Kowalczyk")
    return book(make_plan(other, first_in_days=9))


def _make_link(client: Client) -> str:
    response = client.post("/portal/appointments/calendar-link/", {"action": "issue"})
    assert response.status_code == 200
    (url,) = re.findall(r'value="(http[^"]+/calendar/feed/[^"]+\.ics)"', response.content.decode())
    return url.split("testserver", 1)[1]


def test_the_link_shows_only_that_patients_times_clinic_and_provider(
    portal: tuple[Client, Any], other_patients_series: Any
) -> None:
    client, patient = portal
    path = _make_link(client)
    response = Client().get(path)  # no log-in: a calendar app polls it
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    own = Appointment.objects.filter(patient=patient).order_by("start")
    assert [e.decoded("DTSTART") for e in events] == [a.start for a in own]
    text = response.content.decode()
    for appointment, event in zip(own, events, strict=True):
        assert patient.clinic.name in str(event["SUMMARY"])
        assert appointment.provider.user.get_full_name() in str(event["DESCRIPTION"])
    # Nothing about who the patient is or what is done, and nobody else's sessions.
    for secret in ("Wiktoria", "Zawadzka", patient.record_number, "needling", "Room 1", "Room 2"):
        assert secret not in text
    others = Appointment.objects.filter(series=other_patients_series)
    assert not {e.decoded("DTSTART") for e in events} & {a.start for a in others}
    assert "ATTENDEE" not in text
    assert "Kowalczyk" not in text
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.patient_id, event.channel) == ("export", patient.pk, "feed")


def test_only_the_hash_of_the_token_is_stored(portal: tuple[Client, Any]) -> None:
    client, patient = portal
    token = _make_link(client).rsplit("/", 1)[1].removesuffix(".ics")
    stored = CalendarFeed.objects.get(patient=patient).token_hash
    assert token not in stored
    assert len(stored) == 64


def test_a_new_link_revokes_the_old_one(portal: tuple[Client, Any]) -> None:
    client, _ = portal
    first = _make_link(client)
    second = _make_link(client)
    assert first != second
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200


def test_turning_the_link_off_revokes_it(portal: tuple[Client, Any]) -> None:
    client, patient = portal
    path = _make_link(client)
    response = client.post("/portal/appointments/calendar-link/", {"action": "revoke"})
    assert response.status_code == 302
    assert Client().get(path).status_code == 404
    assert not CalendarFeed.objects.filter(patient=patient).exists()


@pytest.mark.parametrize("token", ["not-a-token", "x" * 43, "y" * 500, "%00", "..%2F..%2Fetc"])
def test_an_unknown_token_is_404(portal: tuple[Client, Any], token: str) -> None:
    assert Client().get(f"/calendar/feed/{token}.ics").status_code == 404


def test_staff_cannot_make_a_patient_link_and_bad_actions_are_refused(
    portal: tuple[Client, Any], desk: Any
) -> None:
    client, _ = portal
    assert client.post("/portal/appointments/calendar-link/", {"action": "x"}).status_code == 400
    assert client.get("/portal/appointments/calendar-link/").status_code == 405
    staff = Client()
    staff.force_login(desk)
    response = staff.post("/portal/appointments/calendar-link/", {"action": "issue"})
    assert response.status_code in (403, 404)
    assert not CalendarFeed.objects.exists()


def test_the_portal_page_offers_the_link(portal: tuple[Client, Any]) -> None:
    client, _ = portal
    page = client.get("/portal/appointments/").content.decode()
    assert "Make my calendar link" in page
    _make_link(client)
    page = client.get("/portal/appointments/").content.decode()
    assert "Make a new link" in page
    assert "Turn the link off" in page
    assert "/calendar/feed/" not in page, "the link is shown only when made"
