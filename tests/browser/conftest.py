from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "browser-test-password-1"


@pytest.fixture
def console_errors(page: Any) -> list[str]:
    """Browser console errors (a missing stylesheet or script, a CSP violation)."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    return errors


@pytest.fixture
def log_in(page: Any, live_server: Any) -> Callable[[str], None]:
    def do_log_in(username: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()

    return do_log_in


@pytest.fixture
def screenshot(page: Any) -> Callable[[str], None]:
    def save(name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return save
