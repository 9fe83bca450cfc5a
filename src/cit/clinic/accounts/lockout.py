"""The name the log-in lockout counts failures under (django-axes' AXES_USERNAME_CALLABLE).

It also says which address a request came from (``AXES_CLIENT_IP_CALLABLE`` and the audit
log): the peer, or behind a proxy listed in ``TRUSTED_PROXIES`` the client it forwards for.

Log-in finds users whatever the case and surrounding spaces of the name, so failures are
counted under the same normalised name: "NURSE" cannot sidestep a lockout of "nurse".
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cit.lib.client_ip import client_address


def normalised_username(name: object) -> str:
    return str(name or "").strip().casefold()


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    if credentials and "username" in credentials:
        return normalised_username(credentials["username"])
    data = getattr(request, "data", None) or request.POST
    return normalised_username(data.get("username"))


def client_ip(request: HttpRequest) -> str | None:
    return client_address(request.META, settings.TRUSTED_PROXY_NETWORKS)
