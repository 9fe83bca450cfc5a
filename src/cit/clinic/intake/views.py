from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cit.clinic.access import patient_for_request, signed_in_user
from cit.clinic.accounts.permissions import Capability, can_access_patient
from cit.clinic.accounts.roles import Role
from cit.clinic.audit.models import AuditAction
from cit.clinic.feedback import refused
from cit.clinic.intake.actions import (
    do_override_finding,
    do_record_intake,
    do_rescreen,
    effective_screening,
)
from cit.clinic.intake.changes import screening_changes
from cit.clinic.intake.forms import Questionnaire, condition_names, medicine_names
from cit.clinic.intake.models import IntakeRecord, IntakeSource, ScreeningRecord
from cit.lib import bounds


@login_required
def questionnaire(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The pre-visit questionnaire: the patient in the portal, or staff at the desk.

    It opens with the latest answers; saving makes a new version and screens it.
    """
    reading = request.method != "POST"
    patient = patient_for_request(
        request, patient_id, Capability.INTAKE_SUBMIT, AuditAction.VIEW if reading else None
    )
    is_patient = signed_in_user(request).role == Role.PATIENT
    latest = IntakeRecord.objects.filter(patient=patient).order_by("-version").first()
    initial = latest.data if latest else {"fitzpatrick": patient.fitzpatrick_type}
    add = request.POST.get("add") if request.method == "POST" else None
    form = Questionnaire(
        staff=not is_patient,
        data=request.POST if request.method == "POST" else None,
        initial=initial,
        add=add,
    )
    if request.method == "POST" and not add and form.is_valid():
        data = form.intake_data(birth_date=patient.birth_date.isoformat(), sex=patient.sex)
        try:
            record, screening = do_record_intake(
                actor=signed_in_user(request),
                patient=patient,
                data=data,
                source=IntakeSource.PORTAL if is_patient else IntakeSource.DESK,
                today=patient.clinic.today(),
                request=request,
            )
        except ValidationError as error:
            form.attach_errors(error)
        else:
            if is_patient:
                messages.success(request, "Thank you. The clinic will review your answers.")
                return redirect("home")
            messages.success(request, f"Intake version {record.version} saved and screened.")
            if can_access_patient(request.user, patient, Capability.CLINICAL_VIEW):
                return redirect("screening", patient_id=patient.pk)
            return redirect("patient-detail", patient_id=patient.pk)
    return render(
        request,
        "intake/questionnaire.html",
        {
            "patient": patient,
            "form": form,
            "latest": latest,
            "medicine_names": medicine_names(),
            "condition_names": condition_names(),
        },
        # A post that did not redirect was refused (adding a row is not a refusal).
        status=422 if request.method == "POST" and not add else 200,
    )


@login_required
def screening(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The latest screening with its reasons, overrides and what changed since the last."""
    patient = patient_for_request(request, patient_id, Capability.CLINICAL_VIEW)
    history = list(ScreeningRecord.objects.filter(patient=patient).select_related("intake")[:2])
    latest = history[0] if history else None
    context: dict[str, object] = {"patient": patient, "screening": latest}
    if latest is not None:
        effective = effective_screening(latest)
        previous = history[1] if len(history) > 1 else None
        context.update(
            effective=effective,
            overrides=effective.overrides,
            findings=effective.findings,
            effective_decision=effective.decision.value,
            changes=screening_changes(
                previous.stored if previous else None,
                latest.stored,
                previous.intake.data if previous else None,
                latest.intake.data,
            ),
            staff=signed_in_user(request).role != Role.PATIENT,
            may_override=can_access_patient(request.user, patient, Capability.SCREENING_OVERRIDE),
            may_rescreen=can_access_patient(request.user, patient, Capability.CLINICAL_EDIT),
            today=patient.clinic.today(),
        )
    return render(request, "intake/screening.html", context)


@require_POST
@login_required
def rescreen(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for_request(request, patient_id, Capability.CLINICAL_EDIT, None)
    back = reverse("screening", kwargs={"patient_id": patient.pk})
    try:
        day = bounds.check_date(
            datetime.date.fromisoformat(request.POST.get("on", "")), patient.clinic.today()
        )
        do_rescreen(actor=signed_in_user(request), patient=patient, on=day, request=request)
    except bounds.OutOfBounds as error:
        return refused(request, "Re-screen not run", [str(error)], back)
    except ValueError:
        return refused(request, "Re-screen not run", ["Give the treatment day as a date."], back)
    except ValidationError as error:
        return refused(request, "Re-screen not run", error, back)
    messages.success(request, f"Re-screened for {day:%d %b %Y}.")
    return redirect("screening", patient_id=patient.pk)


@require_POST
@login_required
def override_finding(request: HttpRequest, screening_id: int) -> HttpResponse:
    stored = get_object_or_404(ScreeningRecord, pk=screening_id)
    patient = patient_for_request(request, stored.patient_id, Capability.SCREENING_OVERRIDE, None)
    if stored.patient_id != patient.pk:
        raise PermissionDenied
    try:
        do_override_finding(
            actor=signed_in_user(request),
            screening=stored,
            rule=request.POST.get("rule", ""),
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except ValidationError as error:
        back = reverse("screening", kwargs={"patient_id": patient.pk})
        return refused(request, "Override not recorded", error, back)
    messages.success(request, "Override recorded.")
    return redirect("screening", patient_id=patient.pk)
