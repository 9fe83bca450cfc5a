"""Face map by keyboard in the browser: Tab reaches a zone, its focus is visible (a dashed
dark outline), Enter picks it, and after "Save zone" the status line has the focus; with
JavaScript off, Enter on a zone opens the form with the zone chosen."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab_to_zone(page: Any, zone: str) -> None:
    for _ in range(80):
        page.keyboard.press("Tab")
        if (
            page.evaluate("document.activeElement.dataset && document.activeElement.dataset.zone")
            == zone
        ):
            return
    raise AssertionError(f"Tab never reached the {zone} zone")


def test_zone_by_keyboard_with_visible_focus_and_focus_after_save(
    clinic: Any, make_user: Any, draft_note: Any, page: Any, live_server: Any, log_in: Any
) -> None:
    make_user("registered_nurse", clinic, username="kbnurse", password=PASSWORD)
    log_in("kbnurse")
    page.goto(f"{live_server.url}/sessions/{draft_note.pk}/")
    _tab_to_zone(page, "cheeks")
    stroke = page.evaluate(
        "getComputedStyle(document.activeElement.querySelector('path')).strokeDasharray"
    )
    assert stroke not in ("", "none")
    page.keyboard.press("Enter")
    assert page.locator("#id_zone").input_value() == "cheeks"
    assert page.evaluate("document.activeElement.name") == "depth_mm"
    page.keyboard.type("1.0")
    page.get_by_label("Endpoint reached").select_option("pinpoint_bleeding")
    page.get_by_role("button", name="Save zone").focus()
    page.keyboard.press("Enter")
    page.locator('[data-zone-row="cheeks"]').wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'zone-status'")
    assert page.locator("#zone-status").inner_text() == "Saved: Cheeks at 1.00 mm."


def test_zone_by_keyboard_without_javascript(
    clinic: Any, make_user: Any, draft_note: Any, browser: Any, live_server: Any
) -> None:
    make_user("registered_nurse", clinic, username="nojsnurse", password=PASSWORD)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("nojsnurse")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/sessions/{draft_note.pk}/")
    _tab_to_zone(page, "forehead")
    page.keyboard.press("Enter")
    page.wait_for_url("**?zone=forehead#zone-form")
    assert page.locator("#id_zone").input_value() == "forehead"
    page.get_by_label("Depth (mm)").fill("0.5")
    page.get_by_label("Endpoint reached").select_option("even_erythema")
    page.get_by_role("button", name="Save zone").click()
    page.wait_for_url("**?saved=forehead#zone-status")
    assert page.locator("#zone-status").inner_text() == "Saved: Forehead at 0.50 mm."
    context.close()
