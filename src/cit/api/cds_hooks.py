"""CDS Hooks endpoints: ``GET /cds-services`` and ``POST /cds-services/{id}``.

EHRs call these machine to machine, so there is no session or CSRF; when
``CDS_HOOKS_TOKEN`` is set the client must send it as a bearer token. Each call is
audited. The work itself is in :mod:`cit.interop.cds_hooks`.
"""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from cit.api.errors import error_body
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.interop.cds_hooks import (
    SERVICES,
    DataUnavailable,
    HookRequestError,
    answer_hook,
    discovery,
)


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse(error_body(detail), status=status)


def _authorised(request: HttpRequest) -> bool:
    expected = settings.CDS_HOOKS_TOKEN
    if not expected:
        return True
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), expected)


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
    try:
        body = json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return _error(400, f"The request body is not JSON: {error}")
    today = timezone.localdate()
    try:
        answer = answer_hook(service_id, body, today=today, profile=settings.CDS_HOOKS_PROFILE)
    except HookRequestError as error:
        return _error(400, str(error))
    except DataUnavailable as error:
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
