"""Who may call CIT's CDS Hooks services: the per-EHR allow-list and the client's JWT.

CDS Hooks 2.0 ("Trusting CDS Clients"): every call carries ``Authorization: Bearer <JWT>``,
signed by the client (never ``none``, never a shared-secret HMAC) with a key from its JWK
Set, the key named by the ``kid`` header; the claims ``iss``, ``aud`` (the URL of the
endpoint called), ``exp``, ``iat`` and ``jti`` (a nonce, refused when seen again).

Framework-free. The operator lists the clients it trusts (``CDS_HOOKS_CLIENTS``), each by
its ``iss``: where its JWK Set is (a URL, fetched only there and only with the FHIR client's
limits, or inline), which FHIR servers a call from it may name as ``fhirServer``, and the
browser origins it calls from (CORS). The replay store is the caller's (the database).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

from cit.interop.fhir_client import FhirAccess, FhirUnavailable, ServerUrl, parse_url

# The algorithms CDS Hooks 2.0 recommends; both asymmetric, so no key is ever shared.
ALGORITHMS = ("RS384", "ES384")
_KEY_TYPE = {"RS384": "RSA", "ES384": "EC"}
_MAX_TOKEN_CHARS = 16_000
_MAX_JTI_CHARS = 255
MAX_ISSUER_CHARS = 500  # the replay store's column


class Unauthorised(Exception):
    """The call is not from a trusted client. The caller gets one uniform answer; ``reason``
    is for the operator's log (it names no patient)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CdsClient:
    """One EHR CIT trusts, as configured by the operator."""

    issuer: str
    jwks_url: ServerUrl | None = None
    jwks: Mapping[str, Any] | None = None  # inline JWK Set (agreed out of band)
    fhir_servers: tuple[ServerUrl, ...] = ()
    cors_origins: tuple[str, ...] = ()
    # The identifier system of the EHR's Patient.identifier that holds CIT's record number,
    # and the CIT clinic (by name) whose records it numbers: lets cards link to the patient.
    patient_identifier_system: str = ""
    clinic: str = ""


def _origin(value: object, issuer: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{issuer}: cors_origins: expected strings")
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ValueError(f"{issuer}: cors_origins: {value!r} is not an origin (scheme://host)")
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"{issuer}: cors_origins: {value!r} is not an origin (scheme://host)")
    return f"{parts.scheme}://{parts.netloc}"


def _string(entry: Mapping[str, Any], key: str, issuer: str) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"{issuer}: {key}: expected a string")
    return value


def _client(issuer: str, entry: object) -> CdsClient:
    if not issuer or len(issuer) > MAX_ISSUER_CHARS:
        raise ValueError(f"issuer {issuer[:50]!r}: 1 to {MAX_ISSUER_CHARS} characters")
    if not isinstance(entry, dict):
        raise ValueError(f"{issuer}: expected an object")
    unknown = set(entry) - {
        "jwks_url",
        "jwks",
        "fhir_servers",
        "cors_origins",
        "patient_identifier_system",
        "clinic",
    }
    if unknown:
        raise ValueError(f"{issuer}: unknown keys {', '.join(sorted(unknown))}")
    jwks_url = None
    if entry.get("jwks_url") is not None:
        jwks_url = parse_url(entry["jwks_url"])
        if jwks_url is None:
            raise ValueError(f"{issuer}: jwks_url is not an http(s) URL")
    jwks = entry.get("jwks")
    if jwks is not None and not (isinstance(jwks, dict) and isinstance(jwks.get("keys"), list)):
        raise ValueError(f"{issuer}: jwks: expected a JWK Set ({{'keys': [...]}})")
    if jwks_url is None and jwks is None:
        raise ValueError(f"{issuer}: give jwks_url or jwks")
    servers = entry.get("fhir_servers", [])
    origins = entry.get("cors_origins", [])
    if not isinstance(servers, list) or not isinstance(origins, list):
        raise ValueError(f"{issuer}: fhir_servers and cors_origins are lists")
    bases = []
    for server in servers:
        base = parse_url(server)
        if base is None or base.query:
            raise ValueError(f"{issuer}: fhir_servers: not an http(s) FHIR base URL: {server!r}")
        bases.append(base)
    return CdsClient(
        issuer=issuer,
        jwks_url=jwks_url,
        jwks=jwks,
        fhir_servers=tuple(bases),
        cors_origins=tuple(_origin(origin, issuer) for origin in origins),
        patient_identifier_system=_string(entry, "patient_identifier_system", issuer),
        clinic=_string(entry, "clinic", issuer),
    )


