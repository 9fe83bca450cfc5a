"""CDS Hooks 2.0 endpoints: ``GET /cds-services``, ``POST /cds-services/{id}`` and
``POST /cds-services/{id}/feedback``.

EHRs call these machine to machine, so there is no session or CSRF. Every call to a service
or its feedback endpoint carries the client's signed JWT, verified against the clients the
operator trusts (``CDS_HOOKS_CLIENTS``, see :mod:`cit.interop.cds_auth`); a ``jti`` is taken
once (the database remembers it until the token expires). Any failure is the same 401. The
discovery document is public: it says nothing about any patient. The work itself is in
:mod:`cit.interop.cds_hooks`; the FHIR servers a call may read are its client's
``fhir_servers`` (none: it reads nothing). Each call is audited.
"""

from __future__ import annotations

import datetime
import functools
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.cds.actions import (
    Feedback,
    IssuedCard,
    do_record_cards,
    do_record_feedback,
    do_use_token,
)
from cit.clinic.cds.models import CdsCard, FeedbackOutcome
from cit.clinic.patients.models import Patient
from cit.interop.bounded_json import MAX_DEPTH, JsonTooDeep, loads_bounded
from cit.interop.cds_auth import (
    CdsClient,
    JwksCache,
    Unauthorised,
    VerifiedCall,
    fetch_jwks,
    parse_clients,
    verify_call,
)
from cit.interop.cds_hooks import (
    SERVICES,
    CardSite,
    DataUnavailable,
    HookRequestError,
    answer_hook,
    discovery,
)
from cit.interop.fhir_client import FhirAccess, ServerUrl

logger = logging.getLogger(__name__)

UNAUTHORISED = "Send a valid CDS Hooks client JWT."
_MAX_FEEDBACK_ITEMS = 100
_MAX_TEXT = 2000


def _error(status: int, detail: str) -> JsonResponse:
    # Only "detail": CDS Hooks forbids empty elements in what it answers.
    return JsonResponse({"detail": detail}, status=status)


@functools.lru_cache(maxsize=4)
def _parsed_clients(raw: str) -> dict[str, CdsClient]:
    return parse_clients(raw)


def trusted_clients() -> dict[str, CdsClient]:
    raw = settings.CDS_HOOKS_CLIENTS
    return _parsed_clients(raw) if isinstance(raw, str) else parse_clients(raw)


def _jwks_fetch(url: ServerUrl) -> Any:
    # The limits are read at each fetch, so the settings hold when they change.
    limits = FhirAccess(
        timeout=float(settings.CDS_HOOKS_FHIR_TIMEOUT),
        total_timeout=float(settings.CDS_HOOKS_FHIR_TIMEOUT),
        max_bytes=int(settings.CDS_HOOKS_JWKS_MAX_BYTES),
    )
    return fetch_jwks(limits)(url)


# Per worker process: the keys are public, and a stale set lives CDS_HOOKS_JWKS_CACHE_SECONDS.
JWKS_CACHE = JwksCache(fetch=_jwks_fetch)


def fhir_access(client: CdsClient) -> FhirAccess:
    """The FHIR servers a call from ``client`` may read, and the limits, from the settings."""
    return FhirAccess(
        servers=client.fhir_servers,
        timeout=float(settings.CDS_HOOKS_FHIR_TIMEOUT),
        total_timeout=float(settings.CDS_HOOKS_FHIR_TOTAL_TIMEOUT),
        max_bytes=int(settings.CDS_HOOKS_FHIR_MAX_BYTES),
    )


def service_url(service_id: str) -> str:
    """The URL a client calls the service at: the ``aud`` its JWT must name."""
    return f"{settings.SITE_URL}/cds-services/{service_id}"


def _unauthorised(request: HttpRequest, service_id: str, reason: str) -> JsonResponse:
    logger.warning("CDS Hooks %s: refused a call: %s", service_id, reason)
    record_event(request, AuditAction.DENIED, channel="cds", detail={"service": service_id})
    response = _error(401, UNAUTHORISED)
    response["WWW-Authenticate"] = 'Bearer realm="cds-services"'
    return response


def _authenticate(
    request: HttpRequest, service_id: str, audience: tuple[str, ...]
) -> VerifiedCall | JsonResponse:
    """The verified call, or the uniform 401."""
    leeway = int(settings.CDS_HOOKS_JWT_LEEWAY_SECONDS)
    JWKS_CACHE.ttl = float(settings.CDS_HOOKS_JWKS_CACHE_SECONDS)
    try:
        call = verify_call(
            request.headers.get("Authorization", ""),
            clients=trusted_clients(),
            audience=audience,
            jwks_cache=JWKS_CACHE,
            max_lifetime=int(settings.CDS_HOOKS_JWT_MAX_LIFETIME_SECONDS),
            leeway=leeway,
        )
    except Unauthorised as error:
        return _unauthorised(request, service_id, error.reason)
    if not do_use_token(call.client.issuer, call.jti, call.expires, leeway=leeway):
        return _unauthorised(request, service_id, f"jti replayed by {call.client.issuer}")
    return call


