from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cit.clinic.accounts.actions import parse_windows
from cit.clinic.accounts.models import LicenceType
from cit.clinic.accounts.roles import CLINICAL_ROLES, STAFF_ROLES, Role
from cit.clinic.bounds import BoundedDates
from cit.clinic.facilities.models import ClosureDay, Device, Room, Weekday


class RoomForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Room
        fields = ["name"]


class DeviceForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Device
        fields = ["kind", "model", "serial_number", "max_depth_mm"]


class ClosureDayForm(BoundedDates, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ClosureDay
        fields = ["date", "name", "repeats_yearly"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        labels = {"repeats_yearly": "Every year"}


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


CONSULTATION_ROLE_CHOICES = [(role.value, role.label) for role in Role if role in CLINICAL_ROLES]


class ConsultationSettingsForm(forms.Form):
    """How long a consultation is booked for and which roles hold them."""

    consultation_minutes = forms.IntegerField(
        label="Consultation length (minutes)", min_value=10, max_value=120
    )
    consultation_roles = forms.MultipleChoiceField(
        label="Who may hold consultations",
        choices=CONSULTATION_ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role."},
    )


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


STAFF_ROLE_CHOICES = [(role.value, role.label) for role in Role if role in STAFF_ROLES]
LICENCE_WARNING_DAYS = 60


class StaffForm(BoundedDates, forms.Form):
    """A member of staff: name, role, and the licence of those who treat."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES)
    licence_type = forms.ChoiceField(
        choices=[("", "—"), *LicenceType.choices], required=False, label="Licence"
    )
    licence_number = forms.CharField(max_length=60, required=False)
    licence_expires_on = forms.DateField(
        required=False, label="Licence valid until", widget=forms.DateInput(attrs={"type": "date"})
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active (may log in)")

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["username"] = forms.CharField(max_length=150, label="User name")
            self.fields["password"] = forms.CharField(
                widget=forms.PasswordInput,
                label="First password",
                help_text="They change it after their first log-in.",
            )
            del self.fields["is_active"]

    def clean_username(self) -> str:
        from cit.clinic.accounts.models import User

        username: str = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("This user name is taken.")
        return username

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password: str = self.cleaned_data["password"]
        validate_password(password)
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role = cleaned.get("role")
        licence = [cleaned.get(k) for k in ("licence_type", "licence_number", "licence_expires_on")]
        if role in CLINICAL_ROLES and not all(licence):
            self.add_error(
                "licence_type", "Staff who treat need their licence: type, number and expiry."
            )
        if role not in CLINICAL_ROLES and any(licence):
            self.add_error("licence_type", "Only staff who treat have a licence recorded here.")
        return cleaned
