"""A clinic's integrations: the OAuth 2.0 clients its admin registered (one DOT Application
each), and the client assertions already used (RFC 7523 ``jti`` replay)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IntegrationKind(models.TextChoices):
    BACKEND = "backend", "Backend service (client credentials)"
    APP = "app", "App used by staff or patients (sign-in)"


class ClientAuth(models.TextChoices):
    PRIVATE_KEY_JWT = "private_key_jwt", "Signed JWT with the client's key (JWKS)"
    CLIENT_SECRET = "client_secret", "Client secret"
    NONE = "none", "None (public app with PKCE)"


class Integration(models.Model):
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.PROTECT,
        related_name="integration",
    )
    clinic = models.ForeignKey(
        "facilities.Clinic", on_delete=models.PROTECT, related_name="integrations"
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=IntegrationKind.choices)
    client_auth = models.CharField(max_length=20, choices=ClientAuth.choices)
    # The scopes the client may be granted (space-separated SMART scopes).
    scopes = models.TextField()
    # private_key_jwt: the client's public keys, inline (a JWK Set) or at an https URL.
    jwks = models.JSONField(null=True, blank=True)
    jwks_url = models.URLField(max_length=500, blank=True)
    # A backend client acts as this account (never able to log in): the audit's actor.
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_integration",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def client_id(self) -> str:
        return str(self.application.client_id)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class UsedAssertion(models.Model):
    """A client assertion's ``jti``, kept until the assertion expires: a second use is a
    replay (RFC 7523 §3, SMART Backend Services)."""

    client_id = models.CharField(max_length=100)
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_id", "jti"], name="assertion_jti_once")
        ]

    def __str__(self) -> str:
        return f"assertion {self.jti} of {self.client_id}"
