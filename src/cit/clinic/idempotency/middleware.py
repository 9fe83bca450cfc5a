"""``Idempotency-Key`` on the API: a retried POST or PATCH returns the first answer.

A client whose answer was lost (a timeout, a dropped connection) retries with the same key;
the amendment, booking, signature or registration is then not done twice. The first answer
is kept with the key, the user, the method and path and a hash of the body, for
``IDEMPOTENCY_KEY_HOURS`` (24):

- the same key, user, route and body again: the stored answer, marked
  ``Idempotent-Replayed: true`` (and the replay is audited: it shows the record again);
- the same key with another route or body: 422, nothing done;
- the same key while the first request is still running: 409, nothing done;
- a first answer of 5xx, 401, 403 or 429 is not kept (the retry runs again: a missing
  CSRF token or an expired session must not be replayed).

The key is claimed by inserting its row (a unique constraint) before the view runs, so two
concurrent retries cannot both run.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from cit.api.errors import error_body
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.idempotency.models import IdempotentRequest

HEADER = "Idempotency-Key"
METHODS = frozenset({"POST", "PATCH"})
# Not the answer to the request itself: log in, CSRF or role, too many requests.
NOT_KEPT = frozenset({401, 403, 429})
MAX_KEY_LENGTH = 200


def _refuse(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        error_body(message, [{"field": f"header.{HEADER}", "message": message}]), status=status
    )


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        user = getattr(request, "user", None)
        if (
            key is None
            or request.method not in METHODS
            or not request.path.startswith("/api/")
            or user is None
            or not user.is_authenticated
        ):
            return self.get_response(request)
        if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
            return _refuse(400, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters.")
        fingerprint = hashlib.sha256(request.body).hexdigest()
        now = timezone.now()
        cutoff = now - datetime.timedelta(hours=int(settings.IDEMPOTENCY_KEY_HOURS))
        IdempotentRequest.objects.filter(user=user, created_at__lt=cutoff).delete()
        try:
            with transaction.atomic():
                claim = IdempotentRequest.objects.create(
                    user=user,
                    key=key,
                    method=request.method or "",
                    path=request.path[:500],
                    fingerprint=fingerprint,
                    created_at=now,
                )
        except IntegrityError:
            return self._replay(request, user, key, fingerprint)
        response = self.get_response(request)
        if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
            claim.delete()
            return response
        claim.status = response.status_code
        claim.content_type = response.get("Content-Type", "")[:200]
        claim.body = bytes(response.content)
        claim.save(update_fields=["status", "content_type", "body"])
        return response

    def _replay(self, request: HttpRequest, user: Any, key: str, fingerprint: str) -> HttpResponse:
        first = IdempotentRequest.objects.filter(user=user, key=key).first()
        if first is None:  # expired and removed between the two queries: try again
            return _refuse(409, f"This {HEADER} was just released; send the request again.")
        if first.method != request.method or first.path != request.path[:500]:
            return _refuse(422, f"This {HEADER} was used for {first.method} {first.path}.")
        if first.fingerprint != fingerprint:
            return _refuse(422, f"This {HEADER} was used with another request body.")
        if first.status is None:
            return _refuse(409, f"The first request with this {HEADER} is still being handled.")
        record_event(
            request,
            AuditAction.VIEW,
            object_type="api.IdempotentReplay",
            detail={"path": first.path, "status": first.status},
        )
        response = HttpResponse(
            bytes(first.body), status=first.status, content_type=first.content_type
        )
        response["Idempotent-Replayed"] = "true"
        return response
