"""Page forms for charting. They check the shape of input; the actions decide the rest."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cit.clinic.bounds import BoundedDates
from cit.clinic.charting.amendments import NOTE_TARGETS
from cit.clinic.charting.models import Endpoint, Procedure, ProductPurpose, SignatureMethod
from cit.clinic.dates import clinic_date_text
from cit.clinic.facilities.models import Clinic, Device
from cit.clinic.inventory.actions import usable_lots
from cit.clinic.inventory.models import Lot
from cit.protocol.depth import ZoneLimits

YES_NO = [("yes", "Yes"), ("no", "No")]


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show an action's refusal on the form: on the field it names, else above the form."""
    messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    for field, field_messages in messages.items():
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message)


def _yes(value: str) -> bool:
    return value == "yes"


class ConsentFormPublishForm(BoundedDates, forms.Form):
    procedure = forms.ChoiceField(choices=Procedure.choices)
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), label="Consent text")
    effective_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="From this day patients sign this version; earlier signatures lapse.",
    )


class ConsentSignForm(forms.Form):
    method = forms.ChoiceField(
        choices=SignatureMethod.choices,
        widget=forms.RadioSelect,
        initial=SignatureMethod.DRAWN,
        label="How the patient signs",
    )
    typed_name = forms.CharField(
        max_length=200, required=False, label="Patient's full name (typed signature)"
    )
    drawn_signature = forms.CharField(required=False, widget=forms.HiddenInput)
    patient_confirms = forms.BooleanField(
        label="The patient has read the form and had their questions answered."
    )


class StartSessionForm(BoundedDates, forms.Form):
    procedure = forms.ChoiceField(choices=Procedure.choices)
    session_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    device = forms.ModelChoiceField(queryset=Device.objects.none(), label="Needling device")
    photos_taken = forms.TypedChoiceField(
        choices=YES_NO, coerce=_yes, widget=forms.RadioSelect, label="Before photos taken"
    )
    numbing_applied_at = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}), label="Numbing applied at"
    )
    numbing_removed_at = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}), label="Numbing removed at"
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["device"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Device.objects.active().filter(clinic=clinic, kind__in=["pen", "roller"])


class SessionDetailsForm(forms.Form):
    photos_taken = forms.TypedChoiceField(
        choices=YES_NO, coerce=_yes, widget=forms.RadioSelect, label="Before photos taken"
    )
    numbing_applied_at = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}), label="Numbing applied at"
    )
    numbing_removed_at = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}), label="Numbing removed at"
    )
    immediate_reactions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Immediate reactions"
    )
    post_procedure_notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Post-procedure care"
    )


class ChartZoneForm(forms.Form):
    zone = forms.ChoiceField(choices=[])
    depth_mm = forms.DecimalField(
        min_value=0.05,
        max_value=3,
        decimal_places=2,
        label="Depth (mm)",
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )
    passes = forms.IntegerField(min_value=1, max_value=20, initial=2)
    endpoint = forms.ChoiceField(choices=Endpoint.choices, label="Endpoint reached")

    def __init__(self, *args: Any, zones: dict[str, ZoneLimits], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "— click the map or choose —")] + [
            (zone.id, f"{zone.title} ({zone.min_mm}–{zone.max_mm} mm)") for zone in zones.values()
        ]


class LotChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return (
            f"{obj.product.name} — lot {obj.lot_number}, "
            f"expires {clinic_date_text(obj.expires_on, 'j M Y')}"
            f" ({obj.quantity_on_hand} left)"
        )


class RecordProductForm(forms.Form):
    purpose = forms.ChoiceField(choices=ProductPurpose.choices, label="Used as")
    lot = LotChoiceField(queryset=Lot.objects.none())
    quantity = forms.IntegerField(min_value=1, max_value=20, initial=1)

    def __init__(
        self, *args: Any, clinic: Clinic, on: datetime.date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lot"]
        assert isinstance(field, forms.ModelChoiceField)
        # Recalled (quarantined), expired and empty lots are never offered.
        field.queryset = usable_lots(clinic, on or clinic.today())


class AmendForm(forms.Form):
    target = forms.ChoiceField(choices=[], label="What to correct")
    new_value = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Corrected value",
        help_text="Times as HH:MM, yes/no, depths in mm; for an addendum, the added text.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Reason")

    def __init__(self, *args: Any, targets: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (
                target,
                label
                if target not in NOTE_TARGETS or target == "addendum"
                else f"{label} (now: {value or '—'})",
            )
            for target, (label, value) in targets.items()
        ]
