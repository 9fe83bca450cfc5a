"""Recording intake answers and screening them. Each call is one transaction."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest

from cit.clinic.accounts.models import User
from cit.clinic.accounts.permissions import Capability, has_capability
from cit.clinic.accounts.roles import Role
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.intake.convert import intake_from_record_data
from cit.clinic.intake.facts import finding_basis
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
from cit.protocol.stored import StoredScreening


@transaction.atomic
def do_record_intake(
    *,
    actor: User | None,
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
    actor: User | None,
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
        result=StoredScreening.from_dict(screening_to_dict(result)).to_dict(),
        protocol_version=result.protocol_version,
        profile=result.profile,
        created_by=actor,
    )
    record_event(request, AuditAction.CREATE, actor=actor, patient=patient, obj=stored)
    return stored


@transaction.atomic
def do_rescreen(
    *, actor: User, patient: Patient, on: datetime.date, request: HttpRequest | None = None
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
    actor: User,
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
    finding = locked.stored.finding(rule)
    if finding is None:
        raise ValidationError({"rule": [f"This screening has no finding '{rule}'."]})
    if override_needs(finding.decision) == PHYSICIAN and actor.role != Role.PHYSICIAN:
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
        detail={"rule": rule, "finding_decision": finding.decision.value},
    )
    return override


def _overrides_by_basis(
    screening: ScreeningRecord, as_of: datetime.datetime | None = None
) -> tuple[dict[str, ScreeningOverride], dict[str, ScreeningOverride]]:
    """(standing, lapsed) overrides of this screening's findings, by rule.

    An override stands while the finding it lifted is unchanged: the same rule, firing on
    the same intake answers (``facts.finding_basis``), whichever intake version or
    treatment day the screening is for. When those answers change, the override lapses;
    the latest lapsed one is returned so pages can say so. ``as_of`` leaves out overrides
    recorded later (a session note shows what stood when the session started).
    """
    overrides = ScreeningOverride.objects.filter(
        screening__patient_id=screening.patient_id,
        rule__in=[finding.rule for finding in screening.stored.findings],
        screening__created_at__lte=screening.created_at,
    )
    if as_of is not None:
        overrides = overrides.filter(at__lte=as_of)
    return _sorted_by_basis(
        screening,
        overrides.select_related("overridden_by", "screening__intake").order_by("at", "id"),
    )


def _sorted_by_basis(
    screening: ScreeningRecord, overrides: Iterable[ScreeningOverride]
) -> tuple[dict[str, ScreeningOverride], dict[str, ScreeningOverride]]:
    """(standing, lapsed) of ``overrides`` (the patient's, in the order recorded) for this
    screening's findings: those of its rules on screenings up to this one count."""
    findings = {finding.rule: finding for finding in screening.stored.findings}
    intake = screening.intake.data
    basis_now = {rule: finding_basis(f.to_dict(), intake) for rule, f in findings.items()}
    standing: dict[str, ScreeningOverride] = {}
    lapsed: dict[str, ScreeningOverride] = {}
    for override in overrides:
        if (
            override.rule not in findings
            or override.screening.created_at > screening.created_at
            or override.screening.patient_id != screening.patient_id
        ):
            continue
        judged = override.screening.stored.finding(override.rule)
        if judged is not None and (
            finding_basis(judged.to_dict(), override.screening.intake.data)
            == basis_now[override.rule]
        ):
            standing[override.rule] = override
            lapsed.pop(override.rule, None)
        elif override.rule not in standing:
            lapsed[override.rule] = override
    return standing, lapsed


def standing_overrides(screening: ScreeningRecord) -> dict[str, ScreeningOverride]:
    """Overrides that still stand for this screening's findings (see _overrides_by_basis)."""
    return _overrides_by_basis(screening)[0]


def effective_decision(screening: ScreeningRecord) -> Decision:
    """The screening's decision once standing overrides lift their findings."""
    return decision_after_overrides(screening.stored.findings, standing_overrides(screening))


def effective_decisions(screenings: Collection[ScreeningRecord]) -> dict[int, Decision]:
    """``effective_decision`` of each screening, by id, the overrides of all their patients
    read in one query (none for screenings without findings: nothing to lift)."""
    with_findings = [s for s in screenings if s.stored.findings]
    overrides: dict[int, list[ScreeningOverride]] = defaultdict(list)
    if with_findings:
        for override in (
            ScreeningOverride.objects.filter(
                screening__patient_id__in={s.patient_id for s in with_findings}
            )
            .select_related("screening__intake")
            .order_by("at", "id")
        ):
            overrides[override.screening.patient_id].append(override)
    return {
        s.pk: decision_after_overrides(
            s.stored.findings, _sorted_by_basis(s, overrides.get(s.patient_id, []))[0]
        )
        for s in screenings
    }


@dataclass(frozen=True)
class EffectiveScreening:
    """A stored screening as every page shows it: the effective decision, the engine's,
    and each finding with the override that lifts it or the override that lapsed."""

    record: ScreeningRecord
    decision: Decision
    engine_decision: Decision
    findings: list[dict[str, Any]]
    overrides: dict[str, ScreeningOverride]
    lapsed: dict[str, ScreeningOverride]

    @property
    def overridden(self) -> bool:
        return self.decision is not self.engine_decision

    @property
    def allows_treatment(self) -> bool:
        return self.decision.allows_treatment


def effective_screening(
    screening: ScreeningRecord, as_of: datetime.datetime | None = None
) -> EffectiveScreening:
    standing, lapsed = _overrides_by_basis(screening, as_of)
    findings = [
        {
            **finding.to_dict(),
            "override": standing.get(finding.rule),
            "lapsed": lapsed.get(finding.rule) if finding.rule not in standing else None,
            "needs": override_needs(finding.decision),
        }
        for finding in screening.stored.findings
    ]
    return EffectiveScreening(
        record=screening,
        decision=decision_after_overrides(screening.stored.findings, standing),
        engine_decision=Decision(screening.decision),
        findings=findings,
        overrides=standing,
        lapsed={rule: o for rule, o in lapsed.items() if rule not in standing},
    )
