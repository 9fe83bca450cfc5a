"""What the OpenAPI document says beyond the code: the security schemes, and one worked
request and answer per operation (``openapi_examples.json``, recorded from a real run of the
API on demo data and checked against the schemas by tests/api/test_openapi_documented.py).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

EXAMPLES_FILE = Path(__file__).with_name("openapi_examples.json")

# The schemes a client may authenticate with. ``SessionAuth`` is django-ninja's cookie
# scheme (its name comes from ``ninja.security.django_auth``).
SESSION_AUTH = "SessionAuth"
OAUTH2 = "OAuth2"
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    SESSION_AUTH: {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": (
            "The session cookie of a log-in at /accounts/login/. Unsafe methods (POST, "
            "PATCH) also need the CSRF token in the X-CSRFToken header, from the csrftoken "
            "cookie."
        ),
    },
    # How to get the bearer tokens of BearerTokenAuth (cit.api.bearer_auth).
    OAUTH2: {
        "type": "oauth2",
        "description": (
            "OAuth 2.0 with SMART on FHIR v2 scopes, for integrations a clinic admin "
            "registered (/.well-known/smart-configuration). Backend services: client "
            "credentials with a signed JWT assertion (private_key_jwt, RS384/ES384) or a "
            "client secret. Apps: authorisation code with PKCE (S256). A token reads "
            "(GET) only; it needs a clinic-wide, user or patient */.rs scope, and the role of "
            "the person it acts for applies as on pages."
        ),
        "flows": {
            "clientCredentials": {
                "tokenUrl": "/oauth/token/",
                "scopes": {"system/*.rs": "Read the whole clinic (a backend service)"},
            },
            "authorizationCode": {
                "authorizationUrl": "/oauth/authorize/",
                "tokenUrl": "/oauth/token/",
                "scopes": {
                    "user/*.rs": "Read what the signed-in member of staff may read",
                    "patient/*.rs": "Read the signed-in patient's own record",
                },
            },
        },
    },
}
# Schemes accepted instead of the session cookie, with their scopes per operation.
ALTERNATIVE_SECURITY: dict[str, list[str]] = {OAUTH2: []}

ICS_EXAMPLE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CIT//Collagen induction therapy//EN\r\n"
    "METHOD:PUBLISH\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n…\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:appointment-7@clinic.example\r\n"
    "DTSTART;TZID=Europe/London:20270112T100000\r\n"
    "DTEND;TZID=Europe/London:20270112T113000\r\n"
    "SUMMARY:Micro-needling session 1 of 4\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
PATH_PARAMETER_EXAMPLES = {
    "patient_id": 1,
    "plan_id": 1,
    "series_index": 0,
    "note_id": 1,
    "appointment_id": 2,
}


@functools.cache
def recorded_examples() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return data


def _example_for(operation_id: str) -> dict[str, Any] | None:
    """The recorded example of an operation: keyed by its function's name, which ninja puts
    at the end of the operationId (``cit_api_<module>_<function>``)."""
    matches = [
        value for key, value in recorded_examples().items() if operation_id.endswith(f"_{key}")
    ]
    return matches[0] if len(matches) == 1 else None


def document(schema: dict[str, Any]) -> None:
    """Add the security schemes and the worked examples to the generated document."""
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if ALTERNATIVE_SECURITY and "security" in operation:
                operation["security"] += [
                    {name: scopes} for name, scopes in ALTERNATIVE_SECURITY.items()
                ]
            _add_examples(operation)


def _add_examples(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and parameter["name"] in PATH_PARAMETER_EXAMPLES:
            parameter.setdefault("example", PATH_PARAMETER_EXAMPLES[parameter["name"]])
    responses = operation.get("responses", {})
    calendar = responses.get(200, responses.get("200", {})).get("content", {})
    if "text/calendar" in calendar:
        calendar["text/calendar"]["example"] = ICS_EXAMPLE
        return
    example = _example_for(operation.get("operationId", ""))
    if example is None:
        return
    query = example.get("query", {})
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and parameter["name"] in query:
            parameter.setdefault("example", query[parameter["name"]])
    if "request" in example:
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            body["example"] = example["request"]
    status = example["status"]
    answer = responses.get(status, responses.get(str(status), {}))
    content = answer.get("content", {}).get("application/json")
    if content is not None:
        content["example"] = example["response"]
