"""CDS Hooks 2.0 as the spec says: the client's signed JWT on every call (and the same 401 for
every way it can be wrong), CORS for the clients' origins only, cards with uuid, source.url,
links and override reasons and no null or empty element, the hook of the service called, and
feedback recorded against the cards sent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.test import Client

from cit.clinic.audit.models import AuditAction, AuditEvent
from cit.clinic.cds.models import CdsCard, CdsFeedback
from cit.clinic.labels import object_label
from tests.api.cds_jwt import (
    ISSUER,
    ORIGIN,
    EhrClient,
    Signer,
    bearer,
    es384,
    jwks,
    rs384,
    trust,
    url,
)
from tests.interop.fhir_stub import FhirStub

pytestmark = pytest.mark.django_db

SERVICE = "/cds-services/cit-screening"
BOOKING = "/cds-services/cit-screening-appointment"
MRN_SYSTEM = "urn:oid:2.16.840.1.113883.3.999.1"
PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1985-06-01"}
EMPTY = {"resourceType": "Bundle", "type": "searchset", "entry": []}
UNAUTHORISED = {"detail": "Send a valid CDS Hooks client JWT."}


@pytest.fixture(autouse=True)
def ehr(settings: Any) -> None:
    trust(settings)


def _searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    return {**EMPTY, "entry": [{"resource": resource} for resource in resources]}


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


def _body(patient: dict[str, Any] | None = None, **prefetch: Any) -> str:
    keys = ("conditions", "medications", "medication_statements", "allergies")
    full = {key: EMPTY for key in (*keys, "observations", "procedures")}
    return json.dumps(
        {
            "hook": "patient-view",
            "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "Practitioner/9", "patientId": "p1"},
            "prefetch": {**full, "patient": patient or PATIENT, **prefetch},
        }
    )


def _post(path: str = SERVICE, authorization: str | None = None, body: str = "") -> Any:
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    return Client().post(path, body or _body(), content_type="application/json", **headers)


def _assert_refused(response: Any) -> None:
    assert response.status_code == 401, response.content
    assert response.json() == UNAUTHORISED
    assert response["WWW-Authenticate"] == 'Bearer realm="cds-services"'


# -- the JWT ----------------------------------------------------------------------------------


@pytest.mark.parametrize("signer", [rs384, es384], ids=["RS384", "ES384"])
def test_a_call_signed_by_a_trusted_ehr_is_answered(signer: Any) -> None:
    response = _post(authorization=bearer(SERVICE, signer()))
    assert response.status_code == 200, response.content
    assert len(response.json()["cards"]) == 1


def test_aud_may_be_a_list_naming_the_service() -> None:
    token = rs384().token([url(SERVICE), "https://elsewhere.example/x"])
    assert _post(authorization=f"Bearer {token}").status_code == 200


def _forged_with_another_key() -> str:
    impostor = Signer("RS384", rs384().kid)  # same kid, not the EHR's key
    return impostor.token(url(SERVICE))


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _alg_none() -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": url(SERVICE), "iat": now, "exp": now + 60, "jti": "n1"}
    return f"{_b64({'alg': 'none', 'kid': rs384().kid, 'typ': 'JWT'})}.{_b64(claims)}."


def _hs256_with_the_public_key() -> str:
    # The classic confusion: an HMAC "signed" with the RSA public key (PEM) as the secret.
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": url(SERVICE), "iat": now, "exp": now + 60, "jti": "h1"}
    secret = (
        rs384()
        .private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = {"alg": "HS256", "kid": rs384().kid, "typ": "JWT"}
    signing_input = f"{_b64(header)}.{_b64(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def _rs256() -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": url(SERVICE), "iat": now, "exp": now + 60, "jti": "r1"}
    return jwt.encode(claims, rs384().private, algorithm="RS256", headers={"kid": rs384().kid})


def _tampered() -> str:
    header, payload, signature = rs384().token(url(SERVICE)).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["aud"] = url(BOOKING)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize(
    "authorization",
    [
        lambda: None,
        lambda: "Basic dXNlcjpwYXNz",
        lambda: "Bearer ",
        lambda: "Bearer not-a-jwt",
        lambda: bearer(BOOKING),  # a token for the other service
        lambda: bearer(SERVICE + "/feedback"),
        lambda: f"Bearer {rs384().token('https://evil.example/cds-services/cit-screening')}",
        lambda: bearer(SERVICE, exp=int(time.time()) - 120),
        lambda: bearer(SERVICE, exp=int(time.time()) + 3600),  # beyond the longest lifetime
        lambda: bearer(SERVICE, iat=int(time.time()) + 600),  # issued in the future
        lambda: bearer(SERVICE, iat=None),
        lambda: bearer(SERVICE, exp=None),
        lambda: bearer(SERVICE, jti=None),
        lambda: bearer(SERVICE, jti=""),
        lambda: bearer(SERVICE, aud=None),
        lambda: bearer(SERVICE, iss="https://unknown-ehr.example"),
        lambda: bearer(SERVICE, iss=None),
        lambda: f"Bearer {_forged_with_another_key()}",
        lambda: f"Bearer {_tampered()}",
        lambda: f"Bearer {rs384().token(url(SERVICE), header={'kid': 'no-such-kid'})}",
        lambda: f"Bearer {rs384().token(url(SERVICE), header={'kid': es384().kid})}",
        lambda: f"Bearer {_alg_none()}",
        lambda: f"Bearer {_hs256_with_the_public_key()}",
        lambda: f"Bearer {_rs256()}",
    ],
    ids=[
        "no-header",
        "basic",
        "empty-bearer",
        "not-a-jwt",
        "aud-other-service",
        "aud-feedback",
        "aud-other-host",
        "expired",
        "exp-too-far",
        "iat-future",
        "no-iat",
        "no-exp",
        "no-jti",
        "empty-jti",
        "no-aud",
        "unknown-iss",
        "no-iss",
        "bad-signature",
        "tampered-claims",
        "unknown-kid",
        "kid-of-another-key-type",
        "alg-none",
        "alg-hs256",
        "alg-rs256",
    ],
)
def test_every_bad_token_gets_the_same_401_and_no_card(authorization: Any) -> None:
    response = _post(authorization=authorization())
    _assert_refused(response)
    assert not CdsCard.objects.exists()
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.channel) == (AuditAction.DENIED, "cds")


def test_a_replayed_token_is_refused() -> None:
    authorization = bearer(SERVICE)
    assert _post(authorization=authorization).status_code == 200
    _assert_refused(_post(authorization=authorization))
    assert CdsCard.objects.count() == 1


def test_the_same_jti_from_another_issuer_is_not_a_replay(settings: Any) -> None:
    other = Signer("ES384", "other-ec")
    settings.CDS_HOOKS_CLIENTS = json.dumps(
        {
            ISSUER: {"jwks": jwks()},
            "https://other-ehr.example": {"jwks": {"keys": [other.jwk]}},
        }
    )
    jti = str(uuid.uuid4())
    assert _post(authorization=bearer(SERVICE, jti=jti)).status_code == 200
    token = other.token(url(SERVICE), iss="https://other-ehr.example", jti=jti)
    assert _post(authorization=f"Bearer {token}").status_code == 200


def test_a_private_key_in_the_jwks_is_not_used(settings: Any) -> None:
    private = jwt.algorithms.RSAAlgorithm.to_jwk(rs384().private, as_dict=True)
    trust(settings, jwks={"keys": [{**private, "kid": rs384().kid}]})
    _assert_refused(_post(authorization=bearer(SERVICE)))


def test_with_no_client_configured_every_call_is_refused(settings: Any) -> None:
    settings.CDS_HOOKS_CLIENTS = "{}"
    _assert_refused(_post(authorization=bearer(SERVICE)))


@pytest.fixture
def jwks_server() -> Iterator[FhirStub]:
    with FhirStub() as stub:
        stub.routes["/ehr/jwks.json"] = jwks()
        yield stub


def test_the_jwks_is_fetched_from_the_configured_url_and_kept(
    settings: Any, jwks_server: FhirStub
) -> None:
    jwks_url = f"{jwks_server.origin}/ehr/jwks.json"
    trust(settings, jwks_url=jwks_url)
    assert _post(authorization=bearer(SERVICE)).status_code == 200
    token = rs384().token(url(SERVICE), header={"jku": jwks_url})
    assert _post(authorization=f"Bearer {token}").status_code == 200
    assert _post(authorization=bearer(SERVICE, es384())).status_code == 200
    # Read once for the three calls, with no credential of anyone's.
    [seen] = jwks_server.seen
    assert seen.path == "/ehr/jwks.json"
    assert "Authorization" not in seen.headers


def test_a_jku_other_than_the_configured_url_is_never_fetched(
    settings: Any, jwks_server: FhirStub
) -> None:
    trust(settings, jwks_url=f"{jwks_server.origin}/ehr/jwks.json")
    with FhirStub() as attacker:
        attacker.routes["/keys"] = {"keys": [Signer("RS384", "attacker").jwk]}
        token = rs384().token(url(SERVICE), header={"jku": f"{attacker.origin}/keys"})
        _assert_refused(_post(authorization=f"Bearer {token}"))
        assert attacker.seen == []
    assert jwks_server.seen == []


def test_an_unknown_kid_refetches_the_jwks_at_most_once_a_while(
    settings: Any, jwks_server: FhirStub
) -> None:
    trust(settings, jwks_url=f"{jwks_server.origin}/ehr/jwks.json")
    assert _post(authorization=bearer(SERVICE)).status_code == 200
    for _ in range(3):
        token = rs384().token(url(SERVICE), header={"kid": "rotated-later"})
        _assert_refused(_post(authorization=f"Bearer {token}"))
    assert len(jwks_server.seen) == 1


def test_an_unreachable_jwks_is_the_same_401(settings: Any) -> None:
    with FhirStub() as stub:
        gone = f"{stub.origin}/ehr/jwks.json"  # closed once the block ends: nothing answers
    trust(settings, jwks_url=gone)
    _assert_refused(_post(authorization=bearer(SERVICE)))


# -- CORS -------------------------------------------------------------------------------------


def _preflight(origin: str, path: str = SERVICE) -> Any:
    return Client().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


def test_a_preflight_from_a_clients_origin_is_allowed(settings: Any) -> None:
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    response = _preflight(ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "authorization" in response["Access-Control-Allow-Headers"]
    call = Client().post(
        SERVICE,
        _body(),
        content_type="application/json",
        HTTP_ORIGIN=ORIGIN,
        HTTP_AUTHORIZATION=bearer(SERVICE),
    )
    assert call.status_code == 200
    assert call["Access-Control-Allow-Origin"] == ORIGIN
    refused = Client().post(SERVICE, _body(), content_type="application/json", HTTP_ORIGIN=ORIGIN)
    assert refused.status_code == 401
    assert refused["Access-Control-Allow-Origin"] == ORIGIN  # the browser may read the 401


def test_cors_is_refused_to_other_origins_and_other_paths(settings: Any) -> None:
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    assert "Access-Control-Allow-Origin" not in _preflight("https://evil.example")
    assert "Access-Control-Allow-Origin" not in _preflight(ORIGIN, "/api/patients")
    assert "Access-Control-Allow-Origin" not in _preflight(ORIGIN, "/fhir/metadata")


def test_the_settings_allow_the_configured_origins() -> None:
    from cit.interop.cds_auth import cors_origins, parse_clients

    clients = parse_clients(
        {
            "https://a.example": {"jwks": {"keys": []}, "cors_origins": ["https://a.example/"]},
            "https://b.example": {"jwks": {"keys": []}, "cors_origins": ["http://b.example:8080"]},
        }
    )
    assert cors_origins(clients) == ["http://b.example:8080", "https://a.example"]


@pytest.mark.parametrize(
    "entry",
    [
        {},
        {"jwks_url": "file:///etc/passwd"},
        {"jwks": {"keys": []}, "cors_origins": ["https://a.example/path"]},
        {"jwks": {"keys": []}, "fhir_servers": ["gopher://x"]},
        {"jwks": {"keys": []}, "typo": 1},
    ],
    ids=["no-keys", "file-url", "origin-path", "fhir-scheme", "unknown-key"],
)
def test_a_wrong_client_setting_is_refused_at_start(entry: dict[str, Any]) -> None:
    from cit.interop.cds_auth import parse_clients

    with pytest.raises(ValueError):
        parse_clients({ISSUER: entry})


# -- the cards --------------------------------------------------------------------------------


def _no_null_or_empty(value: Any, where: str = "$") -> list[str]:
    """Where in ``value`` a null, "", [] or {} sits."""
    if value is None or (isinstance(value, str | list | dict) and not value):
        return [where]
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _no_null_or_empty(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _no_null_or_empty(item, f"{where}[{index}]")
    return found


FIXTURES = {
    "treat": {},
    "do-not-treat": {"conditions": _searchset(_condition("L91.0", "Keloid scar"))},
    "refer": {"conditions": _searchset(_condition("E11.9", "Type 2 diabetes"))},
    "defer": {"conditions": _searchset(_condition("B00.1", "Herpesviral vesicular dermatitis"))},
    "precautions": {
        "conditions": _searchset(
            _condition("B00.1", "Herpesviral vesicular dermatitis", "resolved")
        )
    },
    "unrecognised": {
        "conditions": _searchset(
            {**_condition("X", "x"), "code": {"text": "Something the rules do not know"}}
        )
    },
}


@pytest.mark.parametrize("case", list(FIXTURES))
def test_cards_are_complete_and_hold_no_null_or_empty_element(
    case: str, settings: Any, clinic: Any, make_patient: Any
) -> None:
    settings.SITE_URL = "https://cit.clinic.example"
    settings.FHIR_DEFINITIONS_BASE = "https://cit.clinic.example/fhir"
    settings.CDS_HOOKS_SMART_LAUNCH_URL = "https://cit.clinic.example/smart/launch"
    ada = make_patient(clinic)
    trust(settings, patient_identifier_system=MRN_SYSTEM, clinic=clinic.name)
    patient = {**PATIENT, "identifier": [{"system": MRN_SYSTEM, "value": ada.record_number}]}
    response = _post(authorization=bearer(SERVICE), body=_body(patient, **FIXTURES[case]))
    assert response.status_code == 200, response.content
    answer = response.json()
    assert _no_null_or_empty(answer) == []
    [card] = answer["cards"]
    assert uuid.UUID(card["uuid"]).version == 4
    assert card["indicator"] in ("info", "warning", "critical")
    assert ".." not in card["detail"]
    assert card["source"]["url"] == "https://cit.clinic.example"
    assert card["source"]["label"]
    assert card["links"] == [
        {
            "label": "Open the patient's screening in CIT",
            "url": f"https://cit.clinic.example/patients/{ada.pk}/screening/",
            "type": "absolute",
        },
        {
            "label": "Open CIT in the EHR (SMART app)",
            "url": "https://cit.clinic.example/smart/launch",
            "type": "smart",
        },
    ]
    if card["indicator"] == "info":
        assert "overrideReasons" not in card
    else:
        reasons = card["overrideReasons"]
        assert {reason["system"] for reason in reasons} == {
            "https://cit.clinic.example/fhir/CodeSystem/cds-override-reason"
        }
        assert all(reason["code"] and reason["display"] for reason in reasons)
    stored = CdsCard.objects.get(uuid=card["uuid"])
    assert (stored.issuer, stored.patient) == (ISSUER, ada)
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.patient, event.detail["cards"]) == (
        AuditAction.DECISION_SUPPORT,
        ada,
        [card["uuid"]],
    )


def test_indicators_follow_the_decision() -> None:
    expected = {
        "treat": "info",
        "precautions": "info",
        "do-not-treat": "critical",
        "refer": "warning",
        "defer": "warning",
    }
    for case, indicator in expected.items():
        body = _body(**FIXTURES[case])
        [card] = _post(authorization=bearer(SERVICE), body=body).json()["cards"]
        assert card["indicator"] == indicator, case


def test_each_card_has_its_own_uuid_and_no_smart_link_unless_configured() -> None:
    first = _post(authorization=bearer(SERVICE)).json()["cards"][0]
    second = _post(authorization=bearer(SERVICE)).json()["cards"][0]
    assert first["uuid"] != second["uuid"]
    # No CIT patient named by the EHR's record: the link is to the patient search.
    assert first["links"] == [
        {"label": "Find the patient in CIT", "url": url("/patients/"), "type": "absolute"}
    ]


def test_a_hook_the_service_does_not_declare_is_400() -> None:
    body = json.loads(_body())
    body["hook"] = "appointment-book"
    response = _post(authorization=bearer(SERVICE), body=json.dumps(body))
    assert response.status_code == 400
    assert "answers patient-view only" in response.json()["detail"]
    body["hook"] = "patient-view"
    response = _post(BOOKING, authorization=bearer(BOOKING), body=json.dumps(body))
    assert response.status_code == 400
    assert "answers appointment-book only" in response.json()["detail"]


def test_a_fhir_server_of_another_client_is_never_read(settings: Any) -> None:
    with FhirStub() as theirs:
        settings.CDS_HOOKS_CLIENTS = json.dumps(
            {
                ISSUER: {"jwks": jwks()},
                "https://other-ehr.example": {
                    "jwks": {"keys": []},
                    "fhir_servers": [theirs.base],
                },
            }
        )
        body = json.loads(_body())
        del body["prefetch"]["medications"]
        body["fhirServer"] = theirs.base
        response = _post(authorization=bearer(SERVICE), body=json.dumps(body))
        assert response.status_code == 412
        assert response.json() == {
            "detail": "Not prefetched: medications. "
            "The FHIR server could not be read; send the data as prefetch."
        }
        assert theirs.seen == []


# -- feedback ---------------------------------------------------------------------------------


def _card(**prefetch: Any) -> dict[str, Any]:
    response = _post(authorization=bearer(SERVICE), body=_body(**prefetch))
    assert response.status_code == 200, response.content
    card: dict[str, Any] = response.json()["cards"][0]
    return card


def _feedback(*items: dict[str, Any], authorization: str | None = None) -> Any:
    path = f"{SERVICE}/feedback"
    return Client().post(
        path,
        json.dumps({"feedback": list(items)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=authorization or bearer(path),
    )


def test_feedback_is_recorded_and_audited() -> None:
    card = _card(**FIXTURES["refer"])
    reason = card["overrideReasons"][0]
    response = _feedback(
        {
            "card": card["uuid"],
            "outcome": "overridden",
            "overrideReason": {"reason": reason, "userComment": "Seen by her GP last week."},
            "outcomeTimestamp": "2026-11-26T10:05:31Z",
        }
    )
    assert response.status_code == 200, response.content
    feedback = CdsFeedback.objects.get()
    assert str(feedback.card_id) == card["uuid"]
    assert (feedback.outcome, feedback.override_code, feedback.override_system) == (
        "overridden",
        reason["code"],
        reason["system"],
    )
    assert feedback.user_comment == "Seen by her GP last week."
    assert feedback.outcome_at.isoformat() == "2026-11-26T10:05:31+00:00"
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.channel, event.object_type) == (
        AuditAction.DECISION_SUPPORT,
        "cds",
        "cds.CdsFeedback",
    )
    assert event.detail["card"] == card["uuid"]
    assert object_label(event.object_type) == "EHR feedback on a decision support card"


def test_accepted_and_plain_overridden_feedback_in_one_call() -> None:
    first, second = _card(), _card()
    response = _feedback(
        {"card": first["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-11-26T10:00:00Z"},
        {"card": second["uuid"].upper(), "outcome": "overridden",
         "outcomeTimestamp": "2026-11-26T10:01:00.52+01:00"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert sorted(CdsFeedback.objects.values_list("outcome", flat=True)) == [
        "accepted",
        "overridden",
    ]


@pytest.mark.parametrize(
    "item",
    [
        {"card": "00000000-0000-4000-8000-000000000000", "outcome": "accepted"},
        {"card": "not-a-uuid", "outcome": "accepted"},
        {"outcome": "accepted"},
        {"card": "CARD", "outcome": "ignored"},
        {"card": "CARD", "outcome": "accepted", "outcomeTimestamp": "yesterday"},
        {"card": "CARD", "outcome": "accepted", "outcomeTimestamp": "2026-11-26T10:00:00"},
        {"card": "CARD", "outcome": "accepted", "outcomeTimestamp": None},
        {"card": "CARD", "outcome": "accepted", "overrideReason": {"userComment": "x"}},
        {"card": "CARD", "outcome": "overridden", "overrideReason": {"reason": {"code": "x"}}},
        {"card": "CARD", "outcome": "accepted", "acceptedSuggestions": [{"id": 7}]},
    ],
    ids=[
        "unknown-card",
        "not-a-uuid",
        "no-card",
        "bad-outcome",
        "bad-time",
        "no-zone",
        "no-time",
        "reason-on-accepted",
        "coding-without-system",
        "suggestion-id-number",
    ],
)
def test_bad_feedback_is_400_and_records_nothing(item: dict[str, Any]) -> None:
    card = _card()
    item = {"outcomeTimestamp": "2026-11-26T10:00:00Z", **item}
    if item.get("card") == "CARD":
        item["card"] = card["uuid"]
    good = {"card": card["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-11-26T10:00Z"}
    response = _feedback(good, item)
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith("feedback[1]")
    assert not CdsFeedback.objects.exists()


def test_feedback_on_a_card_sent_to_another_client_or_service_is_refused(settings: Any) -> None:
    card = _card()
    other = Signer("ES384", "other-ec")
    settings.CDS_HOOKS_CLIENTS = json.dumps(
        {ISSUER: {"jwks": jwks()}, "https://other-ehr.example": {"jwks": {"keys": [other.jwk]}}}
    )
    item = {"card": card["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-11-26T10:00Z"}
    path = f"{SERVICE}/feedback"
    token = other.token(url(path), iss="https://other-ehr.example")
    assert _feedback(item, authorization=f"Bearer {token}").status_code == 400
    booking = f"{BOOKING}/feedback"
    response = Client().post(
        booking,
        json.dumps({"feedback": [item]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=bearer(booking),
    )
    assert response.status_code == 400
    assert not CdsFeedback.objects.exists()


def test_feedback_needs_the_jwt_too() -> None:
    card = _card()
    item = {"card": card["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-11-26T10:00Z"}
    _assert_refused(_feedback(item, authorization="Bearer nope"))
    _assert_refused(_feedback(item, authorization=bearer(BOOKING + "/feedback")))
    replayed = bearer(f"{SERVICE}/feedback")
    assert _feedback(item, authorization=replayed).status_code == 200
    _assert_refused(_feedback(item, authorization=replayed))
    assert CdsFeedback.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"feedback": []}, {"feedback": "x"}, [], {"feedback": [1]}],
    ids=["no-list", "empty", "string", "array", "not-object"],
)
def test_malformed_feedback_bodies_are_400(body: Any) -> None:
    path = f"{SERVICE}/feedback"
    response = EhrClient().post(path, json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
