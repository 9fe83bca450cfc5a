from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from cit.clinic.access import capability_required, patient_for_request, signed_in_user, staff_clinic
from cit.clinic.accounts.permissions import Capability, can_access_patient
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.dates import clinic_date_text
from cit.clinic.feedback import form_status
from cit.clinic.intake.actions import effective_screening
from cit.clinic.intake.models import ScreeningRecord
from cit.clinic.links import url_with_id
from cit.clinic.paging import request_page
from cit.clinic.patients import matching
from cit.clinic.patients.actions import (
    EDITABLE_FIELDS,
    do_archive_patient,
    do_register_patient,
    do_restore_patient,
    do_update_patient,
)
from cit.clinic.patients.forms import PatientForm, PatientSearchForm
from cit.clinic.patients.models import Fitzpatrick, Patient
from cit.clinic.patients.queries import (
    PATIENT_ORDER,
    patient_rows,
    search_candidates,
    search_keep,
    search_sorts_matches,
)


def likely_duplicates(clinic: Any, data: dict[str, Any]) -> list[tuple[Patient, list[str]]]:
    """Patients of the clinic who may be the person in ``data`` (a registration form)."""
    given, family = data.get("given_name", ""), data.get("family_name", "")
    email, phone = data.get("email", ""), data.get("phone", "")
    birth_date = data.get("birth_date")
    candidates = Patient.objects.filter(clinic=clinic)
    wanted = Q(birth_date=birth_date) if birth_date else Q(pk__in=[])
    if email:
        wanted |= Q(email__iexact=email)
    tail = matching.digits(phone)[-4:]
    if len(matching.digits(phone)) >= 7:
        wanted |= Q(phone__contains=tail)
    rows = {row.pk: row for row in patient_rows(candidates.filter(wanted))}
    reasons = {
        pk: why
        for pk, row in rows.items()
        if (why := matching.duplicate_reasons(given, family, birth_date, email, phone, row))
    }
    found = Patient.objects.filter(pk__in=reasons).order_by("family_name", "given_name")
    return [(patient, reasons[patient.pk]) for patient in found]


@capability_required(Capability.PATIENT_LIST)
def patient_list(request: HttpRequest) -> HttpResponse:
    form = PatientSearchForm(request.GET or None)
    clinic = staff_clinic(request)
    patients = Patient.objects.filter(clinic=clinic)
    query = ""
    show_archived = False
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        show_archived = form.cleaned_data["archived"]
    patients = patients if show_archived else patients.active()
    # A search reads its candidates in list order until a page of them matches.
    page = request_page(
        request,
        search_candidates(patients, query, clinic) if query else patients,
        ordering=PATIENT_ORDER,
        size=25,
        keep=search_keep(query, clinic) if query else None,
        sort_matches=search_sorts_matches(query),
    )
    # A list shows names and dates of birth: that is a read of patient data too.
    record_event(
        request,
        AuditAction.LIST,
        object_type="patients.Patient",
        detail={"query": query, "count": len(page), "cursor": request.GET.get("cursor", "")},
    )
    context = {"form": form, "page": page, "query": query, "rows": _rows_html(page)}
    return render(request, "patients/list.html", context)


def _rows_html(patients: Iterable[Patient]) -> SafeString:
    """The list's rows as HTML, made here and not in the template: a ``{% url %}``, filters
    and tags on each of 25 rows cost the template more than the search that found them.
    What anyone typed is escaped; the rest is numbers and the page's own words."""
    detail_url = escape(url_with_id("patient-detail"))
    skin_types: dict[int | None, str] = {
        value: escape(label) for value, label in Fitzpatrick.choices
    }
    rows = []
    for patient in patients:
        archived = patient.is_archived
        rows.append(
            f"<tr{_ARCHIVED_ROW if archived else ''}>\n"
            f"<td>{_text(patient.record_number)}</td>\n"
            f'<td><a href="{detail_url.format(int(patient.pk))}">'
            f"{_text(patient.family_name)}, {_text(patient.given_name)}</a>"
            f"{_ARCHIVED_TAG if archived else ''}</td>\n"
            f"<td>{_text(clinic_date_text(patient.birth_date, 'j M Y'))}</td>\n"
            f"<td>{skin_types.get(patient.fitzpatrick_type, '—')}</td>\n"
            f"<td>{_text(patient.email or patient.phone)}</td>\n</tr>\n"
        )
    return mark_safe("".join(rows))


