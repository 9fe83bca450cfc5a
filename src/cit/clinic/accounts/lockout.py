"""The name the log-in lockout counts failures under (django-axes' AXES_USERNAME_CALLABLE).

Log-in finds users whatever the case and surrounding spaces of the name, so failures are
counted under the same normalised name: "NURSE" cannot sidestep a lockout of "nurse".
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def normalised_username(name: object) -> str:
    return str(name or "").strip().casefold()


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    if credentials and "username" in credentials:
        return normalised_username(credentials["username"])
    data = getattr(request, "data", None) or request.POST
    return normalised_username(data.get("username"))
