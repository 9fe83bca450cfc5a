"""The JSON body of every refused API call, from the API itself or from a middleware that
answers before it (idle log-out, rate limit, idempotency, database outage)."""

from __future__ import annotations

from typing import Any


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}
