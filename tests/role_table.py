"""The machinery of the role × endpoint tables (the tables themselves stay in each test
file, written out by hand, so they are never derived from the permission module)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import reverse

from tests.row_counts import snapshot, writes_since

ALL = frozenset(
    {
        "physician",
        "nurse_practitioner",
        "physician_assistant",
        "registered_nurse",
        "esthetician",
        "front_desk",
        "clinic_admin",
        "patient",
    }
)
STAFF = ALL - {"patient"}
LICENSED = frozenset({"physician", "nurse_practitioner", "physician_assistant", "registered_nurse"})
CLINICAL = LICENSED | {"esthetician"}
ADMIN = frozenset({"clinic_admin"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # "{key}" placeholders are filled from the scenario
    allowed: frozenset[str]
    ok_status: int = 200
    body: dict[str, Any] | None = None

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


def _fill(value: Any, scenario: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return scenario[value[1:-1]]
    return value


def request_endpoint(client: Client, endpoint: Endpoint, scenario: dict[str, Any]) -> Any:
    path = endpoint.path.format_map(scenario)
    body = {key: _fill(value, scenario) for key, value in (endpoint.body or {}).items()}
    if endpoint.is_api:
        data = json.dumps(body) if endpoint.body is not None else ""
        return client.generic(endpoint.method, path, data, content_type="application/json")
    if endpoint.method == "POST":
        return client.post(path, body)
    return client.get(path)


def check_role_access(role: str, endpoint: Endpoint, scenario: dict[str, Any]) -> None:
    client = Client()
    client.force_login(scenario["users"][role])
    before = snapshot()
    response = request_endpoint(client, endpoint, scenario)
    if role in endpoint.allowed:
        assert response.status_code == endpoint.ok_status, (
            f"{role} should be allowed {endpoint.name}; got {response.status_code}: "
            f"{response.content[:300]!r}"
        )
    else:
        assert response.status_code == 403, (
            f"{role} should be refused {endpoint.name}; got {response.status_code}"
        )
        written = writes_since(before, endpoint.method)
        assert not written, f"refusing {role} {endpoint.name} wrote {written}"


def check_anonymous_refused(endpoint: Endpoint, scenario: dict[str, Any]) -> None:
    before = snapshot()
    response = request_endpoint(Client(), endpoint, scenario)
    written = writes_since(before, endpoint.method)
    assert not written, f"refusing an anonymous {endpoint.name} wrote {written}"
    if endpoint.is_api:
        assert response.status_code == 401
        assert response.json()["detail"] == "Log in first."
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
