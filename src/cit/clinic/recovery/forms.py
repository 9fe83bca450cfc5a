"""The diary check-in form (patients, plain words) and the clinician's forms."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cit.clinic.form_fields import set_choices
from cit.clinic.photos.sanitise import PhotoRejected, SanitisedPhoto, sanitise_photo
from cit.clinic.recovery.actions import adverse_event_labels
from cit.clinic.recovery.models import PainTrendChoice, Severity

SCORE_CHOICES = [
    (0, _("None")),
    (1, _("A little")),
    (2, _("Moderate")),
    (3, _("A lot")),
]
PAIN_CHOICES = (
    [(0, _("0 - no pain"))] + [(n, str(n)) for n in range(1, 10)] + [(10, _("10 - the worst pain"))]
)
TREND_CHOICES = [
    (PainTrendChoice.BETTER, _("Getting better")),
    (PainTrendChoice.SAME, _("About the same")),
    (PainTrendChoice.WORSE, _("Getting worse")),
]

# Yes/no questions: field -> the question in plain words. The first two are normal healing.
YES_NO = {
    "peeling": _("Is your skin peeling or flaking?"),
    "bleeding": _("Any small spots of bleeding?"),
    "spreading_redness": _("Is the redness spreading, or does the skin feel hot?"),
    "blisters": _("Blisters in a group, or cold sores?"),
    "pus": _("Pus, or yellow crusts?"),
    "fever": _("Do you have a fever (feel hot and shivery, 38 °C or more)?"),
    "hives": _("Raised itchy welts (hives)?"),
    "lip_eye_swelling": _("Are your lips or eyes swollen?"),
    "breathing_trouble": _("Any trouble breathing?"),
    "itchy_rash": _("An itchy rash?"),
    "acne_flare": _("More spots or acne than usual?"),
    "pigment_change": _("New dark or light patches of skin?"),
    "track_marks": _("Lines or marks in rows where the needles went?"),
    "bumps": _("Firm lumps or bumps under the skin?"),
}


class CheckInForm(forms.Form):
    redness = forms.TypedChoiceField(
        label=_("How red is your skin?"), choices=SCORE_CHOICES, coerce=int
    )
    swelling = forms.TypedChoiceField(
        label=_("How swollen is it?"), choices=SCORE_CHOICES, coerce=int
    )
    pain = forms.TypedChoiceField(
        label=_("How much does it hurt, from 0 to 10?"), choices=PAIN_CHOICES, coerce=int
    )
    pain_trend = forms.ChoiceField(
        label=_("Since yesterday, is the pain..."), choices=TREND_CHOICES, initial="same"
    )

    def __init__(self, *args: Any, with_photo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, question in YES_NO.items():
            self.fields[name] = forms.BooleanField(label=question, required=False)
        self.fields["note"] = forms.CharField(
            label=_("Anything else you want to tell us?"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.sanitised: SanitisedPhoto | None = None
        if with_photo:
            self.fields["photo"] = forms.FileField(
                label=_("A photo of the treated skin (optional)"),
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": "image/*", "capture": "environment"}
                ),
            )

    def clean_photo(self) -> Any:
        upload = self.cleaned_data.get("photo")
        if upload:
            try:
                self.sanitised = sanitise_photo(upload, size=upload.size)
            except PhotoRejected as error:
                raise forms.ValidationError(str(error)) from None
        return upload

    def answers(self) -> dict[str, Any]:
        """The answers, without the photo (stored with the photographs)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "photo"}


class AcknowledgeForm(forms.Form):
    action_taken = forms.CharField(
        label="What was done",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="E.g. called the patient, advice given, appointment booked.",
    )


class AdverseEventForm(forms.Form):
    event_type = forms.ChoiceField(label="Type")
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices)
    onset_on = forms.DateField(label="Onset", widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, session_date: datetime.date, today: datetime.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.session_date = session_date
        self.today = today
        set_choices(self.fields["event_type"], list(adverse_event_labels().items()))

    def clean_onset_on(self) -> datetime.date:
        onset: datetime.date = self.cleaned_data["onset_on"]
        if onset < self.session_date:
            raise forms.ValidationError("The onset cannot be before the session.")
        if onset > self.today:
            raise forms.ValidationError("The onset cannot be in the future.")
        return onset
