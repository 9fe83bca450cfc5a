"""Recording intake answers and screening them. Each call is one transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest

from cit.clinic.accounts.permissions import Capability, has_capability
from cit.clinic.accounts.roles import Role
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.intake.convert import intake_from_record_data
from cit.clinic.intake.models import (
    IntakeRecord,
    IntakeSource,
    ScreeningOverride,
    ScreeningRecord,
)
from cit.clinic.patients.models import Patient
from cit.protocol.model import Decision
from cit.protocol.overrides import PHYSICIAN, decision_after_overrides, override_needs
from cit.protocol.profiles import load_profile
from cit.protocol.screening import screen
from cit.protocol.serialise import intake_to_dict, screening_to_dict


@transaction.atomic
def do_record_intake(
    *,
    actor: Any,
    patient: Patient,
    data: Any,
    source: IntakeSource,
    today: datetime.date,
    request: HttpRequest | None = None,
) -> tuple[IntakeRecord, ScreeningRecord]:
    """Store a new intake version for the patient and screen it for ``today``.

    The intake is validated first (a ValidationError names each bad field and nothing is
    written); the patient row is locked so two submissions get consecutive versions.
    """
    intake = intake_from_record_data(data, today=today)
    Patient.objects.select_for_update().get(pk=patient.pk)
    latest = (
        IntakeRecord.objects.filter(patient=patient).aggregate(latest=Max("version"))["latest"] or 0
    )
    record = IntakeRecord.objects.create(
        patient=patient,
        version=latest + 1,
        data=intake_to_dict(intake),
        source=source,
        recorded_by=actor,
    )
    record_event(request, AuditAction.CREATE, actor=actor, patient=patient, obj=record)
    screening = _store_screening(actor, patient, record, today, request)
    return record, screening


def _store_screening(
    actor: Any,
    patient: Patient,
    record: IntakeRecord,
    on: datetime.date,
    request: HttpRequest | None,
) -> ScreeningRecord:
    intake = intake_from_record_data(record.data)
    result = screen(intake, on, load_profile(patient.clinic.protocol_profile))
    stored = ScreeningRecord.objects.create(
        patient=patient,
        intake=record,
        screened_for=on,
        decision=result.decision.value,
        until=result.until,
        result=screening_to_dict(result),
        protocol_version=result.protocol_version,
        profile=result.profile,
        created_by=actor,
    )
    record_event(request, AuditAction.CREATE, actor=actor, patient=patient, obj=stored)
    return stored


@transaction.atomic
def do_rescreen(
    *, actor: Any, patient: Patient, on: datetime.date, request: HttpRequest | None = None
) -> ScreeningRecord:
    """Screen the patient's latest intake again for ``on`` (e.g. before each session)."""
    record = IntakeRecord.objects.filter(patient=patient).order_by("-version").first()
    if record is None:
        raise ValidationError("This patient has no intake yet; record one first.")
    return _store_screening(actor, patient, record, on, request)


MIN_REASON_LENGTH = 10


@transaction.atomic
def do_override_finding(
    *,
    actor: Any,
    screening: ScreeningRecord,
    rule: str,
    reason: str,
    request: HttpRequest | None = None,
) -> ScreeningOverride:
    """Record a licensed clinician's override of one finding (a physician's for
    ``do_not_treat``). Refused, with nothing written, without a reason, for a rule the
    screening does not contain, or when the finding is already overridden."""
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            {"reason": [f"Give the reason (at least {MIN_REASON_LENGTH} characters)."]}
        )
    if not has_capability(actor, Capability.SCREENING_OVERRIDE):
        raise ValidationError("Only a licensed clinician may override a screening finding.")
    locked = ScreeningRecord.objects.select_for_update().get(pk=screening.pk)
    finding = next((f for f in locked.result["findings"] if f["rule"] == rule), None)
    if finding is None:
        raise ValidationError({"rule": [f"This screening has no finding '{rule}'."]})
    if override_needs(finding["decision"]) == PHYSICIAN and actor.role != Role.PHYSICIAN:
        raise ValidationError(
            "A do-not-treat finding can only be lifted by a physician's recorded override."
        )
    if rule in standing_overrides(locked):
        raise ValidationError({"rule": [f"The finding '{rule}' is already overridden."]})
    override = ScreeningOverride.objects.create(
        screening=locked,
        rule=rule,
        reason=reason,
        overridden_by=actor,
        overridden_by_role=actor.role,
    )
    record_event(
        request,
        AuditAction.UPDATE,
        actor=actor,
        patient=locked.patient,
        obj=override,
        detail={"rule": rule, "finding_decision": finding["decision"]},
    )
    return override


def standing_overrides(screening: ScreeningRecord) -> dict[str, ScreeningOverride]:
    """Overrides that still stand for this screening's findings.

    An override was given on the facts of one intake version, so it carries over to any
    re-screen of that same version (e.g. before each session) for the same rule; new
    answers (a new intake version) need a new override.
    """
    rules = {finding["rule"] for finding in screening.result["findings"]}
    standing: dict[str, ScreeningOverride] = {}
    for override in (
        ScreeningOverride.objects.filter(screening__intake_id=screening.intake_id, rule__in=rules)
        .select_related("overridden_by", "screening")
        .order_by("at", "id")
    ):
        standing[override.rule] = override
    return standing


def effective_decision(screening: ScreeningRecord) -> Decision:
    """The screening's decision once standing overrides lift their findings."""
    return decision_after_overrides(screening.result["findings"], standing_overrides(screening))
