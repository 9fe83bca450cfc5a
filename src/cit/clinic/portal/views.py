"""Portal pages for a patient's own sessions and consents, and the staff worklist of their
change requests. A patient only ever reaches their own rows: anything else is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cit.clinic.access import capability_required, patient_for_request, signed_in_user, staff_clinic
from cit.clinic.accounts.permissions import Capability
from cit.clinic.appointments.models import Appointment
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting.models import ConsentSignature
from cit.clinic.feedback import form_status, refused
from cit.clinic.paging import KeysetPage, request_page
from cit.clinic.patients.models import Patient
from cit.clinic.portal import actions
from cit.clinic.portal.forms import ChangeRequestForm, DeclineForm
from cit.clinic.portal.home import request_notice_hours
from cit.clinic.portal.models import ChangeRequest, RequestStatus


def own_patient(request: HttpRequest, capability: Capability = Capability.SCHEDULE_VIEW) -> Patient:
    """The patient record of the portal user making the request (audited)."""
    if not getattr(request.user, "is_patient", False):
        raise PermissionDenied(_("This page is for patients; staff use the patient's record."))
    patient = Patient.objects.filter(portal_user_id=request.user.pk).first()
    if patient is None:
        raise Http404(_("Your portal account is not linked to a patient record."))
    return patient_for_request(request, patient.pk, capability, None)


def _own_appointment(patient: Patient, appointment_id: int) -> Appointment:
    appointment: Appointment | None = (
        Appointment.objects.filter(pk=appointment_id, patient=patient)
        .select_related("clinic", "patient", "provider__user", "room", "series")
        .first()
    )
    if appointment is None:
        raise Http404(_("No such appointment."))
    return appointment


@login_required
def request_change(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The patient asks to move or cancel one of their sessions; staff confirm."""
    patient = own_patient(request)
    appointment = _own_appointment(patient, appointment_id)
    form = ChangeRequestForm(request.POST or None, clinic=patient.clinic)
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_request_change(
                actor=signed_in_user(request),
                appointment=appointment,
                kind=form.cleaned_data["kind"],
                requested_start=form.new_start(),
                note=form.cleaned_data.get("note", ""),
                request=request,
            )
        except actions.RequestRefused as error:
            problem = error.message
        else:
            messages.success(
                request, _("Your request is with the clinic. You will see their answer here.")
            )
            return redirect("home")
    else:
        record_event(request, AuditAction.VIEW, patient=patient, obj=appointment)
    pending = ChangeRequest.objects.filter(
        appointment=appointment, status=RequestStatus.PENDING
    ).first()
    context = {
        "patient": patient,
        "appointment": appointment,
        "form": form,
        "problem": problem,
        "pending": pending,
        "zone": patient.clinic.timezone,
        "notice_hours": request_notice_hours(),
    }
    status = 422 if problem else form_status(form)
    return render(request, "portal/request_change.html", context, status=status)


@require_POST
@login_required
def withdraw_request(request: HttpRequest, request_id: int) -> HttpResponse:
    patient = own_patient(request)
    change = ChangeRequest.objects.filter(pk=request_id, patient=patient).first()
    if change is None:
        raise Http404(_("No such request."))
    try:
        actions.do_withdraw_request(actor=signed_in_user(request), change=change, request=request)
    except actions.RequestRefused as error:
        return refused(request, _("Not withdrawn"), [error.message], "/")
    messages.success(request, _("Your request is withdrawn; the session stays as booked."))
    return redirect("home")


def _own_signature(request: HttpRequest, signature_id: int) -> tuple[Patient, ConsentSignature]:
    patient = own_patient(request, Capability.CLINICAL_VIEW)
    signature = (
        ConsentSignature.objects.filter(pk=signature_id, patient=patient)
        .select_related("form")
        .first()
    )
    if signature is None:
        raise Http404(_("No such consent."))
    return patient, signature


@login_required
def consent_view(request: HttpRequest, signature_id: int) -> HttpResponse:
    patient, signature = _own_signature(request, signature_id)
    record_event(request, AuditAction.VIEW, patient=patient, obj=signature)
    return render(request, "portal/consent.html", {"patient": patient, "signature": signature})


# -- staff ----------------------------------------------------------------------------------


def _pending_for_clinic(request: HttpRequest) -> KeysetPage:
    """The waiting requests, oldest first (first come, first served), a page at a time."""
    clinic = staff_clinic(request)
    return request_page(
        request,
        ChangeRequest.objects.filter(
            status=RequestStatus.PENDING,
            patient__clinic=clinic,
            patient__archived_at__isnull=True,
        ).select_related(
            "patient", "appointment__clinic", "appointment__provider__user", "appointment__room"
        ),
        ordering=("created_at", "id"),
        size=25,
    )


@capability_required(Capability.SCHEDULE_EDIT)
def change_requests(request: HttpRequest) -> HttpResponse:
    """The worklist: each waiting request with the session, what is asked and why."""
    pending = _pending_for_clinic(request)
    record_event(
        request,
        AuditAction.LIST,
        object_type="portal.ChangeRequest",
        detail={"requests": [r.pk for r in pending], "patients": [r.patient_id for r in pending]},
    )
    context: dict[str, Any] = {
        "requests": pending,
        "page": pending,
        "decline_form": DeclineForm(),
        "zone": staff_clinic(request).timezone,
    }
    return render(request, "portal/change_requests.html", context)


def _staff_request(request: HttpRequest, request_id: int) -> ChangeRequest:
    change = ChangeRequest.objects.filter(pk=request_id).select_related("patient").first()
    if change is None:
        raise Http404("No such request.")
    patient_for_request(request, change.patient_id, Capability.SCHEDULE_EDIT, None)
    return change


@require_POST
@capability_required(Capability.SCHEDULE_EDIT)
def confirm_request(request: HttpRequest, request_id: int) -> HttpResponse:
    change = _staff_request(request, request_id)
    try:
        actions.do_confirm_request(
            actor=signed_in_user(request), change=change, now=timezone.now(), request=request
        )
    except actions.RequestRefused as error:
        return refused(request, "Request not confirmed", [error.message], "/portal/requests/")
    messages.success(request, f"Done: {change.patient.full_name}'s request is confirmed.")
    return redirect("change-requests")


@require_POST
@capability_required(Capability.SCHEDULE_EDIT)
def decline_request(request: HttpRequest, request_id: int) -> HttpResponse:
    change = _staff_request(request, request_id)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return refused(
            request,
            "Request not declined",
            ["Say why, so the patient knows what to do."],
            "/portal/requests/",
        )
    try:
        actions.do_decline_request(
            actor=signed_in_user(request),
            change=change,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except actions.RequestRefused as error:
        return refused(request, "Request not declined", [error.message], "/portal/requests/")
    messages.success(request, f"Declined; {change.patient.full_name} sees your reason.")
    return redirect("change-requests")
