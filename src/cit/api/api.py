"""The JSON API: one NinjaAPI, routers per domain, OpenAPI at /api/docs."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.security import django_auth

import cit
from cit.api import appointments, charting, me, patients, protocol
from cit.api.bearer_auth import BearerTokenAuth
from cit.api.bounds import BoundedJsonParser
from cit.api.errors import install_error_handlers
from cit.api.openapi_docs import document

# Answers any operation may give before its own code runs (cit.middleware, cit.ratelimit,
# cit.clinic.accounts.idle, ninja's body parser): documented on every operation, so the
# OpenAPI document describes everything that is sent.
COMMON_RESPONSES = {
    "400": "The request could not be read (control characters, an unreadable or too deeply "
    "nested body).",
    "401": "Not logged in, or the session ended.",
    "413": "The request body is too large.",
    "429": "Too many requests from this client; see Retry-After.",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the same key when retrying: the first answer comes back (marked "
    "Idempotent-Replayed) instead of the request being done twice. Kept for a day.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}
IDEMPOTENCY_RESPONSES = {
    "409": "The first request with this Idempotency-Key is still being handled.",
    "422": "The request is not valid, or its Idempotency-Key was used for another request.",
}


def add_common_responses(schema: dict[str, Any]) -> None:
    """Document what every operation may answer, and the Idempotency-Key of POST/PATCH."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            common = dict(COMMON_RESPONSES)
            if method in ("post", "patch"):
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
                common.update(IDEMPOTENCY_RESPONSES)
            for code, description in common.items():
                responses.setdefault(code, {"description": description, "content": error})
            responses["429"].setdefault("headers", RETRY_AFTER)


class CitAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        add_common_responses(schema)
        document(schema)
        return schema


api = CitAPI(
    title="CIT API",
    version=cit.__version__,
    description=(
        "The clinic system for collagen induction therapy. Session-cookie authentication "
        "(log in at /accounts/login/); unsafe methods need the CSRF token. Or an OAuth 2.0 "
        "bearer token of a registered integration (SMART on FHIR, see "
        "/.well-known/smart-configuration): reading only, the roles' rules apply. "
        "Errors are `{detail, errors: [{field, message}]}`. "
        "A POST may carry an `Idempotency-Key` header: a retry with the same key returns the "
        "first answer instead of doing it again."
    ),
    auth=[BearerTokenAuth(), django_auth],
    urls_namespace="api",
    parser=BoundedJsonParser(),
)
install_error_handlers(api)
api.add_router("/", me.router)
api.add_router("/", patients.router)
api.add_router("/", charting.router)
api.add_router("/", protocol.router)
api.add_router("/", appointments.router)
