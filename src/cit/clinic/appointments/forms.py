"""Forms of the booking pages: input checks only; the actions decide."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms

from cit.clinic.accounts.models import Provider
from cit.clinic.appointments.convert import provider_choice
from cit.clinic.bounds import BoundedDates
from cit.clinic.facilities.models import Clinic, Weekday

TIME_OF_DAY = {
    "": ("Any time", None),
    "morning": ("Mornings (before 12:00)", "00:00-12:00"),
    "afternoon": ("Afternoons (12:00–17:00)", "12:00-17:00"),
    "evening": ("Evenings (after 17:00)", "17:00-23:59"),
}


def provider_choices(clinic: Clinic) -> list[tuple[str, str]]:
    providers = Provider.objects.active().filter(clinic=clinic).select_related("user")
    return [provider_choice(p) for p in providers]


class _WithProviders(BoundedDates, forms.Form):
    def _provider_field(self) -> forms.ChoiceField:
        field = self.fields["provider"]
        assert isinstance(field, forms.ChoiceField)
        return field


class ProposeForm(_WithProviders):
    earliest_start = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: the plan's first session date (or today, if that has passed).",
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="Preferred weekdays",
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    time_of_day = forms.ChoiceField(
        label="Preferred time",
        choices=[(key, label) for key, (label, _window) in TIME_OF_DAY.items()],
        required=False,
    )
    provider = forms.ChoiceField(label="Preferred provider", required=False)

    def __init__(
        self,
        *args: Any,
        clinic: Clinic,
        providers: Sequence[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        """``providers``: the clinic's provider choices when the caller has them already
        (``ClinicSetup.provider_choices``)."""
        super().__init__(*args, **kwargs)
        choices = provider_choices(clinic) if providers is None else providers
        self._provider_field().choices = [("", "No preference"), *choices]


class MoveForm(_WithProviders):
    new_date = forms.DateField(label="New date", widget=forms.DateInput(attrs={"type": "date"}))
    new_time = forms.TimeField(
        label="New start time", widget=forms.TimeInput(attrs={"type": "time", "step": 900})
    )
    provider = forms.ChoiceField(label="Provider", required=False)

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self._provider_field().choices = [
            ("", "Keep the same provider"),
            *provider_choices(clinic),
        ]

    def new_start(self) -> datetime.datetime:
        """The chosen local wall-clock time in the clinic's zone, as an aware datetime."""
        return datetime.datetime.combine(
            self.cleaned_data["new_date"], self.cleaned_data["new_time"], tzinfo=self.clinic.tzinfo
        )

    def provider_id(self) -> int | None:
        value = self.cleaned_data.get("provider")
        return int(value) if value else None


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False, label="Reason (optional)")


class AbsenceForm(_WithProviders):
    provider = forms.ChoiceField()
    starts = forms.DateTimeField(
        label="Away from", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends = forms.DateTimeField(
        label="Back at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self._provider_field().choices = provider_choices(clinic)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zone = self.clinic.tzinfo
        for name in ("starts", "ends"):
            if data.get(name) is not None:
                # Entered as the clinic's wall-clock time, whatever the server's zone.
                data[name] = data[name].replace(tzinfo=None).replace(tzinfo=zone)
        if data.get("starts") and data.get("ends") and data["starts"] >= data["ends"]:
            self.add_error("ends", "The absence must end after it starts.")
        return data
