"""Site-wide request hygiene: refuse what no view can use, and keep answers out of caches.

- A body over ``MAX_REQUEST_BYTES`` is refused with 413 before anything reads it.
- NUL and other control characters in the query string, a form field or a JSON body are
  refused with 400 (PostgreSQL cannot store NUL in text; no field of ours wants one).
- A form body that cannot be parsed (a multipart body without a boundary, a truncated one)
  is refused with 400 before authorisation or CSRF would fail on it with a 500.
- Every answer Django produces (pages, the API, PDFs, calendars) is marked
  ``Cache-Control: no-store, private``: most carry patient data, and a shared cache or a
  browser's back button must never show it to the next person. Static files are served
  before this by WhiteNoise and keep their own caching.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from cit.lib.api_errors import error_body

# Control characters other than tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same in JSON's escaped form (\u0000 ... \u001f, but not \t \n \r).
_JSON_CONTROL = re.compile(rb"\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])|\\u007[fF]")
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        response = refusal if refusal is not None else self.get_response(request)
        response["Cache-Control"] = "no-store, private"
        response.setdefault("Pragma", "no-cache")
        return response

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(length)
        except ValueError:
            return _refuse(request, 400, "The request's length is not a number.")
        if size > settings.MAX_REQUEST_BYTES:
            limit = settings.MAX_REQUEST_BYTES // (1024 * 1024)
            return _refuse(request, 413, f"The request is too large (at most {limit} MB).")
        if has_control_characters(request.META.get("QUERY_STRING", "")) or any(
            has_control_characters(value) for values in request.GET.lists() for value in values[1]
        ):
            return _refuse(request, 400, "The address contains characters that are not allowed.")
        if request.method not in _UNSAFE_METHODS:
            return None
        content_type = request.META.get("CONTENT_TYPE", "")
        try:
            if content_type.startswith(
                ("multipart/form-data", "application/x-www-form-urlencoded")
            ):
                fields = request.POST
                if any(has_control_characters(v) for _, vs in fields.lists() for v in vs):
                    return _refuse(
                        request, 400, "A field contains characters that are not allowed."
                    )
            elif "json" in content_type:
                body = request.body
                if b"\x00" in body or _JSON_CONTROL.search(body):
                    return _refuse(
                        request, 400, "A field contains characters that are not allowed."
                    )
        except RequestDataTooBig:
            return _refuse(request, 413, "The request is too large.")
        except (MultiPartParserError, SuspiciousOperation, UnicodeDecodeError):
            return _refuse(request, 400, "The request body could not be read.")
        return None


def _refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith(("/api/", "/cds-services", "/fhir/")):
        return JsonResponse(error_body(message), status=status)
    title = "Request too large" if status == 413 else "Bad request"
    context = {"status": status, "title": title, "message": message}
    return render(request, "error.html", context, status=status)
