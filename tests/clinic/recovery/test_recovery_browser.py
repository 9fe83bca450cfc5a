"""The diary end to end (issue 11): on day 2 the patient reports expected redness from the
emailed link (advice shown, no alert); on day 5 pus and fever from the portal (urgent); the
nurse who signed the session sees the alert on her home page, acknowledges it and records an
infection linked to the session's lots. At 390 px, with 0 axe-core violations."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from cit.clinic.photos.models import Photo
from cit.clinic.recovery.links import check_in_token
from cit.clinic.recovery.models import AdverseEvent, CheckIn, RecoveryAlert
from tests.browser.conftest import PASSWORD
from tests.clinic.photos.conftest import consent, jpeg_bytes, photo_dir  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def axe_violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def fits_a_phone(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= 390)


def test_day_two_expected_then_day_five_urgent_and_the_clinician_acts(
    clinic: Any,
    make_user: Any,
    signed_note: Any,
    nurse: Any,
    cartridge_lot: Any,
    on_day: Any,
    page: Any,
    live_server: Any,
    log_in: Any,
    screenshot: Any,
) -> None:
    portal = make_user("patient", clinic, username="ada", password=PASSWORD)
    patient = signed_note.patient
    patient.portal_user = portal
    patient.save(update_fields=["portal_user"])
    consent(nurse, patient, "record")
    nurse.set_password(PASSWORD)
    nurse.save()
    page.set_viewport_size({"width": 390, "height": 844})

    # Day 2, from the link in the message, without logging in.
    on_day(2, hour=10)
    day_two = CheckIn.objects.get(note=signed_note, day=2)
    page.goto(f"{live_server.url}/diary/{check_in_token(day_two)}/")
    assert fits_a_phone(page)
    assert axe_violations(page) == []
    page.get_by_label("How red is your skin?").select_option(label="Moderate")
    page.get_by_label("Is your skin peeling or flaking?").check()
    # With photo consent, the check-in can carry a photo of the treated skin.
    page.get_by_label("A photo of the treated skin (optional)").set_input_files(
        {"name": "skin.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(gps=True)}
    )
    page.get_by_role("button", name="Send my answers").click()
    advice = page.get_by_test_id("advice")
    assert advice.get_attribute("data-level") == "expected"
    photo = Photo.objects.get(patient=patient)
    assert (photo.session_note_id, photo.view, photo.uploaded_by_id) == (
        signed_note.pk,
        "face_frontal",
        portal.pk,
    )
    assert "This is what we expect at this stage" in advice.inner_text()
    assert "Tenderness, dryness and peeling." in advice.inner_text()  # expected on days 2-5
    assert page.get_by_test_id("aftercare-today").is_visible()
    assert fits_a_phone(page)
    assert axe_violations(page) == []
    assert not RecoveryAlert.objects.exists()

    # Day 5, from the portal.
    on_day(5, hour=10)
    log_in("ada")
    page.get_by_role("link", name="My recovery diary").click()
    day_five = CheckIn.objects.get(note=signed_note, day=5)
    page.locator(f"a[href='/portal/diary/{day_five.pk}/']").click()
    page.get_by_label("Pus, or yellow crusts?").check()
    page.get_by_label("Do you have a fever").check()
    page.get_by_role("button", name="Send my answers").click()
    advice = page.get_by_test_id("advice")
    assert advice.get_attribute("data-level") == "urgent"
    assert "Call the clinic now" in advice.inner_text()
    assert axe_violations(page) == []
    screenshot("recovery-urgent-advice")
    page.get_by_role("button", name="Log out").click()

    # The nurse who signed the session.
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(nurse.username)
    worklist = page.get_by_test_id("worklist-recovery-alerts")
    assert "Ada Lovelace" in worklist.inner_text()
    assert "Urgent" in worklist.inner_text()
    worklist.get_by_role("link", name="Ada Lovelace").click()
    assert "Pus or yellow crusts" in page.get_by_test_id("alert-answers").inner_text()
    assert axe_violations(page) == []
    page.get_by_label("What was done").fill("Called the patient; seen today, antibiotics.")
    page.get_by_role("button", name="Acknowledge").click()
    assert "Called the patient" in page.get_by_test_id("acknowledged").inner_text()
    page.get_by_label("Type").select_option(label="Infection")
    page.get_by_label("Severity").select_option(label="Moderate")
    page.get_by_role("button", name="Record adverse event").click()
    event_text = page.get_by_test_id("adverse-event").inner_text()
    assert "Infection" in event_text
    assert cartridge_lot.lot_number in event_text
    screenshot("recovery-alert-acknowledged")

    # The staff's recovery pages, and the link once used.
    for path in (f"/patients/{patient.pk}/recovery/", "/recovery/"):
        page.goto(f"{live_server.url}{path}")
        assert axe_violations(page) == [], path
    assert "No alerts waiting." in page.get_by_test_id("clinic-alerts").inner_text()
    page.goto(f"{live_server.url}/diary/{check_in_token(day_two)}/")
    assert "already been answered" in page.get_by_test_id("link-refused").inner_text()
    assert axe_violations(page) == []

    event = AdverseEvent.objects.get()
    assert event.note == signed_note
    assert event.alert == RecoveryAlert.objects.get()
    assert [use.lot for use in event.lot_uses.all()] == [cartridge_lot]
    assert RecoveryAlert.objects.get().acknowledged_by == nurse
