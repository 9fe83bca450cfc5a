"""Who did what to the record: Provenance of each signed session note, and CIT's audit log
as FHIR AuditEvent."""

from __future__ import annotations

from typing import Any

from cit.clinic.audit.models import AuditAction, AuditEvent
from cit.clinic.charting.models import SessionNote
from cit.clinic.labels import audit_action_label, object_label
from cit.interop.fhir_elements import coding, concept, instant, meta, reference, validated

from .care import user_reference
from .site_urls import code_system_url

PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
AUDIT_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
V3_DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
# FHIR AuditEventAction: C create, R read, U update, D delete, E execute.
_ACTION_CODE = {
    AuditAction.VIEW: "R",
    AuditAction.LIST: "R",
    AuditAction.EXPORT: "R",
    AuditAction.CREATE: "C",
    AuditAction.UPDATE: "U",
    AuditAction.ARCHIVE: "U",
    AuditAction.DENIED: "R",
    AuditAction.DECISION_SUPPORT: "E",
    AuditAction.LOGIN: "E",
    AuditAction.LOGOUT: "E",
    AuditAction.LOGIN_FAILED: "E",
}


def provenance(note: SessionNote) -> dict[str, Any]:
    """The signature of a session note (its Procedure) and every amendment after it."""
    assert note.signed_at is not None
    agents = [
        {
            "type": concept("Author", coding(PROVENANCE_PARTICIPANT, "author", "Author")),
            "who": user_reference(note.signed_by),
        },
        {
            "type": concept("Enterer", coding(PROVENANCE_PARTICIPANT, "enterer", "Enterer")),
            "who": user_reference(note.started_by),
        },
    ]
    for amendment in note.amendments.all():
        agents.append(
            {
                "type": concept(
                    f"Amended {amendment.target} on {instant(amendment.amended_at)}",
                    coding(PROVENANCE_PARTICIPANT, "author", "Author"),
                ),
                "who": user_reference(amendment.amended_by),
            }
        )
    return validated(
        {
            "resourceType": "Provenance",
            "id": str(note.pk),
            "meta": meta(note.signed_at),
            "target": [reference("Procedure", note.pk)],
            "recorded": instant(note.signed_at),
            "activity": concept("Signed", coding(V3_DATA_OPERATION, "CREATE", "create")),
            "agent": agents,
        }
    )


def audit_event(event: AuditEvent) -> dict[str, Any]:
    action = AuditAction(event.action) if event.action in AuditAction.values else None
    who: dict[str, Any] = {"display": event.actor_username or "anonymous"}
    if event.actor is not None:
        who = user_reference(event.actor) or who
    network = (
        {"address": event.client_address, "type": "2"} if event.client_address else None
    )  # type 2: an IP address
    entities: list[dict[str, Any]] = []
    if event.patient_id is not None:
        entities.append({"what": reference("Patient", event.patient_id)})
    if event.object_type:
        entities.append({"description": object_label(event.object_type, event.object_id)})
    return validated(
        {
            "resourceType": "AuditEvent",
            "id": str(event.pk),
            "meta": meta(event.at),
            "type": coding(AUDIT_EVENT_TYPE, "rest", "RESTful Operation"),
            "subtype": [
                coding(
                    code_system_url("audit-action"), event.action, audit_action_label(event.action)
                )
            ],
            "action": _ACTION_CODE.get(action) if action is not None else None,
            "recorded": instant(event.at),
            "outcome": "4" if event.action == AuditAction.DENIED else "0",
            "agent": [
                {
                    "who": who,
                    "requestor": True,
                    "role": [concept(event.actor_role)] if event.actor_role else [],
                    "network": network,
                }
            ],
            "source": {
                "site": event.channel or None,
                "observer": {"display": "CIT"},
            },
            "entity": entities,
        }
    )
