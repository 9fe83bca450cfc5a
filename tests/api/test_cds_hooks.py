"""The CDS Hooks 2.0 service: discovery, cards from prefetch, fetching what is missing
from the client's FHIR server, and clear errors instead of wrong cards."""

from __future__ import annotations

import datetime
import json
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cit.clinic.audit.models import AuditEvent
from cit.interop.cds_hooks import PREFETCH_TEMPLATES, SUMMARY_LIMIT
from tests.api.cds_jwt import EhrClient, bearer, trust
from tests.interop.fhir_stub import FhirStub, Reply, closed_port_url, silent_server

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ehr(settings: Any) -> None:
    """Every call here comes from an EHR the clinic trusts, with a valid JWT."""
    trust(settings)


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
    return EhrClient().post(
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
    if screening.get("findings"):
        finding = screening["findings"][0]
        assert finding["title"] in card["detail"]
        assert f"`{finding['rule']}`" not in card["detail"]  # labels, not rule ids
        assert decision not in card["detail"] or decision in ("treat", "refer", "defer")
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
    response = EhrClient().post(
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


WARFARIN = _searchset(
    {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {"text": "Warfarin 5 mg tablet"},
        "subject": {"reference": "Patient/p1"},
    }
)
TOKEN = {"access_token": "tok-123", "token_type": "Bearer", "scope": "x", "subject": "cit"}
GENERIC_412 = "The FHIR server could not be read; send the data as prefetch."


@pytest.fixture
def fhir_server() -> Iterator[FhirStub]:
    with FhirStub() as stub:
        stub.routes = {"Patient": PATIENT, "MedicationRequest": WARFARIN}
        yield stub


@pytest.fixture
def other_server() -> Iterator[FhirStub]:
    """A second server, never on the allow-list: it must never be contacted."""
    with FhirStub() as stub:
        yield stub


@pytest.fixture
def allow(settings: Any) -> Callable[..., None]:
    def allow(*bases: str, timeout: float = 3, total: float = 10) -> None:
        trust(settings, fhir_servers=list(bases))
        settings.CDS_HOOKS_FHIR_TIMEOUT = timeout
        settings.CDS_HOOKS_FHIR_TOTAL_TIMEOUT = total

    return allow


def _without(*keys: str) -> dict[str, Any]:
    prefetch = _prefetch()
    for key in keys:
        del prefetch[key]
    return prefetch


def _assert_generic_412(response: Any, *secrets: str) -> None:
    assert response.status_code == 412, response.content
    detail = response.json()["detail"]
    assert detail.endswith(GENERIC_412)
    for word in ("refused", "errno", "timed out", "timeout", "no such file", "127.0.0.1",
                 "169.254", "port", "/etc", "redirect", "reset", *secrets):  # fmt: skip
        assert word.lower() not in detail.lower()


def test_missing_prefetch_is_fetched_from_an_allowed_fhir_server(
    fhir_server: FhirStub, allow: Callable[..., None]
) -> None:
    allow(fhir_server.base)
    cds_token = bearer("/cds-services/cit-screening")
    response = EhrClient().post(
        "/cds-services/cit-screening",
        json.dumps(
            {
                "hook": "patient-view",
                "hookInstance": "i",
                "context": {"patientId": "p1"},
                "prefetch": _without("medications"),
                "fhirServer": fhir_server.base,
                "fhirAuthorization": TOKEN,
            }
        ),
        content_type="application/json",
        HTTP_COOKIE="sessionid=caller-cookie",
        HTTP_X_CALLER_SECRET="caller-secret",
        HTTP_AUTHORIZATION=cds_token,
    )
    assert response.status_code == 200, response.content
    [card] = response.json()["cards"]
    assert card["extension"]["org.cit.screening"]["findings"][0]["rule"] == "anticoagulant"
    [seen] = fhir_server.seen
    assert seen.path == "/fhir/MedicationRequest?patient=p1"
    assert seen.headers["Authorization"] == "Bearer tok-123"
    # Nothing else of the caller's travels: no cookie, no other header, not its CDS token.
    assert set(seen.headers) <= {"Host", "Accept", "Accept-Encoding", "Authorization"}
    assert "caller" not in json.dumps(seen.headers)
    assert cds_token.split()[1] not in json.dumps(seen.headers)


def test_with_no_allow_list_nothing_is_fetched(fhir_server: FhirStub) -> None:
    response = _call(prefetch=_without("conditions"), fhirServer=fhir_server.base)
    _assert_generic_412(response)
    assert "conditions" in response.json()["detail"]
    assert fhir_server.seen == []


def test_missing_prefetch_without_fhir_server_is_412_not_a_card(
    fhir_server: FhirStub, allow: Callable[..., None]
) -> None:
    allow(fhir_server.base)
    response = _call(prefetch=_without("medications"))
    _assert_generic_412(response)
    assert "medications" in response.json()["detail"]


def test_a_file_url_is_never_read(allow: Callable[..., None], fhir_server: FhirStub) -> None:
    allow(fhir_server.base)
    for server in ("file:///etc", "file:///etc/", "FILE://localhost/etc/passwd"):
        _assert_generic_412(_call(prefetch=_without("patient"), fhirServer=server))


def test_a_host_not_on_the_list_is_never_contacted(
    fhir_server: FhirStub, other_server: FhirStub, allow: Callable[..., None]
) -> None:
    allow(fhir_server.base)
    tricks = [
        other_server.base,
        f"{other_server.origin}/",
        # user-info: the host is the part after the "@"
        f"http://127.0.0.1:{fhir_server.port}@127.0.0.1:{other_server.port}/fhir",
        f"http://user:pw@127.0.0.1:{fhir_server.port}/fhir",
        # out of the listed base with dot segments, encoded or not
        f"{fhir_server.base}/../admin",
        f"{fhir_server.base}/%2e%2e/admin",
        f"{fhir_server.origin}/fhirx",
        f"{fhir_server.origin}/",
        f"{fhir_server.base}\\..\\admin",
        f"https://127.0.0.1:{fhir_server.port}/fhir",
        f"http://localhost:{fhir_server.port}/fhir",
    ]
    for server in tricks:
        response = _call(
            prefetch=_without("conditions"), fhirServer=server, fhirAuthorization=TOKEN
        )
        _assert_generic_412(response, "tok-123")
    assert other_server.seen == []
    assert fhir_server.seen == []


def test_the_cloud_metadata_address_is_never_contacted(
    fhir_server: FhirStub, allow: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    allow(fhir_server.base)
    connections: list[Any] = []
    real = socket.create_connection

    def record(address: Any, *args: Any, **kwargs: Any) -> Any:
        connections.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", record)
    for server in (
        "http://169.254.169.254/latest/meta-data",
        "http://169.254.169.254:80/fhir",
        "http://[fd00:ec2::254]/latest",
        "http://metadata.google.internal/computeMetadata/v1",
    ):
        _assert_generic_412(_call(prefetch=_without("patient"), fhirServer=server))
    assert connections == []


def test_a_redirect_off_the_list_is_not_followed(
    fhir_server: FhirStub, other_server: FhirStub, allow: Callable[..., None]
) -> None:
    allow(fhir_server.base)
    for target in (
        f"{other_server.base}/Condition?patient=p1",
        "http://169.254.169.254/latest/meta-data",
        "file:///etc/passwd",
        f"{fhir_server.origin}/admin",
    ):
        fhir_server.routes["Condition"] = Reply(302, headers={"Location": target})
        response = _call(
            prefetch=_without("conditions"), fhirServer=fhir_server.base, fhirAuthorization=TOKEN
        )
        _assert_generic_412(response, "tok-123", "passwd", "meta-data")
    assert other_server.seen == []
    assert [seen.path for seen in fhir_server.seen] == ["/fhir/Condition?patient=p1"] * 4


def test_a_redirect_within_the_fhir_server_is_followed(
    fhir_server: FhirStub, allow: Callable[..., None]
) -> None:
    allow(fhir_server.base)
    fhir_server.routes["Condition"] = Reply(
        307, headers={"Location": "/fhir/v2/Condition?patient=p1"}
    )
    fhir_server.routes["/fhir/v2/Condition?patient=p1"] = _searchset(
        _condition("L91.0", "Keloid scar")
    )
    response = _call(
        prefetch=_without("conditions"), fhirServer=fhir_server.base, fhirAuthorization=TOKEN
    )
    assert response.status_code == 200, response.content
    assert response.json()["cards"][0]["indicator"] == "critical"
    assert [seen.headers.get("Authorization") for seen in fhir_server.seen] == [
        "Bearer tok-123",
        "Bearer tok-123",
    ]


def test_a_listed_server_under_a_listed_base_gets_the_token_and_no_other(
    fhir_server: FhirStub, other_server: FhirStub, allow: Callable[..., None]
) -> None:
    """Two servers on the list: each call's token goes to its own fhirServer only."""
    allow(fhir_server.base, other_server.origin)
    response = _call(
        prefetch=_without("medications"),
        fhirServer=f"{other_server.origin}/tenant-b",
        fhirAuthorization={"access_token": "token-b"},
    )
    assert response.status_code == 200, response.content
    assert [s.headers.get("Authorization") for s in other_server.seen] == ["Bearer token-b"]
    assert fhir_server.seen == []


def test_a_server_that_never_answers_is_412_in_bounded_time(
    allow: Callable[..., None],
) -> None:
    for drip in (False, True):
        with silent_server(drip=drip) as base:
            allow(base, timeout=0.5, total=1)
            started = time.monotonic()
            response = _call(prefetch=_without("conditions"), fhirServer=base)
            elapsed = time.monotonic() - started
        _assert_generic_412(response)
        # The deadline is 1 s; the bound is loose for a loaded machine, and well under the
        # minute the dripping server keeps going.
        assert elapsed < 30


def test_a_closed_port_and_an_error_status_are_412_without_detail(
    fhir_server: FhirStub, allow: Callable[..., None]
) -> None:
    closed = closed_port_url()
    allow(closed, fhir_server.base)
    _assert_generic_412(_call(prefetch=_without("patient"), fhirServer=closed))
    fhir_server.routes["Condition"] = Reply(500, body={"secret": "stack trace"})
    response = _call(prefetch=_without("conditions"), fhirServer=fhir_server.base)
    _assert_generic_412(response, "500", "stack")


def test_an_answer_over_the_byte_limit_is_412(
    fhir_server: FhirStub, allow: Callable[..., None], settings: Any
) -> None:
    allow(fhir_server.base)
    settings.CDS_HOOKS_FHIR_MAX_BYTES = 1000
    fhir_server.routes["Condition"] = _searchset(
        *[_condition("I10", "Essential hypertension") for _ in range(20)]
    )
    _assert_generic_412(_call(prefetch=_without("conditions"), fhirServer=fhir_server.base))


def test_a_missing_patient_on_the_server_is_a_clear_400(
    fhir_server: FhirStub, allow: Callable[..., None]
) -> None:
    allow(fhir_server.base)
    fhir_server.routes["Patient"] = Reply(404, body={"resourceType": "OperationOutcome"})
    response = _call(prefetch=_without("patient"), fhirServer=fhir_server.base)
    assert response.status_code == 400
    assert "no such patient" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"hook": "order-sign"}, "hook: the service cit-screening answers patient-view only"),
        ({"hookInstance": ""}, "hookInstance: required"),
        ({"context": {"userId": "Practitioner/9"}}, "context.patientId: required"),
        (
            {"prefetch": _prefetch(patient={"resourceType": "Patient", "birthDate": "3000-01-01"})},
            "cannot be read",
        ),
        ({"context": {"patientId": "../Practitioner/1"}}, "context.patientId: not a FHIR id"),
        ({"context": {"patientId": ".."}}, "context.patientId: not a FHIR id"),
        ({"context": {"patientId": ["p1"]}}, "context.patientId: required"),
        ({"context": "p1"}, "context.patientId: required"),
        ({"prefetch": ["p1"]}, "prefetch: expected an object"),
        (
            {"fhirAuthorization": {"access_token": "t\r\nX-Injected: 1"}},
            "fhirAuthorization.access_token: not a bearer token",
        ),
        ({"fhirAuthorization": "t"}, "fhirAuthorization: expected an object"),
    ],
    ids=[
        "unknown-hook",
        "no-instance",
        "no-patient",
        "future-birth",
        "patient-path",
        "patient-dots",
        "patient-list",
        "context-string",
        "prefetch-list",
        "token-crlf",
        "authorization-string",
    ],
)
def test_malformed_requests_are_400(body: dict[str, Any], message: str) -> None:
    response = _call(**body)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_non_json_body_and_unknown_service() -> None:
    client = EhrClient()
    response = client.post("/cds-services/cit-screening", "{", content_type="application/json")
    assert response.status_code == 400
    assert (
        client.post("/cds-services/nope", "{}", content_type="application/json").status_code == 404
    )
    assert client.get("/cds-services/cit-screening").status_code == 405


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"[" * 100_000 + b"]" * 100_000, 400),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, 400),
        (b"[" * 100_000, 400),
        (b"[" * 65 + b"]" * 65, 400),
        (b'{"hook": "patient-view", "x": ' + b"1" * 5000 + b"}", 400),
        (b'{"hook": NaN}', 400),
        (b"\xff\xfe", 400),
        (b" " * 2_000_001, 413),
    ],
    ids=["deep-list", "deep-object", "unclosed", "too-deep", "long-int", "nan", "bytes", "huge"],
)
def test_hostile_bodies_are_4xx(raw: bytes, status: int, settings: Any) -> None:
    settings.CDS_HOOKS_MAX_BODY_BYTES = 2_000_000
    response = EhrClient().post("/cds-services/cit-screening", raw, content_type="application/json")
    assert response.status_code == status, response.content
    assert response.json()["detail"]


