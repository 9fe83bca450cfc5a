"""OAuth 2.0 bearer tokens on /api/ (beside the session cookie): the token acts as the person
who authorised it, or as a backend client's clinic account; reading only."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security.http import HttpBearer

from cit.clinic.integrations.bearer import InvalidToken, authenticate_bearer

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class InvalidTokenError(Exception):
    """Answered 401 with ``WWW-Authenticate: Bearer error="invalid_token"`` (errors.py)."""


class BearerTokenAuth(HttpBearer):
    """Tokens with a clinic-wide, user or patient ``*.rs`` scope read the JSON API; the
    roles' rules apply as on pages. No bearer header: the next scheme (the session) runs."""

    def __call__(self, request: HttpRequest) -> Any:
        try:
            grant = authenticate_bearer(request)
        except InvalidToken:
            raise InvalidTokenError from None
        if grant is None:
            return None
        if request.method not in READING_METHODS:
            raise PermissionDenied("The access token allows reading only.")
        if not grant.may_read_everything():
            raise PermissionDenied(
                "The JSON API needs a token with a */.rs scope (for example user/*.rs)."
            )
        return grant.user

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        raise NotImplementedError  # __call__ does the work
