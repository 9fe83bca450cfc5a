"""Photographs pages: consent, capture with the ghost of the baseline, timelines, compare,
the teaching gallery, and the one authorised, audited way to fetch a photo's pixels."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cit.clinic.access import capability_required, patient_for_request, signed_in_user, staff_clinic
from cit.clinic.accounts.permissions import Capability, can_access_patient
from cit.clinic.accounts.roles import Role
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.bounds import query_day
from cit.clinic.charting.models import SessionNote
from cit.clinic.feedback import form_status
from cit.clinic.paging import request_page
from cit.clinic.patients.models import Patient
from cit.clinic.photos import actions
from cit.clinic.photos.forms import CapturePhotoForm, PhotoConsentForm, WithdrawPhotoConsentForm
from cit.clinic.photos.models import Photo, PhotoConsent, PhotoScope
from cit.clinic.photos.serving import photo_response
from cit.protocol.knowledge import get_knowledge

# ------------------------------------------------------------------------------ consent


def _consent_context(patient: Patient) -> dict[str, Any]:
    current = actions.current_photo_consent(patient)
    scopes = current.scopes if current is not None else frozenset()
    return {
        "patient": patient,
        "consent": current,
        "scope_rows": [(label, value in scopes) for value, label in PhotoScope.choices],
        "consent_history": PhotoConsent.objects.filter(patient=patient).select_related(
            "recorded_by"
        ),
    }


def photo_consent(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Staff record consent given or withdrawn; the patient may withdraw their own."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    is_patient = request.user.role == Role.PATIENT
    capability = Capability.PATIENT_VIEW if is_patient else Capability.PATIENT_EDIT
    posting = request.method == "POST"
    patient = patient_for_request(
        request, patient_id, capability, None if posting else AuditAction.VIEW
    )
    today = patient.clinic.today()
    give_form = None if is_patient else PhotoConsentForm(initial={"stated_on": today})
    withdraw_form = WithdrawPhotoConsentForm(
        initial={"stated_on": today, "scopes": list(PhotoScope.values)}
    )
    if posting:
        which = request.POST.get("statement")
        form: PhotoConsentForm | WithdrawPhotoConsentForm
        if which == "given" and not is_patient:
            form = give_form = PhotoConsentForm(request.POST)
            do = actions.do_record_photo_consent
        elif which == "withdrawn":
            form = withdraw_form = WithdrawPhotoConsentForm(request.POST)
            do = actions.do_withdraw_photo_consent
        else:
            raise BadRequest("Unknown consent statement.")
        if form.is_valid():
            try:
                do(
                    actor=signed_in_user(request),
                    patient=patient,
                    request=request,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Photo consent recorded."))
                return redirect("photo-consent", patient.pk)
        record_event(request, AuditAction.VIEW, patient=patient, obj=patient)
    context = _consent_context(patient)
    context.update(give_form=give_form, withdraw_form=withdraw_form, is_patient=is_patient)
    return render(
        request, "photos/consent.html", context, status=form_status(give_form, withdraw_form)
    )


# ------------------------------------------------------------------------------ photos


# The newest photos of each view on the photos page; the view's timeline pages through all.
STRIP_LENGTH = 12
TIMELINE_PAGE_SIZE = 50
# Dates to choose from on the compare page (the two chosen are always among them).
COMPARE_CHOICES = 100
TEACHING_PAGE_SIZE = 60


def photos_home(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Per view: the newest thumbnails (the baseline marked), with links to the whole
    timeline, to compare and to capture."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    patient = patient_for_request(request, patient_id, Capability.CLINICAL_VIEW)
    knowledge = get_knowledge()
    by_view: dict[str, list[Photo]] = {}
    for photo in actions.newest_of_each_view(actions.photos_for(patient), STRIP_LENGTH):
        by_view.setdefault(photo.view, []).append(photo)
    timelines = [
        (view, by_view[view_id])
        for view_id, view in knowledge.photo_views.items()
        if view_id in by_view
    ]
    scopes = actions.current_photo_scopes(patient)
    return render(
        request,
        "photos/home.html",
        {
            "patient": patient,
            "timelines": timelines,
            "record_scope": PhotoScope.RECORD in scopes,
            "can_capture": can_access_patient(request.user, patient, Capability.CLINICAL_EDIT),
        },
    )


def view_timeline(request: HttpRequest, patient_id: int, view: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    patient = patient_for_request(request, patient_id, Capability.CLINICAL_VIEW)
    photo_view = actions.photo_view(view)
    if photo_view is None:
        raise Http404("No such view.")
    taken = actions.photos_for(patient, view)
    baseline = taken.first()
    photos = request_page(
        request,
        taken,
        ordering=("taken_on", "id"),
        size=TIMELINE_PAGE_SIZE,
        next_label=_("Later"),
        previous_label=_("Earlier"),
    )
    can_capture = can_access_patient(request.user, patient, Capability.CLINICAL_EDIT)
    return render(
        request,
        "photos/timeline.html",
        {
            "patient": patient,
            "view": photo_view,
            "photos": photos,
            "baseline": baseline,
            "can_capture": can_capture,
        },
    )


def compare(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The same view at two dates: side by side, and a slider revealing one over the other."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    patient = patient_for_request(request, patient_id, Capability.CLINICAL_VIEW)
    knowledge = get_knowledge()
    present = set(actions.photos_for(patient).values_list("view", flat=True).distinct())
    views = [v for v_id, v in knowledge.photo_views.items() if v_id in present]
    view_id = request.GET.get("view") or (views[0].id if views else "")
    photo_view = actions.photo_view(view_id)
    if views and photo_view is None:
        raise Http404("No such view.")
    taken = actions.photos_for(patient, view_id).order_by("taken_on", "id")
    first = taken.first()
    last = taken.last()

    def chosen(name: str, default: Photo | None) -> Photo | None:
        token = request.GET.get(name)
        if not token:
            return default
        found = taken.filter(token=token).first()
        if found is None:
            raise Http404("No such photo.")
        return found

    before = chosen("before", first)
    after = chosen("after", last if last != first else None)
    # The dates offered: the newest, and the two shown.
    choices = {p.pk: p for p in reversed(taken.reverse()[:COMPARE_CHOICES])}
    for shown in (before, after):
        if shown is not None:
            choices.setdefault(shown.pk, shown)
    photos = sorted(choices.values(), key=lambda p: (p.taken_on, p.pk))
    return render(
        request,
        "photos/compare.html",
        {
            "patient": patient,
            "views": views,
            "view": photo_view,
            "photos": photos,
            "baseline": first,
            "before": before,
            "after": after,
        },
    )


def _capture_zones(request: HttpRequest, patient: Patient, note: SessionNote | None) -> list[str]:
    knowledge = get_knowledge()
    asked = [zone for zone in request.GET.getlist("zone") if zone in knowledge.zones]
    if asked:
        return asked
    if note is None:
        note = SessionNote.objects.filter(patient=patient).order_by("-session_date", "-id").first()
    if note is not None:
        zones = list(note.zones.values_list("zone", flat=True))
        if zones:
            return zones
    return list(knowledge.zone_aliases.get("face", ()))


def capture(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The standard views for the zones treated, each with its own upload (camera or file)
    and the baseline of the same view as a ghost to line the new photo up with."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    posting = request.method == "POST"
    patient = patient_for_request(
        request, patient_id, Capability.CLINICAL_EDIT, None if posting else AuditAction.VIEW
    )
    params = request.POST if posting else request.GET
    note = None
    if params.get("session"):
        try:
            note_id = int(params["session"])
        except ValueError:
            raise BadRequest("session: not a session number.") from None
        note = SessionNote.objects.filter(pk=note_id, patient=patient).first()
        if note is None:
            raise Http404("No such session for this patient.")
    today = patient.clinic.today()
    day = query_day(request, "on", today) or (note.session_date if note else today)
    views = actions.photo_views_for_zones(_capture_zones(request, patient, note))
    titles = {view.id: view.title for view in views}
    forms: dict[str, CapturePhotoForm] = {
        view.id: CapturePhotoForm(prefix=view.id, view_title=view.title, initial={"taken_on": day})
        for view in views
    }
    refusal = ""
    if posting:
        view_id = request.POST.get("view", "")
        if view_id not in titles:
            raise BadRequest("Unknown photograph view.")
        form = forms[view_id] = CapturePhotoForm(
            request.POST, request.FILES, prefix=view_id, view_title=titles[view_id]
        )
        if form.is_valid() and form.sanitised is not None:
            try:
                actions.do_capture_photo(
                    actor=signed_in_user(request),
                    patient=patient,
                    view=view_id,
                    taken_on=form.cleaned_data["taken_on"],
                    photo=form.sanitised,
                    session_note=note,
                    request=request,
                )
            except actions.PhotoRefused as error:
                refusal = str(error)
            else:
                messages.success(request, _("%(view)s: photo saved.") % {"view": titles[view_id]})
                return redirect(request.get_full_path())
        record_event(request, AuditAction.VIEW, patient=patient, obj=patient)
    scopes = actions.current_photo_scopes(patient)
    saved = {
        photo.view: photo
        for photo in actions.photos_for(patient).filter(taken_on=day).order_by("id")
    }
    cards = [
        {
            "view": view,
            "form": forms[view.id],
            "baseline": actions.baseline_photo(patient, view.id),
            "saved": saved.get(view.id),
        }
        for view in views
    ]
    return render(
        request,
        "photos/capture.html",
        {
            "patient": patient,
            "note": note,
            "day": day,
            "cards": cards,
            "zones": get_knowledge().zones.values(),
            "record_scope": PhotoScope.RECORD in scopes,
            "refusal": refusal,
        },
        status=422 if refusal else form_status(*forms.values()),
    )


@require_POST
def archive_photo(request: HttpRequest, patient_id: int, token: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    patient = patient_for_request(request, patient_id, Capability.CLINICAL_EDIT, None)
    photo = actions.photos_for(patient).filter(token=token).first()
    if photo is None:
        raise Http404("No such photo.")
    actions.do_archive_photo(actor=signed_in_user(request), photo=photo, request=request)
    messages.success(request, _("Photo archived: it is kept but no longer shown."))
    return redirect("photo-timeline", patient.pk, photo.view)


# ------------------------------------------------------------------------------ teaching


@capability_required(Capability.CLINICAL_VIEW)
def teaching_gallery(request: HttpRequest) -> HttpResponse:
    """The clinic's photos whose patients consent to teaching now; no names, no dates."""
    if signed_in_user(request).role == Role.PATIENT:
        raise PermissionDenied("The teaching gallery is for clinic staff.")
    clinic = staff_clinic(request)
    photos = request_page(
        request,
        actions.clinic_photos_in_scope(clinic, PhotoScope.TEACHING),
        ordering=("view", "-taken_on", "id"),
        size=TEACHING_PAGE_SIZE,
        numbered=True,
    )
    record_event(
        request,
        AuditAction.LIST,
        object_type="photos.Photo",
        detail={"use": "teaching", "photos": len(photos)},
    )
    titles = {view_id: view.title for view_id, view in get_knowledge().photo_views.items()}
    return render(
        request,
        "photos/teaching.html",
        {"photos": [(photo, titles.get(photo.view, "")) for photo in photos], "page": photos},
    )