# Django's escape() is this on a str, behind a check for lazy text that rows do not hold.
_text = html.escape
_ARCHIVED_ROW = ' class="archived"'
_ARCHIVED_TAG = ' <span class="tag">archived</span>'


@login_required
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for_request(
        request, patient_id, Capability.PATIENT_VIEW, include_archived=True
    )
    context: dict[str, object] = {
        "patient": patient,
        "not_patient": not signed_in_user(request).is_patient,
    }
    # Screenings are clinical: the front desk sees demographics only.
    if can_access_patient(request.user, patient, Capability.CLINICAL_VIEW):
        latest = ScreeningRecord.objects.filter(patient=patient).select_related("intake").first()
        context["screening"] = effective_screening(latest) if latest is not None else None
    return render(request, "patients/detail.html", context)


@capability_required(Capability.PATIENT_REGISTER)
def patient_register(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    duplicates: list[tuple[Patient, list[str]]] = []
    if request.method == "POST" and form.is_valid():
        clinic = staff_clinic(request)
        if not request.POST.get("confirm_new"):
            duplicates = likely_duplicates(clinic, form.cleaned_data)
        if duplicates:
            # Showing the possible matches is a read of their records.
            record_event(
                request,
                AuditAction.LIST,
                object_type="patients.Patient",
                detail={"duplicate_check": [p.record_number for p, _ in duplicates]},
            )
            return render(
                request,
                "patients/form.html",
                {"form": form, "title": "Register a patient", "duplicates": duplicates},
            )
        patient = do_register_patient(
            actor=signed_in_user(request),
            clinic=clinic,
            request=request,
            **form.cleaned_data,
        )
        messages.success(request, f"Registered {patient.full_name} as {patient.record_number}.")
        return redirect("patient-detail", patient_id=patient.pk)
    return render(
        request,
        "patients/form.html",
        {"form": form, "title": "Register a patient"},
        status=form_status(form),
    )


@capability_required(Capability.PATIENT_EDIT)
def patient_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    action = AuditAction.VIEW if request.method != "POST" else None
    patient = patient_for_request(request, patient_id, Capability.PATIENT_EDIT, action)
    form = PatientForm(request.POST or None, instance=Patient.objects.get(pk=patient.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS}
        do_update_patient(
            actor=signed_in_user(request), patient=patient, changes=changes, request=request
        )
        messages.success(request, "Saved.")
        return redirect("patient-detail", patient_id=patient.pk)
    return render(
        request,
        "patients/form.html",
        {"form": form, "patient": patient, "title": f"Edit {patient.full_name}"},
        status=form_status(form),
    )


@capability_required(Capability.PATIENT_ARCHIVE)
def patient_archive(request: HttpRequest, patient_id: int) -> HttpResponse:
    """GET asks for confirmation; POST archives (the record is kept, an admin can restore)."""
    reading = request.method != "POST"
    patient = patient_for_request(
        request, patient_id, Capability.PATIENT_ARCHIVE, AuditAction.VIEW if reading else None
    )
    if reading:
        return render(request, "patients/archive_confirm.html", {"patient": patient})
    do_archive_patient(actor=signed_in_user(request), patient=patient, request=request)
    messages.success(request, f"{patient.full_name} was archived; the record is kept.")
    return redirect("patient-list")


@require_POST
@capability_required(Capability.PATIENT_ARCHIVE)
def patient_restore(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for_request(
        request, patient_id, Capability.PATIENT_ARCHIVE, None, include_archived=True
    )
    if patient.is_archived:
        do_restore_patient(actor=signed_in_user(request), patient=patient, request=request)
        messages.success(request, f"{patient.full_name}'s record is restored.")
    return redirect("patient-detail", patient_id=patient.pk)
