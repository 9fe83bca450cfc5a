from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-1"


def test_passwords_are_hashed_with_argon2(clinic: Any, make_user: Any) -> None:
    user = make_user("physician", clinic, password=PASSWORD)
    assert user.password.startswith("argon2")


def test_repeated_failures_lock_the_account(clinic: Any, make_user: Any, settings: Any) -> None:
    make_user("front_desk", clinic, username="desk", password=PASSWORD)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "desk", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "desk", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("variant", ["DESK", " desk ", "Desk"])
def test_a_lockout_cannot_be_sidestepped_by_case_or_spaces(
    clinic: Any, make_user: Any, settings: Any, variant: str
) -> None:
    make_user("front_desk", clinic, username="desk", password=PASSWORD)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "desk", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": variant, "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_under_another_case_count_towards_the_same_lockout(
    clinic: Any, make_user: Any, settings: Any
) -> None:
    make_user("front_desk", clinic, username="desk", password=PASSWORD)
    client = Client()
    for index in range(settings.AXES_FAILURE_LIMIT):
        name = "DESK" if index % 2 else "desk"
        client.post("/accounts/login/", {"username": name, "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "desk", "password": PASSWORD})
    assert locked.status_code == 429


def test_password_change(clinic: Any, make_user: Any) -> None:
    user = make_user("esthetician", clinic, username="esth", password=PASSWORD)
    client = Client()
    client.force_login(user)
    weak = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert weak.status_code == 200
    assert "too short" in weak.content.decode()
    done = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase-2",
            "new_password2": "another-long-passphrase-2",
        },
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase-2")


def test_logged_in_user_visiting_log_in_goes_home(clinic: Any, make_user: Any) -> None:
    client = Client()
    client.force_login(make_user("physician", clinic))
    assert client.get("/accounts/login/")["Location"] == "/"


def test_log_out_needs_post(clinic: Any, make_user: Any) -> None:
    client = Client()
    client.force_login(make_user("physician", clinic))
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