def parse_clients(raw: str | Mapping[str, Any]) -> dict[str, CdsClient]:
    """The trusted clients from ``CDS_HOOKS_CLIENTS`` (JSON: issuer -> settings); raises
    ValueError saying what is wrong."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "{}")
        except ValueError as error:
            raise ValueError(f"not JSON: {error}") from None
    if not isinstance(raw, dict):
        raise ValueError("expected a JSON object: issuer -> client settings")
    return {str(issuer): _client(str(issuer), entry) for issuer, entry in raw.items()}


def cors_origins(clients: Mapping[str, CdsClient]) -> list[str]:
    return sorted({origin for client in clients.values() for origin in client.cors_origins})


@dataclass
class JwksCache:
    """JWK Sets fetched from their (allow-listed) URLs, kept ``ttl`` seconds. A ``kid`` not in
    the set kept refetches it (key rotation), at most once per ``min_refetch`` seconds, so a
    caller sending made-up kids cannot make CIT hammer the EHR."""

    fetch: Callable[[ServerUrl], Any]
    ttl: float = 300.0
    min_refetch: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _sets: dict[str, tuple[float, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self._lock:
            self._sets.clear()

    def keys(self, url: ServerUrl, kid: str) -> Any:
        """The JWK Set at ``url``, fresh enough to hold ``kid`` if the client has it."""
        key = str(url)
        now = self.clock()
        with self._lock:
            cached = self._sets.get(key)
        if cached is not None:
            fetched_at, jwks = cached
            age = now - fetched_at
            if age < self.ttl and (_find_key(jwks, kid) is not None or age < self.min_refetch):
                return jwks
        jwks = self.fetch(url)
        with self._lock:
            self._sets[key] = (self.clock(), jwks)
        return jwks


def fetch_jwks(access: FhirAccess) -> Callable[[ServerUrl], Any]:
    """A fetcher reading a JWK Set with the FHIR client's limits (timeouts, bytes, no
    redirect off the URL); raises Unauthorised when it cannot."""

    def fetch(url: ServerUrl) -> Any:
        try:
            session = FhirAccess(
                servers=(url,),
                timeout=access.timeout,
                total_timeout=access.total_timeout,
                max_bytes=access.max_bytes,
            ).session(str(url), None)
            session.accept = "application/jwk-set+json, application/json"
            return session.get(str(url))
        except FhirUnavailable as error:
            raise Unauthorised(f"JWK Set not read: {error.reason}") from None

    return fetch


def _find_key(jwks: Any, kid: str) -> dict[str, Any] | None:
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        return None
    matches = [key for key in keys if isinstance(key, dict) and key.get("kid") == kid]
    return matches[0] if len(matches) == 1 else None


@dataclass(frozen=True, slots=True)
class VerifiedCall:
    client: CdsClient
    claims: dict[str, Any]

    @property
    def jti(self) -> str:
        return str(self.claims["jti"])

    @property
    def expires(self) -> int:
        return int(self.claims["exp"])


def bearer_token(authorization: str) -> str:
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorised("no bearer token")
    if len(token) > _MAX_TOKEN_CHARS:
        raise Unauthorised("bearer token too long")
    return token


def _verifying_key(jwk: Mapping[str, Any], alg: str) -> Any:
    if jwk.get("kty") != _KEY_TYPE[alg]:
        raise Unauthorised(f"key type {jwk.get('kty')!r} does not sign {alg}")
    if jwk.get("alg") not in (None, alg):
        raise Unauthorised(f"key is for {jwk.get('alg')!r}, token says {alg}")
    if jwk.get("use") not in (None, "sig"):
        raise Unauthorised("key is not a signing key")
    if alg == "ES384" and jwk.get("crv") != "P-384":
        raise Unauthorised("ES384 needs a P-384 key")
    if "d" in jwk or "p" in jwk:
        raise Unauthorised("the JWK Set holds a private key")
    try:
        return jwt.PyJWK(dict(jwk), algorithm=alg).key
    except jwt.PyJWTError as error:
        raise Unauthorised(f"key not usable: {error}") from None


def verify_call(
    authorization: str,
    *,
    clients: Mapping[str, CdsClient],
    audience: str | tuple[str, ...],
    jwks_cache: JwksCache,
    max_lifetime: int,
    leeway: int = 30,
    now: Callable[[], float] = time.time,
) -> VerifiedCall:
    """The client and claims of a call whose ``Authorization`` header is ``authorization``;
    raises Unauthorised. The caller still refuses a ``jti`` it has seen (replay)."""
    token = bearer_token(authorization)
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise Unauthorised(f"not a JWT: {error}") from None
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise Unauthorised(f"algorithm {alg!r} refused")
    if header.get("typ") not in (None, "JWT", "jwt"):
        raise Unauthorised(f"typ {header.get('typ')!r} refused")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise Unauthorised("no kid")
    issuer = unverified.get("iss")
    client = clients.get(issuer) if isinstance(issuer, str) else None
    if client is None:
        raise Unauthorised(f"issuer {str(issuer)[:200]!r} is not a configured client")
    jku = header.get("jku")
    if client.jwks_url is not None:
        if jku is not None and parse_url(jku) != client.jwks_url:
            raise Unauthorised(f"jku {str(jku)[:200]!r} is not the client's JWK Set URL")
        jwks = jwks_cache.keys(client.jwks_url, kid)
    else:
        jwks = client.jwks  # agreed out of band: a jku is never fetched
    jwk = _find_key(jwks, kid)
    if jwk is None:
        raise Unauthorised(f"kid {kid[:100]!r} not in the client's JWK Set")
    audiences = (audience,) if isinstance(audience, str) else audience
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            _verifying_key(jwk, alg),
            algorithms=[alg],
            audience=list(audiences),
            issuer=client.issuer,
            leeway=leeway,
            options={"require": ["iss", "aud", "exp", "iat", "jti"], "strict_aud": False},
        )
    except jwt.PyJWTError as error:
        raise Unauthorised(f"token refused: {type(error).__name__}: {error}") from None
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > _MAX_JTI_CHARS:
        raise Unauthorised("jti is not a nonce string")
    if not isinstance(claims.get("exp"), int | float) or not isinstance(
        claims.get("iat"), int | float
    ):
        raise Unauthorised("exp and iat must be numbers")
    if claims["exp"] > now() + max_lifetime + leeway:
        raise Unauthorised(f"exp more than {max_lifetime} s ahead")
    return VerifiedCall(client, claims)
