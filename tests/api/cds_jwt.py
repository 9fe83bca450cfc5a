"""An EHR for CDS Hooks tests: its own keys (made here), the JWTs it signs per call, and the
``CDS_HOOKS_CLIENTS`` entry that trusts it."""

from __future__ import annotations

import json
import time
import uuid
from functools import cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings
from django.test import Client

ISSUER = "https://ehr.example.org"
ORIGIN = "https://ehr.example.org"


class Signer:
    """One key pair of the EHR; ``jwk`` is its public half as the EHR's JWK Set lists it."""

    def __init__(self, alg: str, kid: str):
        self.alg = alg
        self.kid = kid
        if alg == "RS384":
            self.private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            public = jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            self.private = ec.generate_private_key(ec.SECP384R1())
            public = jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwk = {**public, "kid": kid, "alg": alg, "use": "sig"}

    def token(
        self, aud: str | list[str], /, *, header: dict[str, Any] | None = None, **claims: Any
    ) -> str:
        """A JWT for ``aud``; ``claims`` override the usual ones (None: left out)."""
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": aud,
            "iat": now,
            "exp": now + 120,
            "jti": str(uuid.uuid4()),
            **claims,
        }
        payload = {key: value for key, value in payload.items() if value is not None}
        headers = {"kid": self.kid, "typ": "JWT", **(header or {})}
        return jwt.encode(payload, self.private, algorithm=self.alg, headers=headers)


@cache
def rs384() -> Signer:
    return Signer("RS384", "ehr-rsa-1")


@cache
def es384() -> Signer:
    return Signer("ES384", "ehr-ec-1")


def jwks() -> dict[str, Any]:
    return {"keys": [rs384().jwk, es384().jwk]}


def trust(dj_settings: Any, **entry: Any) -> None:
    """Trust the test EHR (inline JWK Set unless ``jwks_url`` is given), with ``entry``."""
    from cit.api.cds_hooks import JWKS_CACHE

    config = {"cors_origins": [ORIGIN], **entry}
    if "jwks_url" not in config:
        config.setdefault("jwks", jwks())
    dj_settings.CDS_HOOKS_CLIENTS = json.dumps({ISSUER: config})
    JWKS_CACHE.clear()


def url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def bearer(path: str, signer: Signer | None = None, **claims: Any) -> str:
    return f"Bearer {(signer or rs384()).token(url(path), **claims)}"


class EhrClient(Client):
    """A test client that signs a fresh JWT for every POST, its ``aud`` the URL posted to."""

    def post(self, path: str, *args: Any, **extra: Any) -> Any:  # type: ignore[override]
        extra.setdefault("HTTP_AUTHORIZATION", bearer(path))
        return super().post(path, *args, **extra)
