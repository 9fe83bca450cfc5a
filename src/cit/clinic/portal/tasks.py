"""Telling the patient that the clinic answered their change request (django-tasks).

The email says only that an answer waits in the portal: no times, no reasons, nothing of
their health. Idempotent: the task claims the request by setting ``patient_told_at``."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.portal.models import ChangeRequest, RequestStatus

ANSWERED = (RequestStatus.CONFIRMED, RequestStatus.DECLINED)


@task()
def tell_patient_of_answer(request_id: int) -> str:
    now = timezone.now()
    claimed = ChangeRequest.objects.filter(
        pk=request_id, status__in=ANSWERED, patient_told_at__isnull=True
    ).update(patient_told_at=now)
    if not claimed:
        return "skipped: already told, or not answered"
    change = ChangeRequest.objects.select_related("patient__clinic").get(pk=request_id)
    patient = change.patient
    if not patient.email:
        return "skipped: no email address"
    try:
        EmailMessage(
            subject=_("%(clinic)s answered your request") % {"clinic": patient.clinic.name},
            body=_(
                "Dear %(name)s,\n\n%(clinic)s has answered your request to change a session. "
                "Please log in to your patient portal to see the answer.\n"
            )
            % {"name": patient.given_name, "clinic": patient.clinic.name},
            to=[patient.email],
        ).send(fail_silently=False)
    except Exception:
        # Not delivered: release the claim so a retry can send it.
        ChangeRequest.objects.filter(pk=request_id, patient_told_at=now).update(
            patient_told_at=None
        )
        raise
    record_event(
        None,
        AuditAction.EXPORT,
        patient=patient,
        obj=change,
        detail={"told_of_answer": change.status},
        channel="task",
    )
    return "sent"
