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

Page forms do the same with a hidden one-time token (``{% form_token %}``, field
``form_token``): a double-clicked or resubmitted "Register", "Book" or "Sign" runs once, and
the second submit gets the first's answer (the redirect to the record it made). Only a
redirect is kept (a form that re-renders with errors runs again); a second submit arriving
while the first still runs waits for it (up to FORM_TOKEN_WAIT_SECONDS), then follows the
same redirect. The same token with other values (a stale page sent again with changes) is
refused with 409 and a plain page, nothing done.
"""

from __future__ import annotations

import datetime
import hashlib
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.idempotency.models import IdempotentRequest
from cit.lib.api_errors import error_body

HEADER = "Idempotency-Key"
METHODS = frozenset({"POST", "PATCH"})
# Not the answer to the request itself: log in, CSRF or role, too many requests.
NOT_KEPT = frozenset({401, 403, 429})
MAX_KEY_LENGTH = 200
FORM_FIELD = "form_token"
FORM_PREFIX = "form:"
POLL_SECONDS = 0.1


def new_form_token() -> str:
    return uuid.uuid4().hex


def _form_fingerprint(request: HttpRequest) -> str:
    """The submitted values (not the CSRF token, which is masked afresh on every render)."""
    items = sorted(
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    )
    return hashlib.sha256(repr(items).encode()).hexdigest()


def _form_refused(request: HttpRequest, message: str) -> HttpResponse:
    context = {"status": 409, "title": "Already sent", "message": message}
    return render(request, "error.html", context, status=409)


def _refuse(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        error_body(message, [{"field": f"header.{HEADER}", "message": message}]), status=status
    )


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if request.method not in METHODS or user is None or not user.is_authenticated:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            key = request.headers.get(HEADER)
            if key is None:
                return self.get_response(request)
            if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
                return _refuse(400, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters.")
            return self._once(request, user, key, hashlib.sha256(request.body).hexdigest())
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            token = request.POST.get(FORM_FIELD, "")
            if token:
                if not 1 <= len(token) <= 64 or not token.isalnum():
                    return _form_refused(request, "This form is damaged; open it again.")
                return self._form_once(request, user, FORM_PREFIX + token)
        return self.get_response(request)

    def _form_once(self, request: HttpRequest, user: Any, key: str) -> HttpResponse:
        fingerprint = _form_fingerprint(request)
        deadline = time.monotonic() + float(settings.FORM_TOKEN_WAIT_SECONDS)
        while True:
            claim = self._claim(request, user, key, fingerprint)
            if claim is not None:
                return self._run_and_keep(request, claim, keep=lambda r: 300 <= r.status_code < 400)
            first = IdempotentRequest.objects.filter(user=user, key=key).first()
            if first is None:  # the first answer was not kept (form errors): run again
                continue
            if first.path != request.path[:500] or first.fingerprint != fingerprint:
                return _form_refused(
                    request,
                    "This form was already sent with other values. Open the page again to "
                    "send new ones.",
                )
            if first.status is not None:
                record_event(
                    request,
                    AuditAction.VIEW,
                    object_type="forms.ResubmittedForm",
                    detail={"path": first.path, "status": first.status},
                )
                return HttpResponseRedirect(first.location)
            if time.monotonic() > deadline:
                return _form_refused(
                    request,
                    "This form was sent twice and the first is still being handled. Look at "
                    "the record again in a moment before sending it again.",
                )
            time.sleep(POLL_SECONDS)

    def _claim(
        self, request: HttpRequest, user: Any, key: str, fingerprint: str
    ) -> IdempotentRequest | None:
        now = timezone.now()
        cutoff = now - datetime.timedelta(hours=int(settings.IDEMPOTENCY_KEY_HOURS))
        IdempotentRequest.objects.filter(user=user, created_at__lt=cutoff).delete()
        try:
            with transaction.atomic():
                return IdempotentRequest.objects.create(
                    user=user,
                    key=key,
                    method=request.method or "",
                    path=request.path[:500],
                    fingerprint=fingerprint,
                    created_at=now,
                )
        except IntegrityError:
            return None

    def _once(self, request: HttpRequest, user: Any, key: str, fingerprint: str) -> HttpResponse:
        claim = self._claim(request, user, key, fingerprint)
        if claim is None:
            return self._replay(request, user, key, fingerprint)
        return self._run_and_keep(request, claim, keep=lambda r: r.status_code not in NOT_KEPT)

    def _run_and_keep(
        self,
        request: HttpRequest,
        claim: IdempotentRequest,
        keep: Callable[[HttpResponse], bool],
    ) -> HttpResponse:
        try:
            response = self.get_response(request)
        except BaseException:
            claim.delete()
            raise
        if response.status_code >= 500 or response.streaming or not keep(response):
            claim.delete()
            return response
        claim.status = response.status_code
        claim.content_type = response.get("Content-Type", "")[:200]
        claim.body = bytes(response.content)
        claim.location = response.get("Location", "")[:500]
        claim.save(update_fields=["status", "content_type", "body", "location"])
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
