"""The clinic admin's integrations page (register, list, revoke OAuth clients), the SMART
configuration document, and the sign-in consent screen of the authorisation code flow."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import AuthorizationView

from cit.clinic.access import capability_required, signed_in_user, staff_clinic
from cit.clinic.accounts.permissions import Capability
from cit.clinic.charting.forms import apply_errors
from cit.clinic.feedback import flash_errors, form_status
from cit.clinic.fhir_out.registry import TYPES
from cit.clinic.integrations.actions import do_register_integration, do_revoke_integration
from cit.clinic.integrations.assertion import ALGORITHMS
from cit.clinic.integrations.forms import IntegrationForm
from cit.clinic.integrations.membership import user_in_clinic
from cit.clinic.integrations.models import Integration
from cit.clinic.integrations.validator import integration_of


@never_cache
@capability_required(Capability.CLINIC_MANAGE)
def integration_list(request: HttpRequest) -> HttpResponse:
    """Every client of the clinic; a new one registered here (its secret shown once)."""
    clinic = staff_clinic(request)
    form = IntegrationForm(request.POST or None)
    registered = None
    if request.method == "POST" and form.is_valid():
        try:
            registered = do_register_integration(
                actor=signed_in_user(request), clinic=clinic, data=form.cleaned_data,
                resource_types=TYPES.keys(), request=request,
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            form = IntegrationForm()
    context = {
        "integrations": Integration.objects.filter(clinic=clinic).select_related("application"),
        "form": form,
        "registered": registered,
        "token_url": request.build_absolute_uri(reverse("oauth2_provider:token")),
        "smart_configuration": request.build_absolute_uri(reverse("smart-configuration")),
    }
    response = render(request, "integrations/list.html", context, status=form_status(form))
    # The page may hold a secret shown once: never kept by a browser or proxy.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@capability_required(Capability.CLINIC_MANAGE)
def integration_revoke(request: HttpRequest, integration_id: int) -> HttpResponse:
    clinic = staff_clinic(request)
    integration = get_object_or_404(Integration, pk=integration_id, clinic=clinic)
    try:
        ended = do_revoke_integration(
            actor=signed_in_user(request), integration=integration, request=request
        )
    except ValidationError as error:
        flash_errors(request, f"Revoke {integration.name}", error)
    else:
        messages.success(
            request, f"{integration.name} revoked; {ended} live access token(s) ended."
        )
    return redirect("integration-list")


SCOPES_SUPPORTED = [
    "system/*.rs",
    "user/*.rs",
    "patient/*.rs",
    "launch/patient",
    "openid",
    "fhirUser",
]


@require_GET
def smart_configuration(request: HttpRequest) -> JsonResponse:
    """``/.well-known/smart-configuration`` (SMART App Launch 2.x §"SMART on FHIR
    configuration"): where to get tokens and what CIT supports."""
    per_type = [
        f"{context}/{name}.rs" for context in ("system", "user", "patient") for name in TYPES
    ]
    body = {
        # The issuer of the id_tokens (scope openid), and their keys.
        "issuer": oauth2_settings.oidc_issuer(request),
        "jwks_uri": request.build_absolute_uri(reverse("oauth2_provider:jwks-info")),
        "authorization_endpoint": request.build_absolute_uri(reverse("oauth2_provider:authorize")),
        "token_endpoint": request.build_absolute_uri(reverse("oauth2_provider:token")),
        "revocation_endpoint": request.build_absolute_uri(reverse("oauth2_provider:revoke-token")),
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "token_endpoint_auth_methods_supported": [
            "private_key_jwt",
            "client_secret_basic",
            "client_secret_post",
        ],
        "token_endpoint_auth_signing_alg_values_supported": list(ALGORITHMS),
        "scopes_supported": [*SCOPES_SUPPORTED, *per_type],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "capabilities": [
            "launch-standalone",
            "client-public",
            "client-confidential-symmetric",
            "client-confidential-asymmetric",
            "context-standalone-patient",
            "permission-v2",
            "permission-patient",
            "permission-user",
            "sso-openid-connect",
        ],
    }
    response = JsonResponse(body)
    response["Access-Control-Allow-Origin"] = "*"
    return response


class ConsentView(AuthorizationView):  # type: ignore[misc]
    """DOT's authorisation endpoint, for the people of the client's clinic only."""

    template_name = "integrations/authorize.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._refuse_other_clinics(request)
        response: HttpResponse = super().get(request, *args, **kwargs)
        return response

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._refuse_other_clinics(request)
        response: HttpResponse = super().post(request, *args, **kwargs)
        return response

    def _refuse_other_clinics(self, request: HttpRequest) -> None:
        if not request.user.is_authenticated:
            return  # DOT sends them to log in first
        client_id = request.GET.get("client_id") or request.POST.get("client_id") or ""
        integration = (
            Integration.objects.filter(application__client_id=client_id[:100])
            .select_related("application")
            .first()
        )
        if integration is None or integration_of(integration.application) is None:
            return  # DOT answers the unknown client itself
        if not user_in_clinic(request.user, integration.clinic_id):
            raise PermissionDenied("This app is registered with another clinic.")
