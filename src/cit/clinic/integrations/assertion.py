"""Client authentication by a signed JWT (RFC 7523 §2.2, ``private_key_jwt``) as the SMART
Backend Services profile asks: RS384 or ES384, signed with a key of the client's registered
JWK Set (chosen by ``kid``); ``iss`` = ``sub`` = the client id; ``aud`` = the token URL;
``exp`` at most five minutes ahead; ``jti`` used once."""

from __future__ import annotations

import datetime
import json
from typing import Any

import requests
from django.db import IntegrityError, transaction
from django.utils import timezone
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from cit.clinic.integrations.models import Integration, UsedAssertion
from cit.interop.cds_auth import JwksCache
from cit.interop.fhir_client import parse_url

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("RS384", "ES384")
MAX_ASSERTION_CHARS = 8_000
MAX_JWKS_BYTES = 64_000
MAX_LIFETIME = datetime.timedelta(minutes=5)
CLOCK_SKEW = datetime.timedelta(seconds=60)
JWKS_TIMEOUT_SECONDS = 5


class AssertionRefused(Exception):
    """The assertion does not authenticate the client (the reason is for the log, not sent)."""


def unverified_client_id(assertion: str) -> str | None:
    """The ``iss`` of an assertion before checking it: which client claims to be calling."""
    if not isinstance(assertion, str) or len(assertion) > MAX_ASSERTION_CHARS:
        return None
    token = jws.JWS()
    try:
        token.deserialize(assertion)
        claims = json.loads(token.objects["payload"])
    except (JWException, ValueError, KeyError, TypeError):
        return None
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer if isinstance(issuer, str) and 0 < len(issuer) <= 100 else None


def parse_key_set(value: Any) -> jwk.JWKSet:
    """A JWK Set of public signing keys (RSA or EC) each with a ``kid``, else ValueError."""
    if not isinstance(value, dict) or not isinstance(value.get("keys"), list):
        raise ValueError("A JWK Set is a JSON object with a list of keys.")
    if not value["keys"]:
        raise ValueError("The JWK Set has no keys.")
    for key in value["keys"]:
        if not isinstance(key, dict) or key.get("kty") not in ("RSA", "EC"):
            raise ValueError("Each key must be an RSA or EC public key.")
        if "d" in key:
            raise ValueError("The JWK Set holds a private key: register the public key only.")
        if not isinstance(key.get("kid"), str) or not key["kid"]:
            raise ValueError("Each key needs a key id (kid).")
    try:
        return jwk.JWKSet.from_json(json.dumps(value))
    except (JWException, ValueError, TypeError) as error:
        raise ValueError(f"The JWK Set cannot be read: {error}") from None


def fetch_key_set(url: str) -> Any:
    """The JWK Set at the client's registered https URL (size and time bounded)."""
    if not url.startswith("https://"):
        raise AssertionRefused("JWKS URL is not https")
    try:
        with requests.get(
            url, timeout=JWKS_TIMEOUT_SECONDS, stream=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                raise AssertionRefused("JWKS URL did not answer 200")
            body = response.raw.read(MAX_JWKS_BYTES + 1, decode_content=True)
    except requests.RequestException:
        raise AssertionRefused("JWKS URL could not be read") from None
    if len(body) > MAX_JWKS_BYTES:
        raise AssertionRefused("JWKS too large")
    try:
        return json.loads(body)
    except ValueError:
        raise AssertionRefused("JWKS is not JSON") from None


# Keys read from clients' registered URLs, kept five minutes; a kid not among them reads the
# URL again (key rotation), at most every thirty seconds (SMART Backend Services asks servers
# to cache a client's JWK Set; without it every token request fetched it).
REGISTERED_KEY_SETS = JwksCache(fetch=lambda url: fetch_key_set(str(url)))


def key_set_of(integration: Integration, kid: str) -> jwk.JWKSet:
    """The client's keys, registered with it or read from its registered URL."""
    if integration.jwks:
        raw = integration.jwks
    else:
        url = parse_url(integration.jwks_url)
        if url is None:
            raise AssertionRefused("JWKS URL is not https")
        raw = REGISTERED_KEY_SETS.keys(url, kid)
    try:
        return parse_key_set(raw)
    except ValueError as error:
        raise AssertionRefused(str(error)) from None


def _numeric_time(claims: dict[str, Any], name: str) -> datetime.datetime:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AssertionRefused(f"{name} missing")
    try:
        return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        raise AssertionRefused(f"{name} out of range") from None


def verify_assertion(integration: Integration, assertion: str, token_url: str) -> None:
    """Check the assertion; record its ``jti``. Raises AssertionRefused."""
    if len(assertion) > MAX_ASSERTION_CHARS:
        raise AssertionRefused("assertion too long")
    token = jws.JWS()
    try:
        token.deserialize(assertion)
        header = token.jose_header
    except (JWException, ValueError, TypeError):
        raise AssertionRefused("not a JWS") from None
    if not isinstance(header, dict):
        raise AssertionRefused("no header")
    algorithm, kid = header.get("alg"), header.get("kid")
    if algorithm not in ALGORITHMS:
        raise AssertionRefused("algorithm not allowed")
    if not isinstance(kid, str):
        raise AssertionRefused("no kid")
    key = key_set_of(integration, kid).get_key(kid)
    if key is None:
        raise AssertionRefused("unknown kid")
    try:
        token.verify(key, alg=algorithm)
        claims = json.loads(token.payload)
    except (JWException, ValueError, TypeError):
        raise AssertionRefused("bad signature") from None
    if not isinstance(claims, dict):
        raise AssertionRefused("claims not an object")
    client_id = integration.client_id
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise AssertionRefused("iss/sub is not the client")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if token_url not in audiences:
        raise AssertionRefused("aud is not the token URL")
    now = timezone.now()
    expires = _numeric_time(claims, "exp")
    if expires <= now - CLOCK_SKEW:
        raise AssertionRefused("expired")
    if expires > now + MAX_LIFETIME + CLOCK_SKEW:
        raise AssertionRefused("exp too far ahead")
    if "nbf" in claims and _numeric_time(claims, "nbf") > now + CLOCK_SKEW:
        raise AssertionRefused("not yet valid")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= 255:
        raise AssertionRefused("jti missing")
    UsedAssertion.objects.filter(expires_at__lt=now - CLOCK_SKEW).delete()
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(client_id=client_id, jti=jti, expires_at=expires)
    except IntegrityError:
        raise AssertionRefused("jti replayed") from None
