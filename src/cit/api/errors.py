"""Structured JSON errors: ``{"detail": ..., "errors": [{"field": ..., "message": ...}]}``.

Every failure an API client can cause answers 4xx in this shape; nothing it sends
should produce a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from cit.api.bearer_auth import InvalidTokenError
from cit.clinic.integrations.bearer import INVALID_TOKEN_CHALLENGE, LOGIN_CHALLENGE
from cit.clinic.paging import BadCursor
from cit.lib.api_errors import error_body

logger = logging.getLogger(__name__)


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


def _field_path(loc: Any) -> str:
    # Ninja prefixes locations with where they came from ("body", "query", "path").
    parts = [str(part) for part in loc if part not in ("payload",)]
    return ".".join(parts)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {
                "field": _field_path(error.get("loc", ())),
                # Our own checks raise ValueError; Pydantic prefixes their message.
                "message": str(error.get("msg", "")).removeprefix("Value error, "),
            }
            for error in exc.errors
        ]
        return api.create_response(
            request, error_body("The request is not valid.", errors), status=422
        )

    @api.exception_handler(DjangoValidationError)
    def model_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = [
                {"field": field, "message": message}
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        else:
            errors = [{"field": "", "message": message} for message in exc.messages]
        return api.create_response(
            request, error_body("The request is not valid.", errors), status=422
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(request, error_body("Log in first."), status=401)
        response["WWW-Authenticate"] = LOGIN_CHALLENGE
        return response

    @api.exception_handler(InvalidTokenError)
    def invalid_token(request: HttpRequest, exc: InvalidTokenError) -> HttpResponse:
        body = error_body("The access token is not valid (expired, revoked or unknown).")
        response = api.create_response(request, body, status=401)
        response["WWW-Authenticate"] = INVALID_TOKEN_CHALLENGE
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or "You may not do this."
        return api.create_response(request, error_body(message), status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        message = str(exc) or "Not found."
        return api.create_response(request, error_body(message), status=404)

    @api.exception_handler(BadCursor)
    def bad_cursor(request: HttpRequest, exc: BadCursor) -> HttpResponse:
        errors = [{"field": "query.cursor", "message": str(exc)}]
        return api.create_response(
            request, error_body("The request is not valid.", errors), status=422
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # An HttpError may carry field errors as (field, message) pairs.
        errors = [{"field": f, "message": m} for f, m in getattr(exc, "errors", [])]
        return api.create_response(request, error_body(str(exc), errors), status=exc.status_code)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error on %s %s", request.method, request.path)
        return api.create_response(
            request, error_body("Something went wrong on our side; it has been logged."), status=500
        )
