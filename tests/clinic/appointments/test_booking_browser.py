"""In a real browser: the front desk books a series from the accepted plan, moves session 2,
confirms the cascade, and sees the moved session in the provider's calendar."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cit.clinic.appointments.models import Appointment
from tests.browser.conftest import PASSWORD, console_errors, log_in, screenshot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_book_move_and_see_it_in_the_calendar(
    booking_clinic: Any,
    nurse: Any,
    make_user: Any,
    make_patient: Any,
    make_plan: Any,
    page: Any,
    live_server: Any,
    log_in: Any,  # noqa: F811
    screenshot: Any,  # noqa: F811
    console_errors: list[str],  # noqa: F811
) -> None:
    make_user("front_desk", booking_clinic, username="desk", password=PASSWORD)
    patient = make_patient(booking_clinic, given_name="Maya", family_name="Haddad")
    make_plan(patient)

    log_in("desk")
    page.goto(f"{live_server.url}/patients/{patient.pk}/bookings/")
    page.get_by_role("link", name="Propose times for this series").click()
    assert page.get_by_test_id("proposal-1").is_visible()
    assert page.get_by_test_id("proposal-2").is_visible()
    screenshot("appointments-proposals")
    page.get_by_role("button", name="Book the best proposal").click()
    assert "Booked 4 sessions" in page.locator(".messages").inner_text()
    screenshot("appointments-booked")

    second = Appointment.objects.get(patient=patient, number=2)
    target = second.local_start() + datetime.timedelta(days=7)
    page.get_by_test_id("appointment-2").get_by_role("link", name="Move").click()
    page.get_by_label("New date").fill(target.date().isoformat())
    page.get_by_label("New start time").fill(target.strftime("%H:%M"))
    page.get_by_role("button", name="Preview the cascade").click()
    cascade = page.get_by_test_id("cascade")
    assert cascade.get_by_test_id("cascade-2").is_visible()
    assert cascade.get_by_test_id("cascade-3").is_visible(), "session 3 must follow session 2"
    screenshot("appointments-cascade-preview")
    page.get_by_role("button", name="Confirm the move").click()
    assert "Session 2 moved" in page.locator(".messages").inner_text()
    row = page.get_by_test_id("appointment-2").inner_text()
    assert target.strftime("%d %b %Y") in row or target.strftime("%-d %b %Y") in row

    second.refresh_from_db()
    assert second.local_start() == target
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    page.get_by_label("Provider").select_option(str(second.provider_id))
    page.get_by_label("Date").fill(target.date().isoformat())
    page.get_by_role("button", name="Show").click()
    slot = page.get_by_test_id(f"slot-{second.pk}")
    # Waits for the calendar the click loads (is_visible() alone raced the navigation
    # under load and read the page before it).
    slot.wait_for(state="visible")
    assert "Session 2" in slot.inner_text()
    assert "Maya Haddad" in slot.inner_text()
    screenshot("appointments-calendar-week")
    assert console_errors == []
