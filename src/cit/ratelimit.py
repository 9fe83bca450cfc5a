"""Rate limits on log-in, the JSON API and CDS Hooks: 429 with ``Retry-After``.

Counted per client address (``cit.clinic.accounts.lockout.client_ip``, which honours
``TRUSTED_PROXIES``) and per scope, with django-ninja's throttle (a sliding window kept in
Django's cache). The limits are requests per minute from settings; 0 turns a scope off.
The defaults are generous, so a clinic's day, the demo and the test suite never meet them;
they stop a script hammering log-in, the API or the CDS Hooks service.

The cache is Django's default (per process): with several server processes each counts on
its own, so a client may get up to that many times the limit. Set ``CACHES`` to a shared
cache to count across processes.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from ninja.throttling import SimpleRateThrottle

from cit.clinic.accounts.lockout import client_ip
from cit.lib.api_errors import error_body


class ClientThrottle(SimpleRateThrottle):
    """One scope's limit per client address."""

    def __init__(self, scope: str, per_minute: int):
        self.scope = scope
        super().__init__(f"{per_minute}/min")

    def get_cache_key(self, request: HttpRequest) -> str | None:
        ident = client_ip(request)
        if ident is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def retry_after(self) -> int:
        """Whole seconds until the oldest counted request leaves the window (at least 1)."""
        duration = float(self.duration or 60)
        if not self.history:
            return max(1, math.ceil(duration))
        oldest = float(self.history[-1])
        return max(1, math.ceil(duration - (float(self.now) - oldest)))


def scope_of(request: HttpRequest) -> tuple[str, int] | None:
    """The limited scope a request falls in, with its limit per minute; None if none."""
    path = request.path
    if path.startswith(("/api/", "/fhir/", "/oauth/")):
        return "api", int(settings.RATE_LIMIT_API_PER_MINUTE)
    if path.startswith("/cds-services"):
        return "cds", int(settings.RATE_LIMIT_CDS_PER_MINUTE)
    if path == "/accounts/login/" and request.method == "POST":
        return "login", int(settings.RATE_LIMIT_LOGIN_PER_MINUTE)
    return None


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        scope = scope_of(request)
        if scope is not None and scope[1] > 0:
            throttle = ClientThrottle(*scope)
            if not throttle.allow_request(request):
                return _too_many(request, scope[0], throttle.retry_after())
        return self.get_response(request)


def _too_many(request: HttpRequest, scope: str, retry_after: int) -> HttpResponse:
    message = f"Too many requests; try again in {retry_after} seconds."
    response: HttpResponse
    if scope in ("api", "cds"):
        response = JsonResponse(error_body(message), status=429)
    else:
        context = {"status": 429, "title": "Too many requests", "message": message}
        response = render(request, "error.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response
