from __future__ import annotations

from django import forms

from cit.clinic.audit.models import AuditAction
from cit.clinic.bounds import BoundedDates


class AuditFilterForm(BoundedDates, forms.Form):
    actor = forms.CharField(required=False, max_length=150, label="User name")
    patient = forms.CharField(required=False, max_length=20, label="Patient record no.")
    action = forms.ChoiceField(required=False, choices=[("", "Any"), *AuditAction.choices])
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("'Since' must be on or before 'until'.")
        return cleaned
