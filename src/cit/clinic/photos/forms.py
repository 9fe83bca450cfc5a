"""Forms of the photographs pages: capture of one view, consent given, consent withdrawn."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cit.clinic.bounds import BoundedDates
from cit.clinic.photos.models import PhotoScope
from cit.clinic.photos.sanitise import PhotoRejected, SanitisedPhoto, sanitise_photo


class CapturePhotoForm(BoundedDates, forms.Form):
    """One standard view: the photo (camera or file) for the day chosen on the page."""

    taken_on = forms.DateField(widget=forms.HiddenInput)
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*", "capture": "environment", "data-photo-input": ""}
        ),
        error_messages={"required": _("Choose or take a photo first.")},
    )

    def __init__(self, *args: Any, view_title: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photo"].label = f"Photo: {view_title}" if view_title else _("Photo")
        self.sanitised: SanitisedPhoto | None = None

    def clean_photo(self) -> Any:
        upload = self.cleaned_data["photo"]
        try:
            self.sanitised = sanitise_photo(upload, size=upload.size)
        except PhotoRejected as error:
            raise forms.ValidationError(str(error)) from None
        return upload


_SCOPE_HELP = _("Which uses of the photographs the patient agrees to.")


class PhotoConsentForm(BoundedDates, forms.Form):
    scopes = forms.MultipleChoiceField(
        label=_("Uses the patient agrees to"),
        choices=PhotoScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_SCOPE_HELP,
        error_messages={"required": _("Choose at least one use, or withdraw consent instead.")},
    )
    stated_on = forms.DateField(
        label=_("Date consent was given"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class WithdrawPhotoConsentForm(BoundedDates, forms.Form):
    scopes = forms.MultipleChoiceField(
        label=_("Uses to withdraw"),
        choices=PhotoScope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the uses to withdraw.")},
    )
    stated_on = forms.DateField(
        label=_("Date consent was withdrawn"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
