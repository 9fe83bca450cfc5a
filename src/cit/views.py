"""Site-wide views: health check and friendly error pages (JSON under /api/)."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from cit.lib.api_errors import error_body

# The database cannot be reached (down, restarting, out of connections): not a bug of the
# request, and it will pass. Answered 503 with Retry-After instead of 500.
DATABASE_DOWN = (OperationalError, InterfaceError)
JSON_PREFIXES = ("/api/", "/cds-services")


def health(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_DOWN:
        return _database_unavailable_json({"status": "unavailable", "database": "unreachable"})
    return JsonResponse({"status": "ok", "database": "ok"})


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(JSON_PREFIXES)


def _database_unavailable_json(body: dict[str, object]) -> HttpResponse:
    response = JsonResponse(body, status=503)
    response["Retry-After"] = str(settings.DATABASE_DOWN_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 while the database is unreachable: plain words for people, a problem for programs."""
    message = (
        "The clinic's database cannot be reached just now. Nothing was saved; "
        "try again in a minute."
    )
    if _wants_json(request):
        return _database_unavailable_json(error_body(message))
    # Rendered without the request context: that would need the database (user, session).
    body = loader.get_template("503.html").render()
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(settings.DATABASE_DOWN_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(message), status=status)
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A BadRequest raised by our own input checks says what was wrong; others say nothing.
    if isinstance(exception, BadRequest) and str(exception):
        return _error(request, 400, "Bad request", str(exception))
    return _error(request, 400, "Bad request", "The request could not be understood.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "Your role may not open this."
    return _error(request, 403, "Not allowed", message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "Not found", "There is no page at this address.")


def server_error(request: HttpRequest) -> HttpResponse:
    # Called while the exception is being handled: a database outage is a 503, not a bug.
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return service_unavailable(request)
    if _wants_json(request):
        return JsonResponse(
            error_body("Something went wrong on our side; it was logged."), status=500
        )
    # Rendered without the request context: the failure may be in a context processor.
    body = loader.get_template("500.html").render()
    return HttpResponse(body, status=500)
