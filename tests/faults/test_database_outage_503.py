"""While the database cannot be reached the site answers 503 with Retry-After, in plain
words for people and as a problem body for programs; never a 500 or a traceback."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

pytestmark = pytest.mark.django_db

OUTAGES = [
    OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused'),
    InterfaceError("connection already closed"),
]


@pytest.fixture
def logged_in(clinic: Any, make_user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(make_user("physician", clinic))
    return client


def _cut(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(connection, "cursor", broken)


def _no_detail(body: str) -> None:
    for leak in ("Traceback", "OperationalError", "InterfaceError", "5432", "refused"):
        assert leak not in body


@pytest.mark.parametrize("error", OUTAGES)
def test_pages_answer_503_in_plain_words(
    logged_in: Client, error: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cut(monkeypatch, error)
    for path in ("/patients/", "/", "/accounts/login/"):
        response = logged_in.get(path)
        assert response.status_code == 503, path
        assert response["Retry-After"] == "30"
        assert response["Content-Type"].startswith("text/html")
        body = response.content.decode()
        assert "database cannot be reached" in body
        _no_detail(body)


@pytest.mark.parametrize("error", OUTAGES)
def test_the_api_and_cds_hooks_answer_a_503_problem(
    logged_in: Client, error: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cut(monkeypatch, error)
    for path in ("/api/patients", "/cds-services"):
        response = logged_in.get(path)
        assert response.status_code == 503, path
        assert response["Retry-After"] == "30"
        assert "cannot be reached" in response.json()["detail"]
        _no_detail(response.content.decode())
    posted = logged_in.post("/api/patients", "{}", content_type="application/json")
    assert posted.status_code == 503


def test_health_says_the_database_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(raise_request_exception=False)
    assert client.get("/health").json() == {"status": "ok", "database": "ok"}
    _cut(monkeypatch, OUTAGES[0])
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_other_errors_stay_500(logged_in: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    _cut(monkeypatch, ZeroDivisionError("a bug"))
    assert logged_in.get("/patients/").status_code == 500
    response = logged_in.get("/api/patients")
    assert response.status_code == 500
    assert "detail" in response.json()
