from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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


class _WrittenHere:
    """An ``<input>`` written by ``format_html``, not by Django's widget templates: the
    search form is on every patient search, and its two inputs took the template engine
    0.15 ms a page. The same markup: the widget's own context, its attributes in order as
    the template writes them (``True`` bare, ``False`` left out)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        written = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        attributes = "".join(
            format_html(" {}", key) if setting is True else format_html(' {}="{}"', key, setting)
            for key, setting in widget["attrs"].items()
            if setting is not False
        )
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            written,
            mark_safe(attributes),
        )


class _SearchInput(_WrittenHere, forms.TextInput):
    pass


class _Checkbox(_WrittenHere, forms.CheckboxInput):
    pass


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Find a patient",
        widget=_SearchInput(
            attrs={
                "type": "search",
                "placeholder": "Name, record number, date of birth, phone or email",
                "size": 44,
            }
        ),
    )
    archived = forms.BooleanField(required=False, label="Show archived", widget=_Checkbox)
