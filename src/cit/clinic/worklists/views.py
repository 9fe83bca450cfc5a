"""The worklists' one action: a clinician marks a questionnaire reviewed."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cit.clinic.access import capability_required, patient_for_request, signed_in_user
from cit.clinic.accounts.permissions import Capability
from cit.clinic.intake.models import IntakeRecord
from cit.clinic.worklists.today import do_mark_questionnaire_reviewed


@require_POST
@capability_required(Capability.CLINICAL_EDIT)
def questionnaire_reviewed(request: HttpRequest, intake_id: int) -> HttpResponse:
    intake = IntakeRecord.objects.filter(pk=intake_id).first()
    if intake is None:
        raise Http404("No such questionnaire.")
    patient = patient_for_request(request, intake.patient_id, Capability.CLINICAL_EDIT, None)
    do_mark_questionnaire_reviewed(actor=signed_in_user(request), intake=intake, request=request)
    messages.success(request, f"Questionnaire of {patient.full_name} marked reviewed.")
    return redirect("home")
