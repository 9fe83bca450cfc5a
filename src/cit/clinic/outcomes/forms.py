"""The rating form, built from the scale: one input per grade, item, or item and factor."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from cit.clinic.bounds import BoundedDates
from cit.clinic.charting.models import SessionNote
from cit.clinic.dates import clinic_date_text
from cit.protocol.knowledge import Scale
from cit.protocol.outcomes import VALUE, input_keys

PREFIX = "in_"  # keeps a clinic's item ids apart from the form's own fields


class SessionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        state = "signed" if obj.is_signed else "draft"
        return f"{clinic_date_text(obj.session_date, 'j M Y')} ({state})"


class RatingForm(BoundedDates, forms.Form):
    rated_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Rated on")
    session_note = SessionChoiceField(
        queryset=SessionNote.objects.none(),
        required=False,
        label="Session (optional)",
        help_text="The session this rating was made at, if any.",
    )

    def __init__(
        self, *args: Any, scale: Scale, notes: Any = None, patient_view: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scale = scale
        session_field = self.fields["session_note"]
        assert isinstance(session_field, forms.ModelChoiceField)
        if notes is None or patient_view:
            del self.fields["session_note"]
        else:
            session_field.queryset = notes
        if patient_view:
            self.fields["rated_on"].label = "Date"
        self.groups: list[tuple[str, list[str]]] = []
        asked = scale.question if patient_view and scale.question else ""
        if scale.kind == "grade":
            self.fields[PREFIX + VALUE] = forms.TypedChoiceField(
                choices=[
                    ("", "Choose…"),
                    *[(str(v), f"{v} – {label}") for v, label in scale.grades],
                ],
                label=scale.short,
            )
        elif scale.kind == "number":
            self.fields[PREFIX + VALUE] = forms.DecimalField(
                min_value=Decimal(str(scale.minimum)),
                max_value=Decimal(str(scale.maximum)),
                step_size=Decimal(str(scale.step)),
                label=asked
                or f"{scale.short} ({scale.minimum:g} to {scale.maximum:g}"
                + (f" {scale.unit})" if scale.unit else ")"),
            )
        elif scale.kind == "points":
            for item in scale.items:
                self.fields[PREFIX + item.id] = forms.ChoiceField(
                    choices=[
                        ("0", "None"),
                        *[(str(n), band) for n, band in enumerate(item.bands, 1)],
                    ],
                    label=item.label,
                    initial="0",
                )
        elif scale.kind == "weighted":
            for item in scale.items:
                names = []
                for factor in scale.factors:
                    name = f"{PREFIX}{item.id}.{factor.id}"
                    self.fields[name] = forms.ChoiceField(
                        choices=[(str(v), f"{v} – {label}") for v, label in factor.grades],
                        label=f"{item.label}: {factor.label.lower()}",
                        initial="0",
                    )
                    names.append(name)
                self.groups.append((item.label, names))
        else:
            for item in scale.items:
                self.fields[PREFIX + item.id] = forms.IntegerField(
                    min_value=int(item.minimum),
                    max_value=int(item.maximum),
                    label=f"{item.label} ({item.minimum:g} to {item.maximum:g})",
                )

    def values(self) -> dict[str, object]:
        """The scale's inputs from the cleaned data, keyed as the core expects."""
        return {key: self.cleaned_data.get(PREFIX + key) for key in input_keys(self.scale)}

    def field_for(self, key: str) -> str | None:
        name = PREFIX + key
        if name in self.fields:
            return name
        return key if key in self.fields else None
