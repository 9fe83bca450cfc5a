"""Rate limits on log-in, the API and CDS Hooks (issue 12, point 12): over the limit a
client gets 429 with Retry-After; other clients and other scopes are not affected. The
defaults are generous; these tests lower them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _retry_after(response: Any) -> int:
    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= 60
    return seconds


def test_the_defaults_are_generous(settings: Any) -> None:
    assert settings.RATE_LIMIT_LOGIN_PER_MINUTE >= 30
    assert settings.RATE_LIMIT_API_PER_MINUTE >= 600
    assert settings.RATE_LIMIT_CDS_PER_MINUTE >= 300


def test_log_in_attempts(settings: Any, clinic: Any, make_user: Any) -> None:
    settings.RATE_LIMIT_LOGIN_PER_MINUTE = 3
    settings.AXES_ENABLED = False
    make_user("front_desk", clinic, username="desk", password="a-long-password-1")
    client = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(3):
        client.post("/accounts/login/", {"username": "desk", "password": "wrong"})
    refused = client.post("/accounts/login/", {"username": "desk", "password": "a-long-password-1"})
    _retry_after(refused)
    assert "Too many requests" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Reading the log-in page is not limited; another address may still log in.
    assert client.get("/accounts/login/").status_code == 200
    other = Client(REMOTE_ADDR="198.51.100.10")
    ok = other.post("/accounts/login/", {"username": "desk", "password": "a-long-password-1"})
    assert ok.status_code == 302


def test_the_api(settings: Any, clinic: Any, make_user: Any) -> None:
    settings.RATE_LIMIT_API_PER_MINUTE = 5
    client = Client(REMOTE_ADDR="203.0.113.11")
    client.force_login(make_user("front_desk", clinic))
    assert [client.get("/api/me").status_code for _ in range(5)] == [200] * 5
    refused = client.get("/api/me")
    _retry_after(refused)
    body = refused.json()
    assert set(body) == {"detail", "errors"}
    assert "Too many requests" in body["detail"]
    # Pages are another scope.
    assert client.get("/patients/").status_code == 200


def test_cds_hooks(settings: Any) -> None:
    settings.RATE_LIMIT_CDS_PER_MINUTE = 2
    client = Client(REMOTE_ADDR="203.0.113.12")
    assert client.get("/cds-services").status_code == 200
    body = json.dumps({"hook": "patient-view"})
    client.post("/cds-services/cit-screening", body, content_type="application/json")
    refused = client.post("/cds-services/cit-screening", body, content_type="application/json")
    _retry_after(refused)
    assert set(refused.json()) == {"detail", "errors"}


def test_zero_turns_a_limit_off(settings: Any, clinic: Any, make_user: Any) -> None:
    settings.RATE_LIMIT_API_PER_MINUTE = 0
    client = Client()
    client.force_login(make_user("front_desk", clinic))
    assert all(client.get("/api/me").status_code == 200 for _ in range(50))
