"""A real browser logs in as each role and lands on that role's home page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_HEADING = {
    "physician": "Clinical dashboard",
    "nurse_practitioner": "Clinical dashboard",
    "physician_assistant": "Clinical dashboard",
    "registered_nurse": "Clinical dashboard",
    "esthetician": "Clinical dashboard",
    "front_desk": "Front desk",
    "clinic_admin": "Clinic administration",
    "patient": "My treatment",
}


@pytest.mark.parametrize("role", sorted(HOME_HEADING))
def test_each_role_sees_its_home_page(
    role: str,
    clinic: Any,
    make_user: Any,
    make_patient: Any,
    page: Any,
    log_in: Any,
    screenshot: Any,
    console_errors: list[str],
) -> None:
    user = make_user(role, clinic, username=f"user-{role}", password=PASSWORD)
    if role == "patient":
        make_patient(clinic, portal_user=user)
    log_in(user.username)
    heading = page.get_by_test_id("home-heading")
    assert heading.inner_text() == HOME_HEADING[role]
    assert page.get_by_test_id("current-role").inner_text() == user.get_role_display()
    nav = page.get_by_role("navigation", name="Main")
    assert (nav.get_by_role("link", name="Audit log").count() == 1) == (role == "clinic_admin")
    assert (nav.get_by_role("link", name="Patients").count() == 1) == (role != "patient")
    screenshot(f"home-{role}")
    assert console_errors == []
    # The stylesheet loaded and applied: the role badge is styled, not default text.
    assert (
        page.get_by_test_id("current-role").evaluate("el => getComputedStyle(el).borderRadius")
        == "999px"
    )


def test_wrong_password_shows_an_error_and_stays_logged_out(
    clinic: Any, make_user: Any, page: Any, live_server: Any
) -> None:
    make_user("front_desk", clinic, username="desk", password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert "enter a correct username and password" in page.get_by_role("alert").inner_text()
    page.goto(f"{live_server.url}/patients/")
    assert "/accounts/login/" in page.url


def test_log_out(clinic: Any, make_user: Any, page: Any, log_in: Any) -> None:
    make_user("physician", clinic, username="doc", password=PASSWORD)
    log_in("doc")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_role("heading", name="Log in").is_visible()
