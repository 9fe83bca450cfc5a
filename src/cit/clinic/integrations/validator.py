"""django-oauth-toolkit hooks: which clients exist (an integration not revoked), how a backend
client authenticates (a signed JWT or its secret, whichever it registered), which SMART
scopes it may be granted, and the audit of every token issued."""

from __future__ import annotations

import logging
from typing import Any

from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.integrations import smart
from cit.clinic.integrations.assertion import (
    ASSERTION_TYPE,
    AssertionRefused,
    unverified_client_id,
    verify_assertion,
)
from cit.clinic.integrations.membership import user_in_clinic
from cit.clinic.integrations.models import ClientAuth, Integration

log = logging.getLogger(__name__)


def integration_of(application: Any) -> Integration | None:
    """The live integration an application belongs to (None: unknown or revoked)."""
    try:
        integration: Integration = application.integration
    except Integration.DoesNotExist:
        return None
    return None if integration.is_revoked else integration


class ScopeDescriptions(dict[str, str]):
    """Every scope's description for the consent screen, made on demand."""

    def __missing__(self, key: str) -> str:
        return smart.describe(key)


class SmartScopes(BaseScopes):  # type: ignore[misc]
    def get_all_scopes(self) -> dict[str, str]:
        return ScopeDescriptions()

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        integration = integration_of(application) if application is not None else None
        return smart.split_scopes(integration.scopes) if integration else []

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return self.get_available_scopes(application, request)


# Set by the server, never from the client (whose headers all arrive as HTTP_*).
TOKEN_URL_HEADER = "CIT_TOKEN_URL"


class CitOAuthLibCore(OAuthLibCore):  # type: ignore[misc]
    """Hands the validator the token endpoint's absolute URL, the ``aud`` an assertion
    must name (oauthlib sees only the path)."""

    def extract_headers(self, request: Any) -> dict[str, Any]:
        headers: dict[str, Any] = super().extract_headers(request)
        headers.pop(TOKEN_URL_HEADER, None)
        headers[TOKEN_URL_HEADER] = request.build_absolute_uri(request.path)
        return headers


class CitOAuth2Validator(OAuth2Validator):  # type: ignore[misc]
    # SMART App Launch: with the fhirUser scope the id_token says which FHIR resource the
    # person is; only sub otherwise (CIT grants no profile, email, ... scopes).
    oidc_claim_scope = {"sub": smart.OPENID, "fhirUser": smart.FHIR_USER}

    def get_additional_claims(self, request: Any) -> dict[str, str]:
        resource = fhir_user_of(request.user)
        return {"fhirUser": resource} if resource else {}

    def _load_application(self, client_id: Any, request: Any) -> Any:
        if not isinstance(client_id, str) or not 0 < len(client_id) <= 100:
            return None
        application = super()._load_application(client_id, request)
        if application is None or integration_of(application) is None:
            request.client = None
            return None
        return application

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        assertion_type = getattr(request, "client_assertion_type", None)
        assertion = getattr(request, "client_assertion", None)
        if assertion_type is not None or assertion is not None:
            return self._authenticate_by_assertion(request, assertion_type, assertion)
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        integration = integration_of(request.client)
        # A client registered with keys may not fall back to a secret, nor the reverse.
        return integration is not None and integration.client_auth == ClientAuth.CLIENT_SECRET

    def _authenticate_by_assertion(self, request: Any, assertion_type: Any, assertion: Any) -> bool:
        if assertion_type != ASSERTION_TYPE or not isinstance(assertion, str):
            return False
        client_id = unverified_client_id(assertion)
        if client_id is None or (request.client_id and request.client_id != client_id):
            return False
        application = self._load_application(client_id, request)
        integration = integration_of(application) if application is not None else None
        if integration is None or integration.client_auth != ClientAuth.PRIVATE_KEY_JWT:
            return False
        token_url = request.headers.get(TOKEN_URL_HEADER, "")
        try:
            verify_assertion(integration, assertion, token_url)
        except AssertionRefused as refusal:
            log.info("Client assertion refused for an integration: %s", refusal)
            return False
        request.client = application
        request.client_id = client_id
        return True

    def validate_scopes(
        self, client_id: Any, scopes: Any, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        integration = integration_of(client)
        if integration is None or len(scopes) > smart.MAX_SCOPES:
            return False
        return smart.within(scopes, smart.split_scopes(integration.scopes))

    def validate_refresh_token(
        self, refresh_token: Any, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        # A person deactivated, or gone from the client's clinic, gets no new token.
        integration = integration_of(client)
        user = request.user
        return bool(
            integration is not None
            and user is not None
            and user.is_active
            and user_in_clinic(user, integration.clinic_id)
        )

    def save_bearer_token(self, token: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        result = super().save_bearer_token(token, request, *args, **kwargs)
        integration = integration_of(request.client)
        actor = request.user if request.user is not None else None
        if actor is None and integration is not None:
            actor = integration.service_user
        patient = _own_patient(actor) if actor is not None else None
        if patient is not None and smart.LAUNCH_PATIENT in token.get("scope", "").split():
            # SMART launch context: the patient the token is about.
            token["patient"] = str(patient.pk)
        record_event(
            None,
            AuditAction.LOGIN,
            actor=actor,
            object_type="access token",
            detail={
                "oauth_client": request.client.client_id,
                "grant": request.grant_type,
                "scope": token.get("scope", ""),
            },
            channel="oauth",
        )
        return result


def fhir_user_of(user: Any) -> str | None:
    """The absolute URL of the FHIR resource ``user`` is: their Patient (a patient), their
    Practitioner (staff who treat); None for staff who do not treat (no such resource)."""
    from cit.clinic.accounts.models import Provider
    from cit.clinic.fhir_out.site_urls import server_base

    patient = _own_patient(user)
    if patient is not None:
        return f"{server_base()}/Patient/{patient.pk}"
    provider = Provider.objects.active().filter(user=user).values_list("pk", flat=True).first()
    return f"{server_base()}/Practitioner/{provider}" if provider is not None else None


def _own_patient(user: Any) -> Any:
    from cit.clinic.accounts.roles import Role
    from cit.clinic.patients.models import Patient

    if getattr(user, "role", None) != Role.PATIENT:
        return None
    return Patient.objects.filter(portal_user=user).active().first()
