"""Helpers for the OAuth tests: a registered client, a signed client assertion written from
RFC 7523 §3 and SMART Backend Services (header alg/kid/typ; iss = sub = client id, aud =
the token URL, exp, jti), and PKCE (RFC 7636 S256)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from typing import Any

from django.test import Client
from jwcrypto import jwk, jws

from cit.clinic.fhir_out.registry import TYPES
from cit.clinic.integrations.actions import do_register_integration

TOKEN_URL = "http://testserver/oauth/token/"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
REDIRECT = "https://app.example.org/callback"


def rsa_key(kid: str = "rsa-1") -> jwk.JWK:
    return jwk.JWK.generate(kty="RSA", size=2048, kid=kid)


def ec_key(kid: str = "ec-1") -> jwk.JWK:
    return jwk.JWK.generate(kty="EC", crv="P-384", kid=kid)


def public_set(*keys: jwk.JWK) -> dict[str, Any]:
    return {"keys": [json.loads(key.export_public()) for key in keys]}


def register(actor: Any, clinic: Any, **data: Any) -> Any:
    values = {
        "name": "Acme EHR",
        "kind": "backend",
        "client_auth": "private_key_jwt",
        "scopes": "system/*.rs",
        "jwks": None,
        "jwks_url": "",
        "redirect_uris": "",
        **data,
    }
    return do_register_integration(
        actor=actor, clinic=clinic, data=values, resource_types=TYPES.keys()
    )


def assertion(key: jwk.JWK, client_id: str, alg: str = "RS384", **claims: Any) -> str:
    now = int(time.time())
    body = {
        "iss": client_id,
        "sub": client_id,
        "aud": TOKEN_URL,
        "exp": now + 240,
        "jti": str(uuid.uuid4()),
        **claims,
    }
    body = {name: value for name, value in body.items() if value is not None}
    token = jws.JWS(json.dumps(body).encode())
    token.add_signature(
        key, alg=alg, protected=json.dumps({"alg": alg, "kid": key["kid"], "typ": "JWT"})
    )
    return str(token.serialize(compact=True))


def assertion_token_request(client: Client, signed: str, scope: str = "system/*.rs") -> Any:
    return client.post(
        "/oauth/token/",
        {
            "grant_type": "client_credentials",
            "scope": scope,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": signed,
        },
    )


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def register_app(actor: Any, clinic: Any, scopes: str) -> Any:
    """A public app (PKCE alone) registered for ``scopes``: its integration."""
    return register(
        actor,
        clinic,
        name="Skin diary app",
        kind="app",
        client_auth="none",
        scopes=scopes,
        redirect_uris=REDIRECT,
    ).integration


def authorise_params(client_id: str, scope: str, challenge: str, **extra: str) -> dict[str, str]:
    """The query of an authorisation request with PKCE S256."""
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


def authorise(user: Any, client_id: str, scope: str, challenge: str) -> Any:
    """Log in as ``user``, open the consent screen and allow: the redirect response."""
    browser = Client()
    browser.force_login(user)
    params = authorise_params(client_id, scope, challenge)
    page = browser.get("/oauth/authorize/", params)
    if page.status_code != 200:
        return page
    return browser.post("/oauth/authorize/", {**params, "allow": "Authorize"})


def code_from(redirect: Any) -> str:
    from urllib.parse import parse_qs, urlsplit

    location = redirect["Location"]
    assert location.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["state-123"]
    return query["code"][0]


def exchange_code(client_id: str, code: str, verifier: str) -> Any:
    """The token request of the authorisation code flow (a public client with PKCE)."""
    return Client().post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": client_id,
            "code_verifier": verifier,
        },
    )


def tokens_for(user: Any, client_id: str, scope: str) -> dict[str, Any]:
    """``user`` allows the app ``scope``; the app exchanges the code: the token answer."""
    verifier, challenge = pkce_pair()
    redirect = authorise(user, client_id, scope, challenge)
    assert redirect.status_code == 302, redirect.content
    answer = exchange_code(client_id, code_from(redirect), verifier)
    assert answer.status_code == 200, answer.content
    body: dict[str, Any] = answer.json()
    return body
