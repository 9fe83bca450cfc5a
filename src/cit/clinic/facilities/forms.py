from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cit.clinic.accounts.actions import parse_windows
from cit.clinic.facilities.models import Device, Room, Weekday


class RoomForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Room
        fields = ["name"]


class DeviceForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Device
        fields = ["kind", "model", "serial_number", "max_depth_mm"]


class WeeklyRotaForm(forms.Form):
    """A provider's week: per weekday "09:00-13:00, 14:00-18:00" or "off"."""

    use_clinic_hours = forms.BooleanField(
        required=False, label="No own rota: work the clinic's opening hours"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for weekday, label in Weekday.choices:
            self.fields[f"day_{weekday}"] = forms.CharField(
                label=label,
                required=False,
                max_length=100,
                help_text="e.g. 09:00-13:00, 14:00-18:00 — or off",
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("use_clinic_hours"):
            cleaned["rota"] = None
            return cleaned
        rota = {}
        for weekday, _label in Weekday.choices:
            try:
                rota[weekday] = parse_windows(cleaned.get(f"day_{weekday}") or "")
            except ValidationError as error:
                self.add_error(f"day_{weekday}", error)
        cleaned["rota"] = rota
        return cleaned


class OpeningHoursForm(forms.Form):
    """The clinic's week: per weekday "09:00-13:00, 14:00-18:00" or "closed"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for weekday, label in Weekday.choices:
            self.fields[f"day_{weekday}"] = forms.CharField(
                label=label,
                required=False,
                max_length=100,
                help_text="e.g. 09:00-13:00, 14:00-18:00 — or closed",
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        hours = {}
        for weekday, _label in Weekday.choices:
            text = (cleaned.get(f"day_{weekday}") or "").strip()
            try:
                hours[weekday] = parse_windows("off" if text.lower() == "closed" else text)
            except ValidationError as error:
                self.add_error(f"day_{weekday}", error)
        cleaned["hours"] = hours
        return cleaned