# ------------------------------------------------------------------------------ the pixels


def _serve(
    request: HttpRequest, token: str, *, thumbnail: bool, use: str
) -> HttpResponse | FileResponse:
    """A photo's pixels for one use: staff of the patient's clinic who see clinical records
    (the patient their own), within the patient's current consent; anything else is 404."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    photo = (
        Photo.objects.select_related("patient")
        .filter(token=token, archived_at__isnull=True)
        .first()
    )
    if photo is None:
        raise Http404("No such photo.")
    patient = photo.patient
    allowed = not patient.is_archived and can_access_patient(
        request.user, patient, Capability.CLINICAL_VIEW
    )
    if use != PhotoScope.RECORD and request.user.role == Role.PATIENT:
        allowed = False
    if not allowed or not actions.photo_in_scope(photo, use):
        record_event(
            request,
            AuditAction.DENIED,
            patient=patient,
            obj=photo,
            detail={"use": use, "reason": "access" if not allowed else "consent"},
        )
        raise Http404("No such photo.")
    record_event(
        request,
        AuditAction.VIEW,
        patient=patient,
        obj=photo,
        detail={"use": use, "size": "thumbnail" if thumbnail else "full"},
    )
    return photo_response(photo, thumbnail=thumbnail)


def photo_image(request: HttpRequest, token: str) -> HttpResponse | FileResponse:
    return _serve(request, token, thumbnail=False, use=PhotoScope.RECORD)


def photo_thumbnail(request: HttpRequest, token: str) -> HttpResponse | FileResponse:
    return _serve(request, token, thumbnail=True, use=PhotoScope.RECORD)


def teaching_image(request: HttpRequest, token: str) -> HttpResponse | FileResponse:
    return _serve(request, token, thumbnail=False, use=PhotoScope.TEACHING)


def teaching_thumbnail(request: HttpRequest, token: str) -> HttpResponse | FileResponse:
    return _serve(request, token, thumbnail=True, use=PhotoScope.TEACHING)
