"""Charting pages: consent, the session list, checklist, face-map chart, sign and amend.

Views check input and access, then call the actions; refusals come back as field errors
on the same page and change nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from cit.clinic.access import capability_required, patient_for_request, signed_in_user, staff_clinic
from cit.clinic.accounts.permissions import Capability, can_access_patient
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting import amendments, consent, depth_rules, sessions
from cit.clinic.charting.access import note_for_request
from cit.clinic.charting.consent_pdf import consent_pdf
from cit.clinic.charting.forms import (
    AmendForm,
    ChartZoneForm,
    ConsentFormPublishForm,
    ConsentSignForm,
    RecordProductForm,
    SessionDetailsForm,
    StartSessionForm,
    apply_errors,
)
from cit.clinic.charting.handout import aftercare_pdf
from cit.clinic.charting.models import (
    ConsentForm,
    ConsentSignature,
    NoteAmendment,
    Procedure,
    SessionNote,
)
from cit.clinic.feedback import form_status, refused
from cit.clinic.intake.actions import EffectiveScreening, effective_screening
from cit.clinic.intake.models import ScreeningRecord
from cit.clinic.paging import request_page

# ------------------------------------------------------------------------------ helpers


# Rows per page of every list on these pages (notes, consents, products, amendments).
LIST_PAGE_SIZE = 25


def _effective_or_none(screening: ScreeningRecord | None) -> EffectiveScreening | None:
    return effective_screening(screening) if screening is not None else None


def _zone_context(
    note: SessionNote,
    zone_form: ChartZoneForm | None = None,
    *,
    chosen: str = "",
    saved: str = "",
) -> dict[str, Any]:
    """The face map and zone form. ``chosen``: a zone picked on the map without script
    (``?zone=``); ``saved``: the zone just charted, whose status line takes the focus."""
    zones = depth_rules.zone_limits(note.patient.clinic)
    charted = {zone.zone: zone for zone in note.zones.select_related("charted_by")}
    saved_treatment = charted.get(saved)
    status = ""
    if saved_treatment is not None:
        title = zones[saved].title if saved in zones else saved
        status = f"Saved: {title} at {saved_treatment.depth_mm} mm."
    return {
        "note": note,
        "zones": zones,
        "charted": charted,
        "zone_rows": [(zones.get(z), t) for z, t in charted.items()],
        "zone_form": zone_form
        or ChartZoneForm(zones=zones, initial={"zone": chosen} if chosen in zones else None),
        "chosen_zone": zones.get(chosen),
        "saved_zone": saved if saved_treatment is not None else "",
        "zone_status": status,
        "threshold": depth_rules.skin_breaking_threshold(note.patient.clinic),
    }


def _note_context(request: HttpRequest, note: SessionNote, **forms: Any) -> dict[str, Any]:
    clinic = note.patient.clinic
    # What stood when the session started: a later override does not rewrite the note.
    screening = effective_screening(note.screening, as_of=note.started_at)
    context = _zone_context(
        note,
        forms.get("zone_form"),
        chosen=request.GET.get("zone", "")[:40],
        saved=request.GET.get("saved", "")[:40],
    )
    context.update(
        patient=note.patient,
        products=request_page(
            request,
            note.products.select_related("lot_use__lot__product"),
            ordering=("id",),
            size=LIST_PAGE_SIZE,
            param="products",
        ),
        can_edit=can_access_patient(request.user, note.patient, Capability.CLINICAL_EDIT),
        screening_overrides=screening.overrides,
        screening_effective=screening,
        screening_decision=screening.decision.value,
        screening_decision_label=screening.decision.label,
    )
    if note.is_signed:
        values = amendments.current_values(note)
        targets = amendments.amendment_targets(note)
        amendment_page = request_page(
            request,
            note.amendments.select_related("amended_by"),
            ordering=("amended_at", "id"),
            size=LIST_PAGE_SIZE,
            param="amendments",
        )
        context.update(
            amendments=replace(
                amendment_page,
                rows=[
                    (amendment, targets.get(amendment.target, (amendment.target, ""))[0])
                    for amendment in amendment_page
                ],
            ),
            amended_rows=[
                (targets[t][0], targets[t][1], values[t])
                for t in targets
                if t != "addendum" and targets[t][1] != values[t]
            ],
            aftercare=sessions.aftercare_handout(note),
        )
    else:
        context.update(
            product_form=forms.get("product_form")
            or RecordProductForm(clinic=clinic, on=note.session_date),
            details_form=forms.get("details_form")
            or SessionDetailsForm(
                initial={
                    "photos_taken": "yes" if note.photos_taken else "no",
                    **{
                        name: getattr(note, name)
                        for name in sessions.EDITABLE_DRAFT_FIELDS
                        if name != "photos_taken"
                    },
                }
            ),
            sign_refusals=sessions.sign_refusals(note, signed_in_user(request)),
        )
    return context


# ------------------------------------------------------------------------------ consent


@capability_required(Capability.CLINIC_VIEW)
def consent_forms(request: HttpRequest) -> HttpResponse:
    """The consent form versions of the clinic; admins and licensed clinicians publish."""
    clinic = staff_clinic(request)
    may_publish = consent.may_publish_consent_forms(request.user)
    form = ConsentFormPublishForm(request.POST or None, initial={"effective_on": None})
    if request.method == "POST":
        if not may_publish:
            raise PermissionDenied(
                "Only clinic admins and licensed clinicians publish consent forms."
            )
        if form.is_valid():
            try:
                published = consent.do_publish_consent_form(
                    actor=signed_in_user(request),
                    clinic=clinic,
                    request=request,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Published {published}.")
                return redirect("consent-forms")
    versions = request_page(
        request,
        ConsentForm.objects.filter(clinic=clinic).select_related("published_by"),
        ordering=("procedure", "-version", "id"),
        size=LIST_PAGE_SIZE,
    )
    today = clinic.today()
    in_effect = [consent.form_in_effect(clinic, procedure, today) for procedure in Procedure]
    return render(
        request,
        "charting/consent_forms.html",
        {
            "versions": versions,
            "page": versions,
            "in_effect_ids": {form.pk for form in in_effect if form},
            "form": form,
            "may_publish": may_publish,
        },
        status=form_status(form),
    )


@capability_required(Capability.CLINICAL_EDIT)
def consent_sign(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient signs the form in effect on the clinician's screen; the user witnesses."""
    audit = AuditAction.VIEW if request.method != "POST" else None
    patient = patient_for_request(request, patient_id, Capability.CLINICAL_EDIT, audit)
    procedure = request.GET.get("procedure", Procedure.MICRONEEDLING)
    if procedure not in Procedure.values:
        raise Http404("No such procedure.")
    consent_form = consent.form_in_effect(patient.clinic, procedure, patient.clinic.today())
    form = ConsentSignForm(request.POST or None)
    if request.method == "POST" and consent_form is not None and form.is_valid():
        try:
            consent.do_sign_consent(
                actor=signed_in_user(request),
                patient=patient,
                form=consent_form,
                method=form.cleaned_data["method"],
                typed_name=form.cleaned_data["typed_name"],
                drawn_signature=form.cleaned_data["drawn_signature"],
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{patient.full_name} signed {consent_form}.")
            return redirect("charting-sessions", patient_id=patient.pk)
    return render(
        request,
        "charting/consent_sign.html",
        {
            "patient": patient,
            "consent_form": consent_form,
            "procedure": Procedure(procedure),
            "form": form,
        },
        status=form_status(form) if request.method == "POST" else 200,
    )


# ------------------------------------------------------------------------------ sessions


@login_required
def session_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for_request(
        request, patient_id, Capability.CLINICAL_VIEW, AuditAction.LIST, include_archived=True
    )
    notes = SessionNote.objects.filter(patient=patient).select_related("device", "signed_by")
    signatures = ConsentSignature.objects.filter(patient=patient).select_related(
        "form", "witnessed_by"
    )
    if signed_in_user(request).is_patient:
        notes = notes.signed()
    # Newest first, a page of each: the two lists page on their own cursors.
    notes_page = request_page(
        request,
        notes,
        ordering=("-session_date", "-id"),
        size=LIST_PAGE_SIZE,
        next_label="Older",
        previous_label="Newer",
    )
    signatures_page = request_page(
        request,
        signatures,
        ordering=("-signed_at", "-id"),
        size=LIST_PAGE_SIZE,
        param="consents",
        next_label="Older",
        previous_label="Newer",
    )
    today = patient.clinic.today()
    consent_status = [
        (Procedure(procedure), consent.valid_consent(patient, procedure, today))
        for procedure in Procedure.values
    ]
    return render(
        request,
        "charting/session_list.html",
        {
            "patient": patient,
            "notes": notes_page,
            "signatures": signatures_page,
            "consent_status": consent_status,
            "can_edit": can_access_patient(request.user, patient, Capability.CLINICAL_EDIT),
        },
    )


@capability_required(Capability.CLINICAL_EDIT)
def session_start(request: HttpRequest, patient_id: int) -> HttpResponse:
    audit = AuditAction.VIEW if request.method != "POST" else None
    patient = patient_for_request(request, patient_id, Capability.CLINICAL_EDIT, audit)
    today = patient.clinic.today()
    form = StartSessionForm(
        request.POST or None,
        clinic=patient.clinic,
        initial={"session_date": today, "procedure": Procedure.MICRONEEDLING},
    )
    if request.method == "POST" and form.is_valid():
        try:
            note = sessions.do_start_session(
                actor=signed_in_user(request), patient=patient, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            screening = effective_screening(note.screening)
            overridden = (
                f" (overridden; the screening said {screening.engine_decision.label.lower()})"
                if screening.overridden
                else ""
            )
            messages.success(
                request,
                f"Session started. Re-screen: {screening.decision.label.lower()}{overridden}.",
            )
            return redirect("charting-note", note_id=note.pk)
    return render(
        request,
        "charting/session_start.html",
        {
            "patient": patient,
            "form": form,
            "screening": _effective_or_none(
                ScreeningRecord.objects.filter(patient=patient).select_related("intake").first()
            ),
            "consent_status": [
                (Procedure(p), consent.valid_consent(patient, p, today)) for p in Procedure.values
            ],
        },
        status=form_status(form),
    )


@login_required
def aftercare_pdf_view(request: HttpRequest, note_id: int) -> HttpResponse:
    """The printable aftercare handout of a signed session (the patient may download theirs)."""
    note = note_for_request(request, note_id, Capability.CLINICAL_VIEW, AuditAction.EXPORT)
    if not note.is_signed:
        return HttpResponse(
            "The handout is available once the session note is signed.",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(aftercare_pdf(note), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="aftercare-{note.session_date:%Y-%m-%d}.pdf"'
    )
    return response


@login_required
def consent_pdf_view(request: HttpRequest, signature_id: int) -> HttpResponse:
    """The consent a patient signed, as a PDF: staff who may read the chart, and the patient
    their own (any other signature is simply not found for them)."""
    signature = (
        ConsentSignature.objects.select_related("patient__clinic", "form", "witnessed_by")
        .filter(pk=signature_id)
        .first()
    )
    if signature is None:
        raise Http404("No such signed consent.")
    try:
        patient_for_request(
            request,
            signature.patient_id,
            Capability.CLINICAL_VIEW,
            AuditAction.EXPORT,
            include_archived=True,
        )
    except PermissionDenied:
        # The refusal is audited; a patient does not learn that the signature exists.
        if signed_in_user(request).is_patient:
            raise Http404("No such signed consent.") from None
        raise
    response = HttpResponse(consent_pdf(signature), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="consent-{signature.signed_at:%Y-%m-%d}.pdf"'
    )
    return response


@login_required
def note_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    note = note_for_request(request, note_id, Capability.CLINICAL_VIEW)
    return render(request, "charting/note.html", _note_context(request, note))


def _from_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (django-htmx's middleware sets ``request.htmx``)."""
    details = getattr(request, "htmx", None)
    return isinstance(details, HtmxDetails) and bool(details)


def _after_change(request: HttpRequest, note: SessionNote, **forms: Any) -> HttpResponse:
    """Re-show the draft: the zone panel alone for htmx, else the whole page."""
    note = SessionNote.objects.select_related(
        "patient__clinic", "device", "screening", "consent__form", "started_by"
    ).get(pk=note.pk)
    saved = forms.pop("saved_zone", "")
    status = form_status(*forms.values())
    if _from_htmx(request) and "zone_form" in forms:
        context = _zone_context(note, forms["zone_form"], saved=saved)
        return render(request, "charting/_zone_panel.html", context, status=status)
    return render(
        request, "charting/note.html", _note_context(request, note, **forms), status=status
    )


@require_POST
@capability_required(Capability.CLINICAL_EDIT)
def chart_zone(request: HttpRequest, note_id: int) -> HttpResponse:
    note = note_for_request(request, note_id, Capability.CLINICAL_EDIT, None)
    form = ChartZoneForm(request.POST, zones=depth_rules.zone_limits(note.patient.clinic))
    if form.is_valid():
        try:
            treatment = sessions.do_chart_zone(
                actor=signed_in_user(request), note=note, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if not _from_htmx(request):
                # Back to the map's status line, which says what was saved and takes focus.
                url = reverse("charting-note", kwargs={"note_id": note.pk})
                return redirect(f"{url}?saved={treatment.zone}#zone-status")
            form = ChartZoneForm(zones=depth_rules.zone_limits(note.patient.clinic))
            return _after_change(request, note, zone_form=form, saved_zone=treatment.zone)
    return _after_change(request, note, zone_form=form)


@require_POST
@capability_required(Capability.CLINICAL_EDIT)
def record_product(request: HttpRequest, note_id: int) -> HttpResponse:
    note = note_for_request(request, note_id, Capability.CLINICAL_EDIT, None)
    form = RecordProductForm(request.POST, clinic=note.patient.clinic, on=note.session_date)
    if form.is_valid():
        try:
            sessions.do_record_product(
                actor=signed_in_user(request), note=note, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Recorded {form.cleaned_data['lot']}.")
            return redirect("charting-note", note_id=note.pk)
    return _after_change(request, note, product_form=form)


@require_POST
@capability_required(Capability.CLINICAL_EDIT)
def update_details(request: HttpRequest, note_id: int) -> HttpResponse:
    note = note_for_request(request, note_id, Capability.CLINICAL_EDIT, None)
    form = SessionDetailsForm(request.POST)
    if form.is_valid():
        try:
            sessions.do_update_session(
                actor=signed_in_user(request), note=note, changes=form.cleaned_data, request=request
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("charting-note", note_id=note.pk)
    return _after_change(request, note, details_form=form)


@require_POST
@capability_required(Capability.CLINICAL_EDIT)
def sign_note(request: HttpRequest, note_id: int) -> HttpResponse:
    note = note_for_request(request, note_id, Capability.CLINICAL_EDIT, None)
    try:
        sessions.do_sign_note(actor=signed_in_user(request), note=note, request=request)
    except ValidationError as error:
        back = reverse("charting-note", kwargs={"note_id": note.pk})
        return refused(request, "Not signed", error, back, status=409)
    messages.success(request, "Note signed. Corrections are now amendments.")
    return redirect("charting-note", note_id=note.pk)


@capability_required(Capability.CLINICAL_EDIT)
def amend_note(request: HttpRequest, note_id: int) -> HttpResponse:
    audit = AuditAction.VIEW if request.method != "POST" else None
    note = note_for_request(request, note_id, Capability.CLINICAL_EDIT, audit)
    if not note.is_signed:
        messages.error(request, "This note is a draft: change it directly, then sign it.")
        return redirect("charting-note", note_id=note.pk)
    values = amendments.current_values(note)
    targets = {
        target: (label, values.get(target, ""))
        for target, (label, _) in amendments.amendment_targets(note).items()
    }
    form = AmendForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            amendments.do_amend_note(
                actor=signed_in_user(request), note=note, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Amendment added; the signed original is kept.")
            return redirect("charting-note", note_id=note.pk)
    return render(
        request,
        "charting/amend.html",
        {
            "note": note,
            "patient": note.patient,
            "form": form,
            "amendments": request_page(
                request,
                NoteAmendment.objects.filter(note=note).select_related("amended_by"),
                ordering=("amended_at", "id"),
                size=LIST_PAGE_SIZE,
            ),
        },
        status=form_status(form),
    )
