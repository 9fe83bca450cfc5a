"""Access to a session note: the patient's access rules, plus "patients see signed notes only"."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from cit.clinic.access import patient_for_request, signed_in_user
from cit.clinic.accounts.permissions import Capability
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting.models import SessionNote


def note_for_request(
    request: HttpRequest,
    note_id: int,
    capability: Capability,
    audit: AuditAction | None = AuditAction.VIEW,
) -> SessionNote:
    """A note the user may access: role and relation to its patient; patients see signed only.

    The access (or its refusal) is audited against the note, not just the patient.
    """
    note: SessionNote | None = (
        SessionNote.objects.select_related(
            "patient__clinic", "device", "screening", "consent__form", "started_by", "signed_by"
        )
        .filter(pk=note_id)
        .first()
    )
    if note is None:
        raise Http404("No such session note.")
    # An archived patient's notes stay readable; nothing new is charted on them.
    archived_ok = capability == Capability.CLINICAL_VIEW
    patient_for_request(request, note.patient_id, capability, None, include_archived=archived_ok)
    if signed_in_user(request).is_patient and not note.is_signed:
        record_event(request, AuditAction.DENIED, patient=note.patient, obj=note)
        raise PermissionDenied("This session note is not signed yet.")
    if audit is not None:
        record_event(request, audit, patient=note.patient, obj=note)
    return note