def test_hostile_bodies_nested_in_a_valid_request_are_4xx() -> None:
    deep: Any = "x"
    for _ in range(60):
        deep = {"extension": [{"url": "http://x", "valueString": "x", "extension": [deep]}]}
    patient = {**PATIENT, "extension": [deep]}
    response = _call(prefetch=_prefetch(patient=patient))
    assert response.status_code == 400, response.content
    appointments = {"resourceType": "Bundle", "type": "collection", "entry": 7}
    body = {
        "hook": "appointment-book",
        "hookInstance": "x",
        "context": {"patientId": "p1", "appointments": appointments},
        "prefetch": _prefetch(),
    }
    response = EhrClient().post(
        "/cds-services/cit-screening-appointment", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400, response.content


# -- every page of every search --------------------------------------------------------------------


def _page(*resources: dict[str, Any], next_url: Any = None) -> dict[str, Any]:
    page = _searchset(*resources)
    page["link"] = [{"relation": "self", "url": "x"}]
    if next_url:
        page["link"].append({"relation": "next", "url": next_url})
    return page


HYPERTENSION = _condition("I10", "Essential (primary) hypertension")
KELOID = _condition("L91.0", "Keloid scar")


def test_discovery_asks_for_medication_statements_too() -> None:
    assert PREFETCH_TEMPLATES["medications"] == "MedicationRequest?patient={{context.patientId}}"
    assert (
        PREFETCH_TEMPLATES["medication_statements"]
        == "MedicationStatement?patient={{context.patientId}}"
    )
    assert set(PREFETCH_TEMPLATES) == {
        "patient",
        "conditions",
        "medications",
        "medication_statements",
        "allergies",
        "observations",
        "procedures",
    }


def test_missing_medication_statements_are_fetched(
    fhir_server: FhirStub, allow: Callable[..., None]
) -> None:
    allow(fhir_server.base)
    fhir_server.routes["MedicationStatement"] = _searchset(
        {
            "resourceType": "MedicationStatement",
            "status": "intended",
            "medicationCodeableConcept": {"text": "Isotretinoin 20 MG Oral Capsule"},
            "effectivePeriod": {"start": _days(20)},
            "subject": {"reference": "Patient/p1"},
        }
    )
    response = _call(prefetch=_without("medication_statements"), fhirServer=fhir_server.base)
    assert response.status_code == 200, response.content
    screening = response.json()["cards"][0]["extension"]["org.cit.screening"]
    assert (screening["decision"], screening.get("until")) == ("defer", None)
    assert [s.path for s in fhir_server.seen] == ["/fhir/MedicationStatement?patient=p1"]


def test_a_paged_search_is_read_to_the_end(
    fhir_server: FhirStub, allow: Callable[..., None]
) -> None:
    """The keloid is on the second page: screening the first alone would say treat."""
    allow(fhir_server.base)
    second = f"{fhir_server.base}?_getpages=abc&_getpagesoffset=1"
    fhir_server.routes["Condition"] = _page(HYPERTENSION, next_url=second)
    fhir_server.routes["/fhir?_getpages=abc&_getpagesoffset=1"] = _page(KELOID)
    response = _call(
        prefetch=_without("conditions"), fhirServer=fhir_server.base, fhirAuthorization=TOKEN
    )
    assert response.status_code == 200, response.content
    assert response.json()["cards"][0]["extension"]["org.cit.screening"]["decision"] == (
        "do_not_treat"
    )
    assert [(s.path, s.headers["Authorization"]) for s in fhir_server.seen] == [
        ("/fhir/Condition?patient=p1", "Bearer tok-123"),
        ("/fhir?_getpages=abc&_getpagesoffset=1", "Bearer tok-123"),
    ]


def test_a_next_link_off_the_fhir_server_is_412(
    fhir_server: FhirStub, other_server: FhirStub, allow: Callable[..., None]
) -> None:
    allow(fhir_server.base, other_server.base)  # even another allowed server
    for next_url in (f"{other_server.base}/Condition?page=2", "file:///etc/passwd", 7):
        fhir_server.routes["Condition"] = _page(HYPERTENSION, next_url=next_url)
        response = _call(
            prefetch=_without("conditions"), fhirServer=fhir_server.base, fhirAuthorization=TOKEN
        )
        _assert_generic_412(response, "tok-123", "passwd")
    assert other_server.seen == []


def test_more_pages_than_allowed_is_412_not_a_card(
    fhir_server: FhirStub, allow: Callable[..., None]
) -> None:
    allow(fhir_server.base)
    endless = f"{fhir_server.base}?page=again"
    fhir_server.routes["Condition"] = _page(HYPERTENSION, next_url=endless)
    fhir_server.routes["/fhir?page=again"] = _page(HYPERTENSION, next_url=endless)
    _assert_generic_412(_call(prefetch=_without("conditions"), fhirServer=fhir_server.base))
    assert len(fhir_server.seen) == 20


def test_a_page_that_cannot_be_read_is_412(
    fhir_server: FhirStub, allow: Callable[..., None]
) -> None:
    allow(fhir_server.base)
    fhir_server.routes["Condition"] = _page(HYPERTENSION, next_url=f"{fhir_server.base}?p=2")
    for broken in (Reply(500), Reply(body={"resourceType": "Patient"}), Reply(body=[1])):
        fhir_server.routes["/fhir?p=2"] = broken
        _assert_generic_412(_call(prefetch=_without("conditions"), fhirServer=fhir_server.base))


def test_a_prefetched_page_with_a_next_link_is_completed_or_412(
    fhir_server: FhirStub, allow: Callable[..., None]
) -> None:
    fhir_server.routes["/fhir?p=2"] = _page(KELOID)
    first = _page(HYPERTENSION, next_url=f"{fhir_server.base}?p=2")
    prefetch = _prefetch(conditions=first)
    # No access to the server: never a card built on the first page.
    response = _call(prefetch=prefetch, fhirServer=fhir_server.base)
    _assert_generic_412(response)
    assert "conditions" in response.json()["detail"]
    assert fhir_server.seen == []
    _assert_generic_412(_call(prefetch=prefetch))
    allow(fhir_server.base)
    response = _call(prefetch=prefetch, fhirServer=fhir_server.base)
    assert response.status_code == 200, response.content
    assert response.json()["cards"][0]["indicator"] == "critical"
    assert [s.path for s in fhir_server.seen] == ["/fhir?p=2"]


def test_an_operation_outcome_prefetch_is_fetched_or_412(
    fhir_server: FhirStub, allow: Callable[..., None]
) -> None:
    """CDS Hooks 2.0: a client that could not prefetch a key sends an OperationOutcome."""
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "error"}]}
    prefetch = _prefetch(conditions=outcome)
    response = _call(prefetch=prefetch)
    _assert_generic_412(response)
    assert "conditions" in response.json()["detail"]
    allow(fhir_server.base)
    fhir_server.routes["Condition"] = _searchset(KELOID)
    response = _call(prefetch=prefetch, fhirServer=fhir_server.base)
    assert response.status_code == 200, response.content
    assert response.json()["cards"][0]["indicator"] == "critical"


@pytest.mark.parametrize(
    "conditions",
    [
        {"resourceType": "Bundle", "type": "searchset", "entry": 5},
        {"resourceType": "Bundle", "type": "searchset", "entry": ["x"]},
        {"resourceType": 5},
        [],
    ],
    ids=["entry-number", "entry-string", "type-number", "list"],
)
def test_malformed_prefetch_bundles_are_400(conditions: Any) -> None:
    response = _call(prefetch=_prefetch(conditions=conditions))
    assert response.status_code == 400, response.content


def test_an_entry_search_that_is_not_an_object_is_not_a_500() -> None:
    conditions = {"resourceType": "Bundle", "entry": [{"search": [], "resource": KELOID}]}
    response = _call(prefetch=_prefetch(conditions=conditions))
    assert response.status_code == 200, response.content
    assert response.json()["cards"][0]["indicator"] == "critical"
