"""Resource requests with ``Authorization: Bearer <access token>`` (RFC 6750): who the token
acts as and what its SMART scopes allow. Used by /fhir/ and /api/ alike."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from cit.clinic.accounts.roles import Role
from cit.clinic.integrations import smart
from cit.clinic.integrations.membership import user_in_clinic
from cit.clinic.integrations.validator import integration_of

MAX_TOKEN_CHARS = 512
# RFC 6750 §3: what a 401 asks for; with error="invalid_token" when a token was sent.
LOGIN_CHALLENGE = 'Bearer realm="cit", Cookie realm="cit"'
INVALID_TOKEN_CHALLENGE = 'Bearer realm="cit", error="invalid_token"'


class InvalidToken(Exception):
    """Missing, malformed, unknown, expired or revoked: 401 ``invalid_token``."""


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What a request's access token allows. ``system``: a backend client acting for its
    clinic; otherwise the person who authorised the app, with their role's rules."""

    user: Any
    client_id: str
    scopes: tuple[str, ...]
    system: bool

    @property
    def contexts(self) -> tuple[str, ...]:
        if self.system:
            return ("system",)
        if self.user.role == Role.PATIENT:
            return ("patient", "user")
        return ("user",)

    def may_read(self, resource_type: str, search: bool = False) -> bool:
        return smart.permits(self.scopes, self.contexts, resource_type, "s" if search else "r")

    def may_read_everything(self) -> bool:
        return smart.permits(self.scopes, self.contexts, "*", "r") and smart.permits(
            self.scopes, self.contexts, "*", "s"
        )

    def may_write(self) -> bool:
        return any(smart.permits(self.scopes, self.contexts, "*", letter) for letter in "cud")


def bearer_value(request: HttpRequest) -> str | None:
    """The token of an ``Authorization: Bearer`` header; None without one (another scheme
    or no header); InvalidToken when the header is malformed."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    if not value or len(value) > MAX_TOKEN_CHARS or not value.isascii() or not value.isprintable():
        raise InvalidToken("malformed")
    return value


def authenticate_bearer(request: HttpRequest) -> TokenGrant | None:
    """The request's token grant (and ``request.user`` set to whom it acts as), None when
    the request carries no bearer token. Raises InvalidToken."""
    known: TokenGrant | None = getattr(request, "oauth_grant", None)
    if known is not None:
        return known
    value = bearer_value(request)
    if value is None:
        return None
    checksum = hashlib.sha256(value.encode("ascii")).hexdigest()
    token = (
        AccessToken.objects.select_related("application", "user")
        .filter(token_checksum=checksum)
        .first()
    )
    if token is None or token.expires <= timezone.now():
        raise InvalidToken("unknown or expired")
    integration = integration_of(token.application)
    if integration is None:
        raise InvalidToken("client revoked")
    system = token.user is None
    if system:
        user = integration.service_user
        if user is None:
            raise InvalidToken("no service account")
        # The account never logs in (inactive in the database); it acts only through a token.
        user.is_active = True
    else:
        user = token.user
        if not user.is_active or not user_in_clinic(user, integration.clinic_id):
            raise InvalidToken("user inactive or no longer of the client's clinic")
    grant = TokenGrant(
        user=user,
        client_id=integration.client_id,
        scopes=tuple(smart.split_scopes(token.scope)),
        system=system,
    )
    request.user = user
    request.oauth_grant = grant  # type: ignore[attr-defined]
    return grant
