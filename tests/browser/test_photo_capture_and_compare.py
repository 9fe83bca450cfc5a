"""Issue 11 in the browser: a clinician takes the three face views (frontal and both 45°
obliques) through the file inputs of the capture page, on a 390 px wide screen, with the
baseline ghost over the preview; the comparison page then shows the baseline beside the
week-12 photo, with the slider. Every photo page has 0 axe-core violations."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import expect

from cit.clinic.photos.actions import do_capture_photo, do_record_photo_consent
from cit.clinic.photos.models import Photo
from cit.clinic.photos.sanitise import sanitise_photo
from tests.browser.conftest import PASSWORD
from tests.clinic.photos.conftest import GPS_IFD, jpeg_bytes, photo_dir  # noqa: F401

# The width of an image once it has loaded (0 if it failed); a page may still be fetching it.
LOADED_WIDTH = (
    "img => img.complete ? img.naturalWidth : new Promise("
    "done => { img.addEventListener('load', () => done(img.naturalWidth));"
    " img.addEventListener('error', () => done(0)); })"
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THREE_VIEWS = ["face_frontal", "face_oblique_left", "face_oblique_right"]
TITLES = {
    "face_frontal": "Face, frontal",
    "face_oblique_left": "Face, 45° oblique left",
    "face_oblique_right": "Face, 45° oblique right",
}


def _violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def test_clinician_captures_three_face_views_and_compares_with_baseline(
    clinic: Any,
    make_user: Any,
    make_patient: Any,
    page: Any,
    live_server: Any,
    log_in: Any,
    console_errors: list[str],
    photo_dir: Path,  # noqa: F811
) -> None:
    doctor = make_user("physician", clinic, username="doc", password=PASSWORD)
    patient = make_patient(clinic)
    today = clinic.today()
    baseline_day = today - datetime.timedelta(weeks=12)
    do_record_photo_consent(
        actor=doctor, patient=patient, scopes=["record"], stated_on=baseline_day
    )
    for view in THREE_VIEWS:
        do_capture_photo(
            actor=doctor,
            patient=patient,
            view=view,
            taken_on=baseline_day,
            photo=sanitise_photo(io.BytesIO(jpeg_bytes(120, 160, colour=(90, 60, 40)))),
        )
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("doc")

    page.goto(f"{live_server.url}/patients/{patient.pk}/photos/capture/")
    assert _violations(page) == []
    for view in THREE_VIEWS:
        card = page.get_by_test_id(f"capture-{view}")
        card.get_by_label(f"Photo: {TITLES[view]}").set_input_files(
            files=[
                {
                    "name": f"{view}.jpg",
                    "mimeType": "image/jpeg",
                    "buffer": jpeg_bytes(120, 160, gps=True, colour=(200, 150, 120)),
                }
            ]
        )
        # The baseline lies over the preview of the new photo to line it up.
        expect(card.locator(".ghost-stage.ghosting .ghost-baseline")).to_be_visible()
        card.get_by_role("button", name=f"Save {TITLES[view]}").click()
        page.wait_for_load_state()
        expect(page.get_by_test_id(f"saved-{view}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    week_12 = Photo.objects.filter(taken_on=today, patient=patient)
    assert sorted(week_12.values_list("view", flat=True)) == sorted(THREE_VIEWS)
    for photo in week_12:
        stored = Image.open(photo_dir / photo.image_name)
        assert not stored.getexif().get_ifd(GPS_IFD)

    page.goto(f"{live_server.url}/patients/{patient.pk}/photos/compare/?view=face_frontal")
    before = page.get_by_test_id("before")
    after = page.get_by_test_id("after")
    assert baseline_day.strftime("%-d %b %Y") in before.inner_text()
    assert today.strftime("%-d %b %Y") in after.inner_text()
    assert before.locator("img").evaluate(LOADED_WIDTH) > 0
    assert after.locator("img").evaluate(LOADED_WIDTH) > 0
    slider = page.get_by_label("Reveal", exact=False)
    expect(slider).to_be_visible()
    slider.fill("20")
    assert "80%" in page.locator(".slider-before").evaluate("img => img.style.clipPath")
    assert _violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    for path in ("", "views/face_frontal/", "consent/"):
        page.goto(f"{live_server.url}/patients/{patient.pk}/photos/{path}")
        assert _violations(page) == [], path
    assert console_errors == []


def test_patient_sees_own_photos_and_withdrawal_hides_them_at_once(
    clinic: Any,
    make_user: Any,
    make_patient: Any,
    page: Any,
    live_server: Any,
    log_in: Any,
    console_errors: list[str],
    photo_dir: Path,  # noqa: F811
) -> None:
    doctor = make_user("physician", clinic, username="doc", password=PASSWORD)
    portal = make_user("patient", clinic, username="pat", password=PASSWORD)
    patient = make_patient(clinic, portal_user=portal)
    day = clinic.today() - datetime.timedelta(weeks=2)
    do_record_photo_consent(
        actor=doctor, patient=patient, scopes=["record", "teaching"], stated_on=day
    )
    do_capture_photo(
        actor=doctor,
        patient=patient,
        view="face_frontal",
        taken_on=day,
        photo=sanitise_photo(io.BytesIO(jpeg_bytes(120, 160))),
    )
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("doc")
    page.goto(f"{live_server.url}/photos/teaching/")
    assert page.get_by_test_id("teaching-gallery").locator("img").count() == 1
    assert _violations(page) == []
    page.get_by_role("button", name="Log out").click()

    log_in("pat")
    page.goto(f"{live_server.url}/patients/{patient.pk}/photos/")
    strip = page.get_by_test_id("timeline-face_frontal")
    assert strip.locator("img").evaluate(LOADED_WIDTH) > 0
    assert _violations(page) == []

    page.goto(f"{live_server.url}/patients/{patient.pk}/photos/consent/")
    assert _violations(page) == []
    page.get_by_role("button", name="Withdraw").click()
    page.wait_for_load_state()
    current = page.get_by_test_id("photo-consent-current").inner_text()
    assert "yes" not in current
    page.goto(f"{live_server.url}/patients/{patient.pk}/photos/")
    assert page.get_by_test_id("no-record-consent").is_visible()
    assert page.locator("main img").count() == 0
    assert console_errors == []
