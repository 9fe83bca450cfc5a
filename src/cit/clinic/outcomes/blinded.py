"""Blinded photo-pair rating: a clinician puts two photos of one view before a rater, who
sees them in a random order with no dates and grades the change (GAIS), as trials do.

The rater reaches a pair by its token alone; its photos are served through the pair (first
or second), so neither their dates nor their own addresses are shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cit.clinic.access import signed_in_user
from cit.clinic.accounts.models import User
from cit.clinic.accounts.permissions import Capability
from cit.clinic.accounts.roles import CLINICAL_ROLES
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.dates import clinic_date_text
from cit.clinic.feedback import form_status
from cit.clinic.outcomes import actions
from cit.clinic.outcomes.models import BlindedPairRating
from cit.clinic.outcomes.views import outcome_patient
from cit.clinic.paging import request_page
from cit.clinic.photos.actions import photo_in_scope, photo_view, photos_for
from cit.clinic.photos.models import Photo, PhotoScope
from cit.clinic.photos.serving import photo_response
from cit.protocol.knowledge import get_knowledge

PAIRS_PER_PAGE = 50


class PairForm(forms.Form):
    first = forms.TypedChoiceField(label=gettext_lazy("One photo"), coerce=int)
    second = forms.TypedChoiceField(label=gettext_lazy("The other photo"), coerce=int)
    rater = forms.TypedChoiceField(label=gettext_lazy("Who rates the pair"), coerce=int)

    def __init__(self, *args: Any, photos: list[Photo], raters: list[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [(p.pk, _photo_label(p)) for p in photos]
        self._choice_field("first").choices = choices
        self._choice_field("second").choices = choices
        self._choice_field("rater").choices = [
            (u.pk, u.get_full_name() or u.username) for u in raters
        ]
        self.photos = {p.pk: p for p in photos}

    def _choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = (
            self.photos.get(data.get("first", -1)),
            self.photos.get(data.get("second", -1)),
        )
        if first is not None and second is not None:
            if first.pk == second.pk:
                self.add_error("second", _("Choose two different photos."))
            elif first.view != second.view:
                self.add_error("second", _("Choose two photos of the same view."))
            elif first.taken_on == second.taken_on:
                self.add_error("second", _("Choose photos taken on different days."))
        return data

    def earlier_and_later(self) -> tuple[Photo, Photo]:
        pair = sorted(
            (self.photos[self.cleaned_data["first"]], self.photos[self.cleaned_data["second"]]),
            key=lambda photo: (photo.taken_on, photo.pk),
        )
        return pair[0], pair[1]


class RatePairForm(forms.Form):
    judged_later = forms.ChoiceField(
        label=gettext_lazy("Which photo looks later (after treatment)?"),
        choices=[("first", gettext_lazy("Photo 1")), ("second", gettext_lazy("Photo 2"))],
        widget=forms.RadioSelect,
    )
    gais = forms.TypedChoiceField(
        label=gettext_lazy("How much has the skin improved between them?"),
        coerce=int,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grades = get_knowledge().scales["gais-clinician"].grades
        field = self.fields["gais"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, label) for value, label in grades]


def _photo_label(photo: Photo) -> str:
    view = photo_view(photo.view)
    title = view.title if view is not None else _("Photo")
    return f"{title}, {clinic_date_text(photo.taken_on, 'j M Y')}"


@login_required
def assign_pair(request: HttpRequest, patient_id: int) -> HttpResponse:
    """A clinician chooses two photos of one view and the clinician who rates them blind."""
    user = signed_in_user(request)
    if user.is_patient or user.role not in CLINICAL_ROLES:
        raise PermissionDenied(_("Only the clinic's clinicians set up blinded ratings."))
    audit = AuditAction.VIEW if request.method != "POST" else None
    patient = outcome_patient(request, patient_id, Capability.CLINICAL_EDIT, audit)
    photos = list(photos_for(patient, scope=PhotoScope.RECORD))
    raters = list(
        User.objects.filter(
            clinic=patient.clinic, role__in=CLINICAL_ROLES, is_active=True
        ).order_by("last_name", "first_name", "username")
    )
    form = PairForm(request.POST or None, photos=photos, raters=raters)
    if request.method == "POST" and form.is_valid():
        earlier, later = form.earlier_and_later()
        rater = next(u for u in raters if u.pk == form.cleaned_data["rater"])
        try:
            actions.do_assign_blinded_pair(
                actor=user,
                patient=patient,
                earlier_ref=str(earlier.pk),
                later_ref=str(later.pk),
                rater=rater,
                request=request,
            )
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
        else:
            messages.success(
                request,
                _("The pair is waiting for %(rater)s to rate.")
                % {"rater": rater.get_full_name() or rater.username},
            )
            return redirect("outcomes", patient_id=patient.pk)
    return render(
        request,
        "outcomes/blinded_assign.html",
        {"patient": patient, "form": form, "has_pairs": len(photos) >= 2},
        status=form_status(form) if request.method == "POST" else 200,
    )


def _my_pair(request: HttpRequest, token: str) -> BlindedPairRating:
    """The pair behind ``token``, for its assigned rater only (404 for anyone else)."""
    user = signed_in_user(request)
    pair = (
        BlindedPairRating.objects.select_related("patient")
        .filter(token=token, rater_id=user.pk)
        .first()
        if len(token) <= 64
        else None
    )
    if pair is None or user.is_patient or pair.patient.is_archived:
        raise Http404(_("No such pair to rate."))
    return pair


@login_required
def pairs_to_rate(request: HttpRequest) -> HttpResponse:
    """The pairs waiting for this clinician, oldest first (numbered, nothing more)."""
    user = signed_in_user(request)
    if user.is_patient or user.role not in CLINICAL_ROLES:
        raise PermissionDenied(_("Only clinicians rate photo pairs."))
    pairs = request_page(
        request,
        BlindedPairRating.objects.filter(rater_id=user.pk, rated_at__isnull=True),
        ordering=("assigned_at", "id"),
        size=PAIRS_PER_PAGE,
        numbered=True,
    )
    record_event(
        request,
        AuditAction.LIST,
        object_type="outcomes.BlindedPairRating",
        detail={"count": len(pairs)},
    )
    return render(request, "outcomes/blinded_list.html", {"pairs": pairs})


@login_required
def rate_pair(request: HttpRequest, token: str) -> HttpResponse:
    pair = _my_pair(request, token)
    if pair.rated_at is not None:
        messages.info(request, _("You have rated this pair already."))
        return redirect("blinded-pairs")
    form = RatePairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_rate_blinded_pair(
                actor=signed_in_user(request),
                pair=pair,
                gais=form.cleaned_data["gais"],
                judged_later=form.cleaned_data["judged_later"],
                request=request,
            )
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
        else:
            messages.success(request, _("Rating saved."))
            return redirect("blinded-pairs")
    if request.method != "POST":
        record_event(request, AuditAction.VIEW, patient=pair.patient, obj=pair)
    return render(
        request,
        "outcomes/blinded_rate.html",
        {"pair": pair, "form": form},
        status=form_status(form) if request.method == "POST" else 200,
    )


@login_required
def pair_photo(request: HttpRequest, token: str, position: int) -> FileResponse:
    """Photo 1 or 2 of the pair in the order drawn for it, for the assigned rater."""
    pair = _my_pair(request, token)
    if position not in (1, 2):
        raise Http404(_("A pair has photos 1 and 2."))
    ref = actions.shown_order(pair)[position - 1]
    photo = (
        Photo.objects.select_related("patient")
        .filter(pk=int(ref), patient=pair.patient, archived_at__isnull=True)
        .first()
        if ref.isdigit()
        else None
    )
    if photo is None or not photo_in_scope(photo, PhotoScope.RECORD):
        raise Http404(_("This photo can no longer be shown."))
    record_event(
        request,
        AuditAction.VIEW,
        patient=pair.patient,
        obj=photo,
        detail={"blinded_pair": pair.pk},
    )
    return photo_response(photo)
