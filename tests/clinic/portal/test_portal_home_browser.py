"""The portal home on a phone (390 px): it fits the screen, its links can be tapped
(44 px), axe finds nothing, and a patient asks to cancel a session and sees the request
waiting; the request page fits too."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from cit.clinic.appointments.models import Appointment
from cit.clinic.portal.models import ChangeRequest
from tests.browser.conftest import PASSWORD, log_in, screenshot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_page(page: Any, axe: Axe, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{where} scrolls sideways ({width} px)"
    violations = [v["id"] for v in axe.run(page).response["violations"]]
    assert violations == [], f"{where}: {violations}"


def test_portal_home_at_390_px_with_a_change_request(
    portal_patient: Any,
    booked: Any,
    portal_user: Any,
    page: Any,
    live_server: Any,
    log_in: Any,  # noqa: F811
    screenshot: Any,  # noqa: F811
) -> None:
    portal_user.set_password(PASSWORD)
    portal_user.save()
    axe = Axe()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(portal_user.username)
    _check_page(page, axe, "home")
    assert page.get_by_test_id("next-appointment").is_visible()
    screenshot("portal-home-phone")
    third = Appointment.objects.filter(patient=portal_patient).order_by("number").last()
    link = page.get_by_role("link", name=f"Move or cancel session {third.number}")
    box = link.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    link.click()
    page.wait_for_url(f"**/portal/appointments/{third.pk}/change/")
    _check_page(page, axe, "request page")
    page.get_by_label("Cancel").check()
    page.get_by_label("Anything the clinic should know (optional)").fill("Travelling")
    page.get_by_role("button", name="Send my request").click()
    page.get_by_test_id("change-requests").wait_for()
    assert "Waiting for the clinic" in page.get_by_test_id("change-requests").inner_text()
    _check_page(page, axe, "home with a request")
    assert ChangeRequest.objects.get().appointment_id == third.pk
