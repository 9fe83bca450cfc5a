"""The live camera on the capture page: with the baseline ghost over the video, the clinician
takes the photo in the page and saves it (Chromium's fake camera stands in for a phone's)."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest

from cit.clinic.photos.actions import do_capture_photo, do_record_photo_consent
from cit.clinic.photos.models import Photo
from cit.clinic.photos.sanitise import sanitise_photo
from tests.browser.conftest import PASSWORD
from tests.clinic.photos.conftest import jpeg_bytes, photo_dir  # noqa: F401
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKE_CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def test_the_live_camera_takes_the_photo_under_the_baseline_ghost(
    clinic: Any,
    make_user: Any,
    make_patient: Any,
    playwright: Any,
    live_server: Any,
    photo_dir: Path,  # noqa: F811
) -> None:
    doctor = make_user("physician", clinic, username="doc", password=PASSWORD)
    patient = make_patient(clinic)
    baseline_day = clinic.today() - datetime.timedelta(weeks=4)
    do_record_photo_consent(
        actor=doctor, patient=patient, scopes=["record"], stated_on=baseline_day
    )
    do_capture_photo(
        actor=doctor,
        patient=patient,
        view="face_frontal",
        taken_on=baseline_day,
        photo=sanitise_photo(io.BytesIO(jpeg_bytes(120, 160))),
    )
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_CAMERA]
    )
    try:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("doc")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()

        page.goto(f"{live_server.url}/patients/{patient.pk}/photos/capture/")
        card = page.get_by_test_id("capture-face_frontal")
        card.get_by_role("button", name="Use the live camera").click()
        video = card.locator("video.ghost-live")
        video.wait_for()
        page.wait_for_function("() => document.querySelector('video.ghost-live').videoWidth > 0")
        assert card.locator(".ghost-stage.ghosting .ghost-baseline").is_visible()
        card.get_by_role("button", name="Take Face, frontal").click()
        card.locator(".ghost-preview:not([hidden])").wait_for()
        assert card.locator("video.ghost-live").count() == 0  # the camera is closed
        card.get_by_role("button", name="Save Face, frontal").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("saved-face_frontal").is_visible()
        assert errors == []
    finally:
        browser.close()

    taken = Photo.objects.get(patient=patient, taken_on=clinic.today())
    assert taken.view == "face_frontal"
    assert (photo_dir / taken.image_name).is_file()
