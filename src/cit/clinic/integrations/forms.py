from __future__ import annotations

import json
from typing import Any

from django import forms

from cit.clinic.integrations.models import ClientAuth, IntegrationKind

SCOPE_HELP = (
    "Space-separated SMART scopes, reading only: system/*.rs for a backend service "
    "(or per type, system/Observation.rs); user/*.rs for staff apps; patient/*.rs and "
    "launch/patient for patients' apps."
)


class IntegrationForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=IntegrationKind.choices, label="Kind of client")
    client_auth = forms.ChoiceField(choices=ClientAuth.choices, label="How it signs in")
    scopes = forms.CharField(max_length=2000, help_text=SCOPE_HELP)
    jwks = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=64_000,
        label="Public keys (JWK Set, JSON)",
        help_text="For a backend service signing with its key: the public keys, RS384 or ES384.",
    )
    jwks_url = forms.URLField(
        assume_scheme="https",
        required=False,
        max_length=500,
        label="Or the https address of its public keys",
    )
    redirect_uris = forms.CharField(
        required=False,
        max_length=2000,
        label="Redirect addresses",
        help_text="For an app: where it receives the sign-in (space-separated).",
    )

    def clean_jwks(self) -> Any:
        text = self.cleaned_data["jwks"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError("This is not JSON.") from None

    def clean_redirect_uris(self) -> str:
        return " ".join(self.cleaned_data["redirect_uris"].split())
