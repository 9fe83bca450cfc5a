from __future__ import annotations

from django import forms

from cit.clinic.audit.models import AuditAction
from cit.clinic.bounds import BoundedDates


class AuditFilterForm(BoundedDates, forms.Form):
    actor = forms.CharField(
        required=False, max_length=150, label="Who", help_text="Part of a name or user name."
    )
    patient = forms.CharField(
        required=False, max_length=100, label="Patient", help_text="Record number or name."
    )
    action = forms.ChoiceField(
        required=False, label="What", choices=[("", "Any"), *AuditAction.choices]
    )
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The 'From' day must be on or before the 'To' day.")
        return cleaned
