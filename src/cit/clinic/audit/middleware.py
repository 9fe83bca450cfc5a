"""No read of a patient's record goes unaudited, whatever the view did afterwards.

Views that go on to an action (which writes its own, more precise event) fetch the patient
without an event (``patient_for_request(..., action=None)``). When the action then refuses
and the view re-renders the form with the record on it, or answers an error, no event was
written. This middleware closes that gap in one place: a request that read a patient's record
and wrote no audit event at all gets a ``view`` event per patient, saying what was answered;
a request made with an OAuth access token that wrote none gets one event for the token's use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction


class AuditCompletenessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        read: list[Any] = getattr(request, "patients_read", [])
        if read and not getattr(request, "audit_events_written", 0):
            for patient in read:
                record_event(
                    request,
                    AuditAction.VIEW,
                    patient=patient,
                    obj=patient,
                    detail={"status": response.status_code, "outcome": "not changed"},
                )
        elif getattr(request, "oauth_grant", None) and not getattr(
            request, "audit_events_written", 0
        ):
            # Every use of an access token is audited, even one that read no patient's data.
            record_event(
                request,
                AuditAction.DENIED if response.status_code == 403 else AuditAction.VIEW,
                object_type="API access",
                detail={"status": response.status_code},
            )
        return response
