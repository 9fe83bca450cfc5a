"""Proposing, accepting and re-dating treatment plans."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from cit.clinic.accounts.models import User
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.intake.actions import standing_overrides
from cit.clinic.intake.convert import intake_from_record_data
from cit.clinic.intake.models import IntakeRecord, ScreeningRecord
from cit.clinic.patients.models import Patient
from cit.clinic.plans.models import PlannedSession, TreatmentPlanRecord, clinic_prices
from cit.protocol.adjust import SeriesAdjustment, adjust_series, check_session_dates
from cit.protocol.planning import plan
from cit.protocol.profiles import load_profile
from cit.protocol.serialise import plan_to_dict
from cit.protocol.stored import AcceptedPlan, Series


def overridden_rules(patient: Patient) -> frozenset[str]:
    """Rules lifted by overrides standing on the patient's latest screening."""
    latest = ScreeningRecord.objects.filter(patient=patient).first()
    return frozenset(standing_overrides(latest)) if latest is not None else frozenset()


def propose_plan(patient: Patient, on: datetime.date) -> tuple[IntakeRecord, dict[str, Any]]:
    """The engine's plan for the latest intake's goals, first session on ``on``, priced
    with the clinic's own price list where it has one.

    Raises PlanRefused (with the screening) or PlanningError, as the engine does.
    """
    record = IntakeRecord.objects.filter(patient=patient).order_by("-version").first()
    if record is None:
        raise ValidationError("Record the patient's questionnaire before planning.")
    proposal = plan(
        intake_from_record_data(record.data),
        None,
        on,
        load_profile(patient.clinic.protocol_profile),
        overridden_rules=overridden_rules(patient),
        prices=clinic_prices(patient.clinic),
    )
    return record, plan_to_dict(proposal)


@transaction.atomic
def do_accept_plan(
    *,
    actor: User,
    patient: Patient,
    intake: IntakeRecord,
    proposal: dict[str, Any],
    adjustments: list[SeriesAdjustment],
    today: datetime.date,
    request: HttpRequest | None = None,
) -> TreatmentPlanRecord:
    """Store the accepted plan and its sessions; refused whole if any adjustment leaves
    the allowed ranges (the ValidationError names ``series[i].field``)."""
    if len(adjustments) != len(proposal["series"]):
        raise ValidationError("Give an adjustment for every series of the proposal.")
    accepted: list[Series] = []
    problems: dict[str, list[str]] = {}
    for index, (series, adjustment) in enumerate(zip(proposal["series"], adjustments, strict=True)):
        adjusted, errors = adjust_series(Series.from_dict(series), adjustment, today=today)
        for error in errors:
            problems.setdefault(f"series[{index}].{error.path}", []).append(error.message)
        accepted.append(adjusted)
    if problems:
        raise ValidationError(problems)
    record = TreatmentPlanRecord.objects.create(
        patient=patient,
        intake=intake,
        proposed=proposal,
        accepted=AcceptedPlan(tuple(accepted), extra={"notes": proposal["notes"]}).to_dict(),
        protocol_version=proposal["protocol_version"],
        profile=proposal["profile"],
        accepted_by=actor,
    )
    PlannedSession.objects.bulk_create(
        PlannedSession(
            plan=record,
            series_index=index,
            number=number,
            planned_on=day,
        )
        for index, series in enumerate(accepted)
        for number, day in enumerate(series.session_dates, start=1)
    )
    record_event(request, AuditAction.CREATE, actor=actor, patient=patient, obj=record)
    return record


@transaction.atomic
def do_redate_session(
    *,
    actor: User,
    session: PlannedSession,
    planned_on: datetime.date,
    today: datetime.date,
    request: HttpRequest | None = None,
) -> PlannedSession:
    """Move one planned session by hand; refused if it breaks the series' interval window."""
    locked = PlannedSession.objects.select_for_update().select_related("plan").get(pk=session.pk)
    if planned_on < today:
        raise ValidationError({"planned_on": [f"must be today ({today}) or later"]})
    siblings = list(
        PlannedSession.objects.select_for_update()
        .filter(plan=locked.plan, series_index=locked.series_index)
        .order_by("number")
    )
    dates = [planned_on if s.pk == locked.pk else s.planned_on for s in siblings]
    window = locked.plan.accepted_plan.series_at(locked.series_index).interval_weeks
    errors = check_session_dates(dates, window)
    if errors:
        raise ValidationError({"planned_on": [error.message for error in errors]})
    before = locked.planned_on
    locked.planned_on = planned_on
    locked.save(update_fields=["planned_on"])
    record_event(
        request,
        AuditAction.UPDATE,
        actor=actor,
        patient=locked.plan.patient,
        obj=locked,
        detail={"from": before.isoformat(), "to": planned_on.isoformat()},
    )
    return locked
