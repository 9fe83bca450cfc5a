"""The CDS Hooks 2.0 service: discovery, cards from prefetch, fetching what is missing
from the client's FHIR server, and clear errors instead of wrong cards."""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cit.clinic.audit.models import AuditEvent
from cit.interop.cds_hooks import PREFETCH_TEMPLATES, SUMMARY_LIMIT

pytestmark = pytest.mark.django_db

PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1985-06-01"}


def _searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": resource, "search": {"mode": "match"}} for resource in resources],
    }


def _condition(code: str, display: str, status: str = "active") -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"code": status}]},
        "code": {
            "coding": [
                {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code, "display": display}
            ]
        },
        "subject": {"reference": "Patient/p1"},
    }


def _days(offset: int) -> str:
    """A day relative to the service's today (the hook screens for real appointment days)."""
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


def _prefetch(**overrides: Any) -> dict[str, Any]:
    prefetch: dict[str, Any] = {key: None for key in PREFETCH_TEMPLATES}
    prefetch["patient"] = PATIENT
    prefetch.update(overrides)
    return prefetch


def _call(service: str = "cit-screening", **body: Any) -> Any:
    request = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/9", "patientId": "p1"},
        "prefetch": _prefetch(),
        **body,
    }
    return Client().post(
        f"/cds-services/{service}", json.dumps(request), content_type="application/json"
    )


def test_discovery_lists_both_hooks_with_prefetch_templates() -> None:
    services = Client().get("/cds-services").json()["services"]
    assert {(s["id"], s["hook"]) for s in services} == {
        ("cit-screening", "patient-view"),
        ("cit-screening-appointment", "appointment-book"),
    }
    for service in services:
        assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        assert set(service["prefetch"]) == set(PREFETCH_TEMPLATES)


@pytest.mark.parametrize(
    ("conditions", "decision", "indicator"),
    [
        (None, "treat", "info"),
        (_searchset(_condition("L91.0", "Keloid scar")), "do_not_treat", "critical"),
        (_searchset(_condition("E11.9", "Type 2 diabetes")), "refer", "warning"),
        (
            _searchset(_condition("B00.1", "Herpesviral vesicular dermatitis", "resolved")),
            "treat_with_precautions",
            "info",
        ),
        (_searchset(_condition("B00.1", "Herpesviral vesicular dermatitis")), "defer", "warning"),
    ],
    ids=["treat", "do-not-treat", "refer", "precautions", "defer"],
)
def test_card_indicator_follows_the_decision(
    conditions: Any, decision: str, indicator: str
) -> None:
    response = _call(prefetch=_prefetch(conditions=conditions))
    assert response.status_code == 200, response.content
    [card] = response.json()["cards"]
    assert card["indicator"] == indicator
    assert len(card["summary"]) < SUMMARY_LIMIT
    screening = card["extension"]["org.cit.screening"]
    assert screening["decision"] == decision
    assert card["source"]["label"].startswith("CIT protocol ")
    if screening["findings"]:
        assert screening["findings"][0]["rule"] in card["detail"]
    event = AuditEvent.objects.latest("id")
    assert (event.channel, event.detail["decisions"]) == ("cds", [decision])


