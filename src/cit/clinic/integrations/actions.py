"""Registering and revoking a clinic's integrations (OAuth 2.0 clients); both audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken, clear_expired

from cit.clinic.accounts.models import User
from cit.clinic.accounts.roles import Role
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.facilities.models import Clinic
from cit.clinic.integrations import smart
from cit.clinic.integrations.assertion import parse_key_set
from cit.clinic.integrations.models import ClientAuth, Integration, IntegrationKind


@dataclass(frozen=True)
class Registered:
    integration: Integration
    # Shown once, never stored in clear.
    client_secret: str | None


def _check(kind: str, client_auth: str, scopes: list[str], data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if kind == IntegrationKind.BACKEND:
        if client_auth not in (ClientAuth.PRIVATE_KEY_JWT, ClientAuth.CLIENT_SECRET):
            errors["client_auth"] = "A backend service signs in with its key or a secret."
        if any(not s.startswith("system/") for s in scopes):
            errors["scopes"] = "A backend service gets clinic-wide (system/…) scopes only."
    else:
        if client_auth == ClientAuth.PRIVATE_KEY_JWT:
            errors["client_auth"] = "An app signs in with a secret, or with PKCE alone."
        if any(s.startswith("system/") for s in scopes):
            errors["scopes"] = "An app acts for a person: use patient/… or user/… scopes."
        if not data.get("redirect_uris"):
            errors["redirect_uris"] = "Give the address the app receives the sign-in at."
    if client_auth == ClientAuth.PRIVATE_KEY_JWT:
        if bool(data.get("jwks")) == bool(data.get("jwks_url")):
            errors["jwks"] = "Give the public keys (JWK Set) or the https address of them."
        elif data.get("jwks"):
            try:
                parse_key_set(data["jwks"])
            except ValueError as error:
                errors["jwks"] = str(error)
        elif not str(data["jwks_url"]).startswith("https://"):
            errors["jwks_url"] = "The address of the keys must start with https://."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_register_integration(
    *,
    actor: User,
    clinic: Clinic,
    data: dict[str, Any],
    resource_types: Any,
    request: HttpRequest | None = None,
) -> Registered:
    """A new OAuth client of the clinic: its DOT application, and for a backend service the
    account it acts as. ``data``: name, kind, client_auth, scopes (text), jwks (dict) or
    jwks_url, redirect_uris (space-separated)."""
    kind, client_auth = data["kind"], data["client_auth"]
    scopes = smart.split_scopes(data["scopes"])
    bad = [s for s in scopes if not smart.is_registrable(s, resource_types)]
    if not scopes or bad:
        raise ValidationError(
            {"scopes": f"CIT grants reading scopes only; not: {' '.join(bad)}" if bad
             else "Give at least one scope."}
        )  # fmt: skip
    _check(kind, client_auth, scopes, data)
    secret = generate_client_secret() if client_auth == ClientAuth.CLIENT_SECRET else None
    application = Application(
        name=data["name"][:255],
        client_type=(
            Application.CLIENT_PUBLIC if client_auth == ClientAuth.NONE
            else Application.CLIENT_CONFIDENTIAL
        ),
        authorization_grant_type=(
            Application.GRANT_CLIENT_CREDENTIALS if kind == IntegrationKind.BACKEND
            else Application.GRANT_AUTHORIZATION_CODE
        ),
        redirect_uris=data.get("redirect_uris", "") if kind == IntegrationKind.APP else "",
        # An app's id_token (scope openid) is signed with CIT's key (OIDC_RSA_PRIVATE_KEY).
        algorithm=(
            Application.RS256_ALGORITHM if kind == IntegrationKind.APP
            else Application.NO_ALGORITHM
        ),
        client_secret=secret or "",
        user=actor,
    )  # fmt: skip
    application.full_clean(exclude=["client_secret", "user"])
    application.save()
    service_user = None
    if kind == IntegrationKind.BACKEND:
        service_user = User(
            username=f"integration-{application.client_id}"[:150],
            first_name=data["name"][:150],
            last_name="(integration)",
            role=Role.CLINIC_ADMIN,
            clinic=clinic,
            is_active=False,
        )
        service_user.set_unusable_password()
        service_user.save()
    integration = Integration.objects.create(
        application=application,
        clinic=clinic,
        name=data["name"],
        kind=kind,
        client_auth=client_auth,
        scopes=" ".join(scopes),
        jwks=data.get("jwks") or None,
        jwks_url=data.get("jwks_url") or "",
        service_user=service_user,
        created_by=actor,
    )
    record_event(
        request,
        AuditAction.CREATE,
        actor=actor,
        obj=integration,
        detail={"oauth_client": integration.client_id, "scopes": integration.scopes},
    )
    return Registered(integration, secret)


@transaction.atomic
def do_revoke_integration(
    *, actor: User, integration: Integration, request: HttpRequest | None = None
) -> int:
    """Revoke the client: it gets no more tokens and its live tokens stop working at once.
    Returns how many access tokens were ended."""
    locked = Integration.objects.select_for_update().get(pk=integration.pk)
    if locked.revoked_at is not None:
        raise ValidationError("This integration was already revoked.")
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    application = locked.application
    RefreshToken.objects.filter(application=application).delete()
    live = AccessToken.objects.filter(application=application)
    ended: int = live.count()
    live.delete()
    Grant.objects.filter(application=application).delete()
    record_event(
        request,
        AuditAction.ARCHIVE,
        actor=actor,
        obj=locked,
        detail={"oauth_client": locked.client_id, "revoked": True},
    )
    integration.revoked_at, integration.revoked_by = locked.revoked_at, actor
    return ended


def do_clear_expired_tokens() -> int:
    """Delete expired access tokens, refresh tokens past their lifetime and expired grants
    (django-oauth-toolkit's ``cleartokens``); run by the periodic sweep. Returns how many
    rows went."""

    def rows() -> int:
        counts: list[int] = [
            AccessToken.objects.count(),
            RefreshToken.objects.count(),
            Grant.objects.count(),
        ]
        return sum(counts)

    before = rows()
    clear_expired()
    return before - rows()
