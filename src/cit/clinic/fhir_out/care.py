"""What was planned, booked, consented and done: CarePlan, Appointment, Consent, Procedure.

A signed session note is a Procedure. Its body sites are the zones needled, one bodySite
each: the SNOMED CT "skin of ..." structure where one exists
(:mod:`cit.interop.snomed_body_sites`), CIT's zone code (``<base>/CodeSystem/zone``) and the
zone's title as text. How each zone was needled is the complex extension
``<base>/StructureDefinition/zone-treatment`` with the sub-extensions ``zone`` (valueCoding,
as in bodySite), ``depth`` (valueQuantity, UCUM mm), ``passes`` (valueInteger) and
``endpoint`` (valueCoding, ``<base>/CodeSystem/endpoint``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cit.clinic.appointments.models import Appointment, AppointmentStatus
from cit.clinic.charting.models import ConsentSignature, SessionNote
from cit.clinic.labels import indication_label, zone_label
from cit.clinic.plans.models import TreatmentPlanRecord
from cit.interop.fhir_elements import (
    LOINC,
    SNOMED,
    UCUM,
    coding,
    concept,
    instant,
    meta,
    reference,
    validated,
)
from cit.interop.snomed_body_sites import SNOMED_SKIN_OF_ZONE
from cit.protocol.stored import Series

from .site_urls import base_url, code_system_url, extension_url

APPOINTMENT_STATUS = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.ARRIVED: "arrived",
    AppointmentStatus.IN_TREATMENT: "checked-in",
    AppointmentStatus.COMPLETED: "fulfilled",
    AppointmentStatus.NO_SHOW: "noshow",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.LATE_CANCELLED: "cancelled",
}
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"


def user_reference(user: Any) -> dict[str, Any] | None:
    """A member of staff: their Practitioner when they treat, else their name only."""
    if user is None:
        return None
    provider = getattr(user, "provider", None)
    name = user.get_full_name() or user.username
    if provider is not None:
        return reference("Practitioner", provider.pk, name)
    return {"display": name}


def appointment(record: Appointment) -> dict[str, Any]:
    participants = [
        {"actor": reference("Patient", record.patient_id), "status": "accepted"},
        {
            "actor": reference(
                "Practitioner", record.provider_id, record.provider.user.get_full_name() or None
            ),
            "status": "accepted",
        },
        {"actor": reference("Location", record.room_id, record.room.name), "status": "accepted"},
    ]
    return validated(
        {
            "resourceType": "Appointment",
            "id": str(record.pk),
            "meta": meta(record.updated_at),
            "status": APPOINTMENT_STATUS[AppointmentStatus(record.status)],
            "cancelationReason": concept(record.cancel_reason) if record.is_cancelled else None,
            "description": f"Session {record.number} of {record.series.get_kind_display().lower()}",
            "supportingInformation": [reference("CarePlan", record.series.plan_id)],
            "start": instant(record.start),
            "end": instant(record.end),
            "minutesDuration": int((record.end - record.start).total_seconds() // 60),
            "created": instant(record.created_at),
            "participant": participants,
        }
    )


def _zone_coding(zone: str) -> dict[str, Any]:
    return coding(code_system_url("zone"), zone, zone_label(zone))


def zone_site(zone: str) -> dict[str, Any]:
    """A bodySite: SNOMED CT where the zone has a concept, CIT's zone code, the zone's title."""
    codings = [_zone_coding(zone)]
    if zone in SNOMED_SKIN_OF_ZONE:
        code, display = SNOMED_SKIN_OF_ZONE[zone]
        codings.insert(0, coding(SNOMED, code, display))
    return concept(zone_label(zone), *codings)


def procedure(note: SessionNote) -> dict[str, Any]:
    zones = list(note.zones.all())
    appointment_row = getattr(note, "appointment", None)
    notes: list[dict[str, Any] | None] = [
        {"text": f"Immediate reactions: {note.immediate_reactions}"}
        if note.immediate_reactions
        else None,
        {"text": f"Post-procedure care: {note.post_procedure_notes}"}
        if note.post_procedure_notes
        else None,
    ]
    for amendment in note.amendments.all():
        notes.append(
            {
                "time": instant(amendment.amended_at),
                "authorReference": user_reference(amendment.amended_by),
                "text": f"Amendment of {amendment.target}: {amendment.new_value} "
                f"(was: {amendment.previous_value or 'empty'}; reason: {amendment.reason})",
            }
        )
    assert note.signed_at is not None  # only signed notes are Procedures (registry)
    return validated(
        {
            "resourceType": "Procedure",
            "id": str(note.pk),
            "meta": meta(note.signed_at),
            "status": "completed",
            "code": concept(note.get_procedure_display()),
            "subject": reference("Patient", note.patient_id),
            "basedOn": (
                [reference("CarePlan", appointment_row.series.plan_id)]
                if appointment_row is not None
                else []
            ),
            "performedDateTime": note.session_date.isoformat(),
            "recorder": user_reference(note.started_by),
            "asserter": user_reference(note.signed_by),
            "performer": [{"actor": user_reference(note.signed_by)}],
            "location": (
                reference("Location", appointment_row.room_id, appointment_row.room.name)
                if appointment_row is not None
                else None
            ),
            "bodySite": [zone_site(z.zone) for z in zones],
            "focalDevice": [
                {"action": concept("Used"), "manipulated": reference("Device", note.device_id)}
            ],
            "usedCode": [
                concept(
                    f"{product.get_purpose_display()}: {product.lot_use.lot.product.name} "
                    f"(lot {product.lot_use.lot.lot_number})"
                )
                for product in note.products.all()
            ],
            "note": notes,
            "extension": [_zone_extension(z) for z in zones],
        }
    )


def _zone_extension(zone: Any) -> dict[str, Any]:
    return {
        "url": extension_url("zone-treatment"),
        "extension": [
            {"url": "zone", "valueCoding": _zone_coding(zone.zone)},
            {
                "url": "depth",
                "valueQuantity": {
                    "value": float(zone.depth_mm),
                    "unit": "mm",
                    "system": UCUM,
                    "code": "mm",
                },
            },
            {"url": "passes", "valueInteger": zone.passes},
            {
                "url": "endpoint",
                "valueCoding": coding(
                    code_system_url("endpoint"), zone.endpoint, zone.get_endpoint_display()
                ),
            },
        ],
    }


def _series_description(series: Series | None) -> str:
    if series is None:
        return ""
    indications = ", ".join(indication_label(i) for i in series.indications)
    zones = "; ".join(
        f"{zone_label(z.zone)} {z.depth_mm[0]}–{z.depth_mm[1]} mm" for z in series.zones
    )
    return f"{indications}: {zones}" if zones else indications


def care_plan(plan: TreatmentPlanRecord, latest: bool) -> dict[str, Any]:
    """The accepted plan; an older plan of the patient is ``revoked`` (replaced)."""
    series_list = plan.accepted_plan.series
    booked: dict[Any, list[Appointment]] = {}
    for row in Appointment.objects.filter(series__plan=plan).select_related("series"):
        booked.setdefault(row.planned_session_id, []).append(row)
    activities = []
    for session in plan.sessions.all():
        appointments = booked.get(session.pk, [])
        live = [a for a in appointments if not a.is_cancelled]
        if any(a.status == AppointmentStatus.COMPLETED for a in live):
            status = "completed"
        elif live:
            status = "scheduled"
        else:
            status = "not-started"
        series = (
            series_list[session.series_index] if session.series_index < len(series_list) else None
        )
        activities.append(
            {
                "reference": reference("Appointment", live[0].pk) if live else None,
                "detail": {
                    "kind": "Appointment",
                    "code": concept("Micro-needling session"),
                    "status": status,
                    "description": (
                        f"Series {session.series_index + 1}, session {session.number}: "
                        f"{_series_description(series)}"
                    ),
                    "scheduledString": f"planned for {session.planned_on.isoformat()}",
                },
            }
        )
    return validated(
        {
            "resourceType": "CarePlan",
            "id": str(plan.pk),
            "meta": meta(plan.accepted_at),
            "status": "active" if latest else "revoked",
            "intent": "plan",
            "title": "Collagen induction therapy plan",
            "description": " | ".join(
                f"Series {index + 1}: {_series_description(series)}"
                for index, series in enumerate(series_list)
                if isinstance(series, dict)
            ),
            "subject": reference("Patient", plan.patient_id),
            "created": instant(plan.accepted_at),
            "author": user_reference(plan.accepted_by),
            "activity": activities,
        }
    )


def consent(signature: ConsentSignature) -> dict[str, Any]:
    form = signature.form
    return validated(
        {
            "resourceType": "Consent",
            "id": str(signature.pk),
            "meta": meta(signature.signed_at),
            "status": "active",
            "scope": concept(None, coding(CONSENT_SCOPE, "treatment", "Treatment")),
            "category": [concept("Patient Consent", coding(LOINC, "59284-0", "Patient Consent"))],
            "patient": reference("Patient", signature.patient_id),
            "dateTime": instant(signature.signed_at),
            "performer": [reference("Patient", signature.patient_id)],
            "organization": [reference("Organization", form.clinic_id)],
            "sourceAttachment": {
                "title": f"{form.title} (version {form.version})",
                "creation": instant(form.published_at),
            },
            "policy": [{"uri": f"{base_url()}/ConsentForm/{form.pk}"}],
            "provision": {
                "type": "permit",
                "code": [concept(form.get_procedure_display())],
            },
            "extension": [
                {
                    "url": extension_url("consent-witness"),
                    "valueReference": user_reference(signature.witnessed_by),
                }
            ],
        }
    )


def care_plans(plans: Iterable[TreatmentPlanRecord]) -> list[dict[str, Any]]:
    plans = list(plans)
    latest: dict[int, int] = {}
    for plan in TreatmentPlanRecord.objects.filter(
        patient_id__in={p.patient_id for p in plans}
    ).order_by("accepted_at", "id"):
        latest[plan.patient_id] = plan.pk
    return [care_plan(plan, latest.get(plan.patient_id) == plan.pk) for plan in plans]
