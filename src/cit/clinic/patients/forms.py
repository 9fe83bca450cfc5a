from __future__ import annotations

from django import forms

from cit.clinic.patients.actions import EDITABLE_FIELDS
from cit.clinic.patients.models import Patient
from cit.lib import bounds


class PatientForm(forms.ModelForm):  # type: ignore[type-arg]
    address = forms.CharField(
        required=False,
        max_length=bounds.ADDRESS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Patient
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "address": forms.Textarea(attrs={"rows": 3}),
        }


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Find a patient",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Name, record number, date of birth, phone or email",
                "size": 44,
            }
        ),
    )
    archived = forms.BooleanField(required=False, label="Show archived")
