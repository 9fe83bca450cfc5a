from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cit.clinic.facilities.models import Clinic
from cit.clinic.portal.models import ChangeKind
from cit.lib import bounds


class ChangeRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What would you like?"), choices=ChangeKind.choices, widget=forms.RadioSelect
    )
    new_date = forms.DateField(
        label=_("New day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    new_time = forms.TimeField(
        label=_("New start time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}),
    )
    note = forms.CharField(
        label=_("Anything the clinic should know (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ChangeKind.RESCHEDULE:
            if not data.get("new_date"):
                self.add_error("new_date", _("Choose the day you would like instead."))
            if not data.get("new_time"):
                self.add_error("new_time", _("Choose the time you would like instead."))
            day = data.get("new_date")
            if day is not None:
                try:
                    bounds.check_date(day, self.clinic.today())
                except bounds.OutOfBounds:
                    self.add_error("new_date", _("Choose a day the clinic can book."))
        return data

    def new_start(self) -> datetime.datetime | None:
        day, time = self.cleaned_data.get("new_date"), self.cleaned_data.get("new_time")
        if day is None or time is None:
            return None
        return datetime.datetime.combine(day, time, tzinfo=self.clinic.tzinfo)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why it is not possible (the patient reads this)", max_length=300
    )
