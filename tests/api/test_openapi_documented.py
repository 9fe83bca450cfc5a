"""The OpenAPI document describes every operation in words and with a worked example of its
request (body or parameters) and answer; every example is valid against the operation's own
schemas, so the examples cannot drift from the API; the security schemes are declared and
every operation names only declared ones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from jsonschema_rs import Draft202012Validator  # schemathesis's own validator


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    from cit.api.api import api

    schema: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema()))
    return schema


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for a schema inside the document: the document's components ride along,
    so its "#/components/..." references resolve."""
    return Draft202012Validator({**schema, "components": document["components"]})


def test_every_operation_is_described(document: dict[str, Any]) -> None:
    operations = _operations(document)
    assert len(operations) >= 29
    undescribed = [name for name, op in operations if len(op.get("description", "")) < 30]
    assert not undescribed, undescribed


def test_every_operation_has_a_request_and_an_answer_example(document: dict[str, Any]) -> None:
    missing = []
    for name, operation in _operations(document):
        answers = [
            media
            for status, response in operation["responses"].items()
            if str(status).startswith("2")
            for media in response.get("content", {}).values()
        ]
        if not any("example" in media for media in answers):
            missing.append(f"{name}: answer")
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        inputs = [p for p in operation.get("parameters", []) if p["in"] in ("path", "query")]
        if body is not None and "example" not in body:
            missing.append(f"{name}: request body")
        if body is None and inputs and not any("example" in p for p in inputs):
            missing.append(f"{name}: parameters")
    assert not missing, missing


def test_every_example_is_valid_against_its_schema(document: dict[str, Any]) -> None:
    invalid = []
    checked = 0
    for name, operation in _operations(document):
        media_types = list(operation.get("requestBody", {}).get("content", {}).values())
        media_types += [
            media
            for response in operation["responses"].values()
            for media in response.get("content", {}).values()
        ]
        for media in media_types:
            if "example" in media and "schema" in media:
                checked += 1
                errors = list(_validator(document, media["schema"]).iter_errors(media["example"]))
                invalid += [f"{name}: {error.message[:200]}" for error in errors]
        for parameter in operation.get("parameters", []):
            if "example" in parameter:
                checked += 1
                errors = list(
                    _validator(document, parameter["schema"]).iter_errors(parameter["example"])
                )
                invalid += [f"{name} {parameter['name']}: {e.message}" for e in errors]
    assert checked >= 60
    assert not invalid, invalid


def test_security_schemes_are_declared_and_used(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["SessionAuth"] == {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": schemes["SessionAuth"]["description"],
    }
    assert "X-CSRFToken" in schemes["SessionAuth"]["description"]
    for name, operation in _operations(document):
        for requirement in operation.get("security", []):
            assert set(requirement) <= set(schemes), name


def test_the_served_document_carries_them(client: Client) -> None:
    served = client.get("/api/openapi.json").json()
    assert "SessionAuth" in served["components"]["securitySchemes"]
    me = served["paths"]["/api/me"]["get"]
    assert me["responses"]["200"]["content"]["application/json"]["example"]["role"]