def _read_body(request: HttpRequest) -> bytes | None:
    """The request body, or None when it is over CDS_HOOKS_MAX_BODY_BYTES."""
    limit = int(settings.CDS_HOOKS_MAX_BODY_BYTES)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def _json_body(request: HttpRequest) -> Any:
    """The decoded body, or the 4xx response saying why not."""
    raw = _read_body(request)
    if raw is None:
        limit = settings.CDS_HOOKS_MAX_BODY_BYTES
        return _error(413, f"The request body is larger than {limit} bytes.")
    try:
        return loads_bounded(raw or b"null")
    except JsonTooDeep:
        return _error(400, f"The request body nests deeper than {MAX_DEPTH} levels.")
    except ValueError as error:
        return _error(400, f"The request body is not JSON: {error}")


def _cit_patient(client: CdsClient, resource: Any) -> Patient | None:
    """The CIT patient the EHR's Patient resource names by CIT's record number (an identifier
    of the client's ``patient_identifier_system``), when exactly one does."""
    if not client.patient_identifier_system or not isinstance(resource, dict):
        return None
    identifiers = resource.get("identifier")
    if not isinstance(identifiers, list):
        return None
    numbers = {
        identifier["value"]
        for identifier in identifiers
        if isinstance(identifier, dict)
        and identifier.get("system") == client.patient_identifier_system
        and isinstance(identifier.get("value"), str)
    }
    if len(numbers) != 1:
        return None
    patients = Patient.objects.filter(record_number=numbers.pop(), archived_at__isnull=True)
    if client.clinic:
        patients = patients.filter(clinic__name=client.clinic)
    found = list(patients[:2])
    return found[0] if len(found) == 1 else None


class _CardLinks:
    """The cards' links: the patient's screening in CIT when the EHR's record names a CIT
    patient, else the patient search; a SMART launch when one is configured."""

    def __init__(self, client: CdsClient):
        self.client = client
        self.patient: Patient | None = None

    def __call__(self, resource: Any) -> list[dict[str, str]]:
        self.patient = _cit_patient(self.client, resource)
        if self.patient is not None:
            label = "Open the patient's screening in CIT"
            path = reverse("screening", args=[self.patient.pk])
        else:
            label = "Find the patient in CIT"
            path = reverse("patient-list")
        links = [{"label": label, "url": f"{settings.SITE_URL}{path}", "type": "absolute"}]
        if settings.CDS_HOOKS_SMART_LAUNCH_URL:
            links.append(
                {
                    "label": "Open CIT in the EHR (SMART app)",
                    "url": settings.CDS_HOOKS_SMART_LAUNCH_URL,
                    "type": "smart",
                }
            )
        return links


@require_GET
def cds_discovery(request: HttpRequest) -> HttpResponse:
    return JsonResponse(discovery())


@csrf_exempt
@require_POST
def cds_service(request: HttpRequest, service_id: str) -> HttpResponse:
    if service_id not in SERVICES:
        return _error(404, f"No CDS service '{service_id}'; see GET /cds-services.")
    call = _authenticate(request, service_id, (service_url(service_id),))
    if isinstance(call, HttpResponse):
        return call
    body = _json_body(request)
    if isinstance(body, HttpResponse):
        return body
    links = _CardLinks(call.client)
    try:
        answer = answer_hook(
            service_id,
            body,
            today=timezone.localdate(),
            profile=settings.CDS_HOOKS_PROFILE,
            fhir=fhir_access(call.client),
            site=CardSite(
                url=settings.SITE_URL,
                definitions_base=settings.FHIR_DEFINITIONS_BASE,
            ),
            links=links,
        )
    except HookRequestError as error:
        return _error(400, str(error))
    except DataUnavailable as error:
        logger.warning("CDS Hooks %s: answered 412: %s", service_id, error.reason)
        return _error(412, str(error))
    do_record_cards(
        [IssuedCard(c.uuid, c.decision, c.indicator, c.day) for c in answer.cards],
        service=service_id,
        issuer=call.client.issuer,
        hook_instance=str(body.get("hookInstance")),
        patient=links.patient,
    )
    record_event(
        request,
        AuditAction.DECISION_SUPPORT,
        patient=links.patient,
        object_type="protocol.Screening",
        channel="cds",
        detail={
            "service": service_id,
            "client": call.client.issuer,
            "hook": body.get("hook"),
            "hookInstance": str(body.get("hookInstance")),
            "decisions": list(answer.decisions),
            "cards": [card.uuid for card in answer.cards],
        },
    )
    return JsonResponse(answer.response)


