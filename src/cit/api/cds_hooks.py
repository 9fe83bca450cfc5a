"""CDS Hooks endpoints: ``GET /cds-services`` and ``POST /cds-services/{id}``.

EHRs call these machine to machine, so there is no session or CSRF; when
``CDS_HOOKS_TOKEN`` is set the client must send it as a bearer token. Each call is
audited. The work itself is in :mod:`cit.interop.cds_hooks`; the FHIR servers it may read
are the ``CDS_HOOKS_FHIR_SERVERS`` allow-list (none: it reads nothing).
"""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from cit.api.errors import error_body
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.interop.bounded_json import MAX_DEPTH, JsonTooDeep, loads_bounded
from cit.interop.cds_hooks import (
    SERVICES,
    DataUnavailable,
    HookRequestError,
    answer_hook,
    discovery,
)
from cit.interop.fhir_client import FhirAccess, parse_allow_list

logger = logging.getLogger(__name__)


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse(error_body(detail), status=status)


def _authorised(request: HttpRequest) -> bool:
    expected = settings.CDS_HOOKS_TOKEN
    if not expected:
        return True
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), expected)


def fhir_access() -> FhirAccess:
    """The FHIR servers the service may read, and the limits, from the settings."""
    return FhirAccess(
        servers=parse_allow_list(settings.CDS_HOOKS_FHIR_SERVERS),
        timeout=float(settings.CDS_HOOKS_FHIR_TIMEOUT),
        total_timeout=float(settings.CDS_HOOKS_FHIR_TOTAL_TIMEOUT),
        max_bytes=int(settings.CDS_HOOKS_FHIR_MAX_BYTES),
    )


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


@require_GET
def cds_discovery(request: HttpRequest) -> HttpResponse:
    return JsonResponse(discovery())


@csrf_exempt
@require_POST
def cds_service(request: HttpRequest, service_id: str) -> HttpResponse:
    if service_id not in SERVICES:
        return _error(404, f"No CDS service '{service_id}'; see GET /cds-services.")
    if not _authorised(request):
        return _error(401, "Send the clinic's CDS Hooks bearer token.")
    raw = _read_body(request)
    if raw is None:
        limit = settings.CDS_HOOKS_MAX_BODY_BYTES
        return _error(413, f"The request body is larger than {limit} bytes.")
    try:
        body = loads_bounded(raw or b"null")
    except JsonTooDeep:
        return _error(400, f"The request body nests deeper than {MAX_DEPTH} levels.")
    except ValueError as error:
        return _error(400, f"The request body is not JSON: {error}")
    today = timezone.localdate()
    try:
        answer = answer_hook(
            service_id,
            body,
            today=today,
            profile=settings.CDS_HOOKS_PROFILE,
            fhir=fhir_access(),
        )
    except HookRequestError as error:
        return _error(400, str(error))
    except DataUnavailable as error:
        logger.warning("CDS Hooks %s: answered 412: %s", service_id, error.reason)
        return _error(412, str(error))
    record_event(
        request,
        AuditAction.DECISION_SUPPORT,
        object_type="protocol.Screening",
        channel="cds",
        detail={
            "service": service_id,
            "hook": body.get("hook"),
            "hookInstance": str(body.get("hookInstance")),
            "decisions": list(answer.decisions),
        },
    )
    return JsonResponse(answer.response)
