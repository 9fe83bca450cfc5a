"""At 390 px (a phone) the patient's pages fit the screen and "Open" can be tapped; every
page starts with a skip link to its main content (issue 10)."""

from __future__ import annotations

from typing import Any

import pytest

from cit.clinic.patients.models import Patient
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_portal_pages_fit_a_phone(
    clinic: Any,
    make_user: Any,
    signed_note: Any,
    page: Any,
    live_server: Any,
    log_in: Any,
    screenshot: Any,
) -> None:
    portal = make_user("patient", clinic, username="ada", password=PASSWORD)
    Patient.objects.filter(pk=signed_note.patient_id).update(portal_user=portal)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("ada")
    for path in ("/", "/portal/appointments/", f"/patients/{signed_note.patient_id}/sessions/"):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways ({width} px)"
    screenshot("phone-sessions")
    open_link = page.get_by_role("link", name="Open the session")
    box = open_link.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    assert box["width"] >= 44
    with page.expect_navigation():
        open_link.click()
    assert page.url.endswith(f"/sessions/{signed_note.pk}/")

    # The skip link is the first thing the keyboard reaches, and it moves to the content.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