class _FeedbackError(ValueError):
    pass


def _text(value: Any, where: str, *, required: bool = False, limit: int = _MAX_TEXT) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value or len(value) > limit:
        raise _FeedbackError(f"{where}: expected a non-empty string of at most {limit} characters")
    return value


def _timestamp(value: Any, where: str) -> datetime.datetime:
    text = _text(value, where, required=True, limit=40)
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise _FeedbackError(f"{where}: not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise _FeedbackError(f"{where}: give the time zone (UTC: a final Z)")
    return moment


def _feedback_item(item: Any, where: str, cards: Mapping[str, CdsCard]) -> Feedback:
    if not isinstance(item, dict):
        raise _FeedbackError(f"{where}: expected an object")
    card_uuid = _text(item.get("card"), f"{where}.card", required=True, limit=100)
    try:
        card = cards.get(str(uuid.UUID(card_uuid)))
    except ValueError:
        card = None
    if card is None:
        raise _FeedbackError(f"{where}.card: no such card was sent to this client by this service")
    outcome = item.get("outcome")
    if outcome not in FeedbackOutcome.values:
        raise _FeedbackError(f"{where}.outcome: expected accepted or overridden")
    accepted = item.get("acceptedSuggestions", [])
    if not isinstance(accepted, list) or len(accepted) > _MAX_FEEDBACK_ITEMS:
        raise _FeedbackError(f"{where}.acceptedSuggestions: expected a list")
    suggestion_ids = tuple(
        _text(
            s.get("id") if isinstance(s, dict) else None,
            f"{where}.acceptedSuggestions.id",
            required=True,
            limit=100,
        )  # fmt: skip
        for s in accepted
    )
    reason = item.get("overrideReason")
    system = code = display = comment = ""
    if reason is not None:
        if outcome != FeedbackOutcome.OVERRIDDEN or not isinstance(reason, dict):
            raise _FeedbackError(f"{where}.overrideReason: an object, on an overridden card")
        coding = reason.get("reason")
        if coding is not None:
            if not isinstance(coding, dict):
                raise _FeedbackError(f"{where}.overrideReason.reason: expected a Coding")
            system = _text(coding.get("system"), f"{where}.overrideReason.reason.system",
                           required=True, limit=500)  # fmt: skip
            code = _text(coding.get("code"), f"{where}.overrideReason.reason.code",
                         required=True, limit=200)  # fmt: skip
            display = _text(coding.get("display"), f"{where}.overrideReason.reason.display",
                            limit=500)  # fmt: skip
        comment = _text(reason.get("userComment"), f"{where}.overrideReason.userComment")
    return Feedback(
        card=card,
        outcome=str(outcome),
        outcome_at=_timestamp(item.get("outcomeTimestamp"), f"{where}.outcomeTimestamp"),
        override_system=system,
        override_code=code,
        override_display=display,
        user_comment=comment,
        accepted_suggestions=suggestion_ids,
    )


def _cards_named(items: list[Any], service_id: str, issuer: str) -> dict[str, CdsCard]:
    wanted = set()
    for item in items:
        try:
            wanted.add(uuid.UUID(str(item.get("card"))))
        except (AttributeError, ValueError):
            continue
    cards = CdsCard.objects.filter(uuid__in=wanted, service=service_id, issuer=issuer)
    return {str(card.uuid): card for card in cards.select_related("patient")}


@csrf_exempt
@require_POST
def cds_feedback(request: HttpRequest, service_id: str) -> HttpResponse:
    """CDS Hooks 2.0 feedback: what the clinician did with cards this service sent."""
    if service_id not in SERVICES:
        return _error(404, f"No CDS service '{service_id}'; see GET /cds-services.")
    url = service_url(service_id)
    call = _authenticate(request, service_id, (f"{url}/feedback", url))
    if isinstance(call, HttpResponse):
        return call
    body = _json_body(request)
    if isinstance(body, HttpResponse):
        return body
    items = body.get("feedback") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items or len(items) > _MAX_FEEDBACK_ITEMS:
        return _error(400, f"feedback: expected a list of 1 to {_MAX_FEEDBACK_ITEMS} items")
    cards = _cards_named(items, service_id, call.client.issuer)
    try:
        feedback = [
            _feedback_item(item, f"feedback[{index}]", cards) for index, item in enumerate(items)
        ]
    except _FeedbackError as error:
        return _error(400, str(error))
    for row in do_record_feedback(feedback):
        record_event(
            request,
            AuditAction.DECISION_SUPPORT,
            patient=row.card.patient,
            obj=row,
            channel="cds",
            detail={
                "service": service_id,
                "client": call.client.issuer,
                "card": str(row.card_id),
                "outcome": row.outcome,
                "overrideReason": row.override_code,
            },
        )
    return HttpResponse(status=200)
