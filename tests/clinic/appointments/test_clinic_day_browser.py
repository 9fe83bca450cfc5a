"""A clinic's day in the browser: the desk opens today, goes to the day view and books from a
free time (a series, and a consultation for a new patient at the time clicked), checks the
first patient in and marks a second a no-show (re-planning the rest of that series), books a
maintenance session from the list of patients due; the nurse starts and signs the session
and the visit shows completed; the physician marks the consultation done."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cit.clinic.appointments.models import Appointment, SeriesBooking
from cit.clinic.charting.consent import do_publish_consent_form, do_sign_consent
from cit.clinic.facilities.models import OpeningHours
from tests.browser.conftest import PASSWORD, console_errors, log_in, screenshot  # noqa: F401
from tests.clinic.appointments.clinic_day_support import move_clinic_to_morning
from tests.clinic.appointments.maintenance_support import finish_series
from tests.clinic.charting.conftest import CONSENT_TEXT, make_lot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _today_at(visit: Appointment, start: datetime.datetime, provider: Any) -> Appointment:
    Appointment.objects.filter(pk=visit.pk).update(
        start=start, end=start + datetime.timedelta(minutes=60), provider=provider
    )
    visit.refresh_from_db()
    return visit


def test_a_whole_day(
    booking_clinic: Any,
    make_user: Any,
    make_patient: Any,
    make_plan: Any,
    book: Any,
    page: Any,
    live_server: Any,
    log_in: Any,  # noqa: F811
    screenshot: Any,  # noqa: F811
    console_errors: list[str],  # noqa: F811
) -> None:
    clinic = booking_clinic
    move_clinic_to_morning(clinic)
    now = timezone.now()
    local = now.astimezone(clinic.tzinfo)
    # Open all day, so that a free time later today exists whenever the test runs.
    OpeningHours.objects.filter(clinic=clinic).update(
        opens=datetime.time(0, 0), closes=datetime.time(23, 45)
    )
    make_user("front_desk", clinic, username="desk1", password=PASSWORD)
    nurse = make_user("registered_nurse", clinic, username="nurse1", password=PASSWORD)
    doctor = make_user("physician", clinic, username="doc1", password=PASSWORD)
    grace = make_patient(clinic, given_name="Grace", family_name="Hopper")
    alan = make_patient(clinic, given_name="Alan", family_name="Turing")
    iris = make_patient(clinic, given_name="Iris", family_name="Murdoch")
    first = _today_at(
        Appointment.objects.get(series=book(make_plan(grace)), number=1),
        now + datetime.timedelta(minutes=10),
        nurse.provider,
    )
    missed = _today_at(
        Appointment.objects.get(series=book(make_plan(alan)), number=1),
        now - datetime.timedelta(minutes=50),
        nurse.provider,
    )
    make_plan(iris)
    nina = make_patient(clinic, given_name="Nina", family_name="Newcomer")
    mary = make_patient(clinic, given_name="Mary", family_name="Shelley")
    # Mary's series ended about five months ago: her maintenance window is open.
    finish_series(book(make_plan(mary)), clinic.today() - datetime.timedelta(days=150))
    form = do_publish_consent_form(
        actor=nurse,
        clinic=clinic,
        procedure="microneedling",
        title="Micro-needling consent",
        body=CONSENT_TEXT,
        effective_on=clinic.today() - datetime.timedelta(days=30),
    )
    do_sign_consent(
        actor=nurse, patient=grace, form=form, method="typed", typed_name="Grace Hopper"
    )
    lot = make_lot(clinic, "needle_cartridge", "12-pin cartridge")

    # The desk opens on today: both visits, the next one first.
    log_in("desk1")
    today = page.get_by_test_id("today")
    assert today.get_by_test_id(f"visit-{first.pk}").is_visible()
    assert today.get_by_test_id(f"visit-{missed.pk}").is_visible()
    screenshot("day-desk-home")

    # Day view: every provider side by side; a free time starts a booking from there.
    page.get_by_role("link", name="Day view").click()
    assert page.get_by_test_id(f"slot-{first.pk}").is_visible()
    screenshot("day-view")
    page.locator("a.book-slot").first.click()
    page.get_by_label("Patient").fill("Murdoch")
    page.get_by_role("button", name="Find").click()
    page.get_by_test_id(f"slot-patient-{iris.pk}").get_by_role("link").first.click()
    page.get_by_role("button", name="Book the best proposal").click()
    assert "Booked" in page.locator(".messages").inner_text()
    assert SeriesBooking.objects.filter(patient=iris).exists()

    # A consultation for Nina (no plan yet) at the physician's free time clicked.
    page.goto(f"{live_server.url}/calendar/?view=day")
    quarter = (local + datetime.timedelta(minutes=34)).replace(second=0, microsecond=0)
    clicked = quarter - datetime.timedelta(minutes=quarter.minute % 15)
    page.get_by_test_id(f"free-{doctor.provider.pk}-{clicked:%Y-%m-%d-%H%M}").click()
    page.get_by_label("Patient").fill("Newcomer")
    page.get_by_role("button", name="Find").click()
    page.get_by_test_id(f"slot-consultation-{nina.pk}").click()
    screenshot("day-consultation")
    page.get_by_test_id("book-consultation-exact").click()
    assert "Booked consultation" in page.locator(".messages").inner_text()
    consultation = Appointment.objects.get(patient=nina, series__kind="consultation")
    assert consultation.provider == doctor.provider
    assert consultation.local_start().strftime("%H:%M") == f"{clicked:%H:%M}"
    page.goto(f"{live_server.url}/calendar/?view=day")
    assert page.get_by_test_id(f"slot-{consultation.pk}").is_visible()

    # Maintenance: from the desk's home to the list of patients due, one session booked.
    page.goto(f"{live_server.url}/")
    page.get_by_test_id("maintenance-due-link").click()
    row = page.get_by_test_id(f"due-{mary.pk}-0")
    assert "Due now" in row.inner_text()
    screenshot("day-maintenance-due")
    row.get_by_role("link", name="Book maintenance").click()
    page.get_by_test_id("book-maintenance-option-1").click()
    assert "Booked maintenance session" in page.locator(".messages").inner_text()
    assert SeriesBooking.objects.filter(patient=mary, kind="maintenance").count() == 1

    # Check-in of the first patient; the second is a no-show and the series is re-planned.
    page.goto(f"{live_server.url}/")
    page.get_by_test_id(f"check-in-{first.pk}").click()
    assert page.get_by_test_id(f"visit-status-{first.pk}").inner_text() == "Checked in"
    page.get_by_test_id(f"no-show-{missed.pk}").click()
    assert page.get_by_test_id("replan-proposal-1").is_visible()
    screenshot("day-no-show-replan")
    page.get_by_role("button", name="Re-plan with the best proposal").click()
    assert "Series re-planned" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("status-1").inner_text() == "No-show"
    assert Appointment.objects.filter(series=missed.series, number=5, status="booked").exists()

    # The nurse starts and signs the session; the visit is completed.
    page.context.clear_cookies()
    log_in("nurse1")
    page.get_by_test_id(f"start-{first.pk}").click()
    page.get_by_label("Needling device").select_option(index=1)
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Re-screen and start").click()
    first.refresh_from_db()
    assert first.status == "in_treatment"
    page.locator('[data-zone="cheeks"] path').first.click()
    page.get_by_label("Depth (mm)").fill("0.5")
    page.get_by_label("Passes").fill("2")
    page.get_by_label("Endpoint reached").select_option("even_erythema")
    page.get_by_role("button", name="Save zone").click()
    page.locator('[data-zone-row="cheeks"]').wait_for()
    page.get_by_label("Used as").select_option("needle_cartridge")
    page.get_by_label("Lot").select_option(str(lot.pk))
    page.get_by_role("button", name="Record lot").click()
    page.get_by_role("button", name="Sign note").click()
    assert page.get_by_test_id("note-status").inner_text().startswith("Signed")
    page.goto(f"{live_server.url}/")
    assert page.get_by_test_id(f"visit-status-{first.pk}").inner_text() == "Completed"
    screenshot("day-completed")
    first.refresh_from_db()
    assert first.status == "completed"

    # The physician marks the consultation done (it has no note to sign).
    page.context.clear_cookies()
    log_in("doc1")
    page.get_by_test_id(f"consultation-done-{consultation.pk}").click()
    assert page.get_by_test_id(f"visit-status-{consultation.pk}").inner_text() == "Completed"
    page_errors = [e for e in console_errors if not e.startswith("Applying inline style")]
    assert page_errors == [], page_errors