def test_appointment_book_screens_for_each_proposed_day() -> None:
    recent_peel = _prefetch(
        procedures=_searchset(
            {
                "resourceType": "Procedure",
                "status": "completed",
                "code": {"text": "Chemical peel"},
                "performedDateTime": _days(-10),
                "subject": {"reference": "Patient/p1"},
            }
        )
    )
    appointments = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Appointment",
                    "status": "proposed",
                    "start": f"{_days(5)}T10:00:00Z",
                }
            },
            {
                "resource": {
                    "resourceType": "Appointment",
                    "status": "proposed",
                    "start": f"{_days(40)}T10:00:00Z",
                }
            },
        ],
    }
    response = Client().post(
        "/cds-services/cit-screening-appointment",
        json.dumps(
            {
                "hook": "appointment-book",
                "hookInstance": "x",
                "context": {
                    "userId": "Practitioner/9",
                    "patientId": "p1",
                    "appointments": appointments,
                },
                "prefetch": recent_peel,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    cards = response.json()["cards"]
    assert [c["summary"][:10] for c in cards] == [_days(5), _days(40)]
    assert cards[0]["extension"]["org.cit.screening"]["decision"] == "defer"
    assert cards[1]["extension"]["org.cit.screening"]["decision"] == "treat"


def test_missing_prefetch_without_fhir_server_is_412_not_a_card() -> None:
    prefetch = _prefetch()
    del prefetch["medications"]
    response = _call(prefetch=prefetch)
    assert response.status_code == 412
    assert "medications" in response.json()["detail"]


class _FhirServer(BaseHTTPRequestHandler):
    resources: dict[str, Any] = {}
    seen: list[tuple[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self.seen.append((self.path, self.headers.get("Authorization", "")))
        resource_type = self.path.split("/fhir/", 1)[1].split("?")[0].split("/")[0]
        body = self.resources.get(resource_type, _searchset())
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fhir_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _FhirServer)
    _FhirServer.seen = []
    _FhirServer.resources = {
        "Patient": PATIENT,
        "MedicationRequest": _searchset(
            {
                "resourceType": "MedicationRequest",
                "status": "active",
                "intent": "order",
                "medicationCodeableConcept": {"text": "Warfarin 5 mg tablet"},
                "subject": {"reference": "Patient/p1"},
            }
        ),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/fhir"
    finally:
        server.shutdown()
        server.server_close()


def test_missing_prefetch_is_fetched_from_the_fhir_server(fhir_server: str) -> None:
    prefetch = _prefetch()
    del prefetch["medications"]
    response = _call(
        prefetch=prefetch,
        fhirServer=fhir_server,
        fhirAuthorization={
            "access_token": "tok-123",
            "token_type": "Bearer",
            "scope": "x",
            "subject": "cit",
        },
    )
    assert response.status_code == 200, response.content
    [card] = response.json()["cards"]
    assert card["extension"]["org.cit.screening"]["findings"][0]["rule"] == "anticoagulant"
    assert _FhirServer.seen == [("/fhir/MedicationRequest?patient=p1", "Bearer tok-123")]


def test_unreachable_fhir_server_is_412() -> None:
    prefetch = _prefetch()
    del prefetch["conditions"]
    response = _call(prefetch=prefetch, fhirServer="http://127.0.0.1:9/fhir")
    assert response.status_code == 412
    assert "not reachable" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"hook": "order-sign"}, "hook: expected one of"),
        ({"hookInstance": ""}, "hookInstance: required"),
        ({"context": {"userId": "Practitioner/9"}}, "context.patientId: required"),
        (
            {"prefetch": _prefetch(patient={"resourceType": "Patient", "birthDate": "3000-01-01"})},
            "cannot be read",
        ),
    ],
    ids=["unknown-hook", "no-instance", "no-patient", "future-birth"],
)
def test_malformed_requests_are_400(body: dict[str, Any], message: str) -> None:
    response = _call(**body)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_non_json_body_and_unknown_service() -> None:
    client = Client()
    response = client.post("/cds-services/cit-screening", "{", content_type="application/json")
    assert response.status_code == 400
    assert (
        client.post("/cds-services/nope", "{}", content_type="application/json").status_code == 404
    )
    assert client.get("/cds-services/cit-screening").status_code == 405


def test_bearer_token_is_required_when_configured(settings: Any) -> None:
    settings.CDS_HOOKS_TOKEN = "s3cret"
    assert _call().status_code == 401
    request = {
        "hook": "patient-view",
        "hookInstance": "i",
        "context": {"patientId": "p1"},
        "prefetch": _prefetch(),
    }
    response = Client().post(
        "/cds-services/cit-screening",
        json.dumps(request),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer s3cret",
    )
    assert response.status_code == 200
