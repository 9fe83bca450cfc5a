"""Decision support over JSON: screen or plan an intake sent in the body.

The body is CIT's intake JSON (schema: ``cit schema intake``) or a FHIR R4 Bundle. Nothing
is stored; the call is audited. The clinic's protocol profile applies unless ``profile``
names another.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Body, Router, Schema, Status
from ninja.errors import HttpError

from cit.api.bounds import Day
from cit.api.errors import ErrorOut
from cit.clinic.access import require_capability, staff_clinic
from cit.clinic.accounts.permissions import Capability
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.plans.models import clinic_prices
from cit.interop.intake_input import IntakeInput, IntakeInputError, read_intake
from cit.lib.api_errors import error_body
from cit.protocol.intake_json import intake_json_schema
from cit.protocol.planning import PlanningError, PlanRefused, plan
from cit.protocol.profiles import Profile, UnknownProfileError, load_profile
from cit.protocol.screening import screen
from cit.protocol.serialise import plan_to_dict, screening_to_dict

router = Router(tags=["decision support"])

DecisionCode = Literal["do_not_treat", "refer", "defer", "treat_with_precautions", "treat"]


class SourceOut(Schema):
    key: str
    citation: str


class FactOut(Schema):
    path: str
    text: str


class FindingOut(Schema):
    rule: str
    decision: DecisionCode
    title: str
    until: datetime.date | None
    until_condition: str | None
    actions: list[str]
    facts: list[FactOut]
    sources: list[SourceOut]


class UnrecognisedOut(Schema):
    path: str
    text: str
    reason: str


class ScreeningOut(Schema):
    decision: DecisionCode
    until: datetime.date | None
    findings: list[FindingOut]
    unrecognised: list[UnrecognisedOut]
    protocol_version: str
    profile: str
    warnings: list[str] = []


class PlanRefusedOut(ErrorOut):
    screening: ScreeningOut


def _intake_body() -> dict[str, Any]:
    schema = {key: value for key, value in intake_json_schema().items() if key != "$schema"}
    bundle = {
        "type": "object",
        "description": "A FHIR R4 Bundle (collection, transaction or searchset)",
        "required": ["resourceType"],
        "properties": {"resourceType": {"const": "Bundle"}},
    }
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"oneOf": [schema, bundle]}}},
        }
    }


ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


def _inputs(
    request: HttpRequest, body: Any, on: datetime.date | None, profile_name: str | None
) -> tuple[IntakeInput, datetime.date, Profile]:
    require_capability(request, Capability.DECISION_SUPPORT)
    clinic = staff_clinic(request)
    today = clinic.today()
    try:
        profile = load_profile(profile_name or clinic.protocol_profile)
    except UnknownProfileError as error:
        raise _invalid("query.profile", str(error)) from None
    try:
        read = read_intake(body, today=today)
    except IntakeInputError as error:
        raise _Invalid(
            [(f"body.{e.path}" if e.path else "body", e.message) for e in error.errors]
        ) from None
    day = on or today
    if read.intake.birth_date > day:
        raise _invalid("query.on", f"{day} is before the patient's birth date")
    return read, day, profile


class _Invalid(HttpError):
    """A 422 naming each bad field; the API's error handler lists them."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(422, "The intake is not valid.")
        self.errors = errors


def _invalid(field: str, message: str) -> _Invalid:
    return _Invalid([(field, message)])


def _audit(request: HttpRequest, what: str, read: IntakeInput, outcome: str) -> None:
    record_event(
        request,
        AuditAction.DECISION_SUPPORT,
        object_type=f"protocol.{what}",
        detail={"format": read.format, "outcome": outcome},
    )


@router.post(
    "/screen",
    response={200: ScreeningOut, **ERRORS},
    openapi_extra=_intake_body(),
    summary="Screen an intake for micro-needling",
)
def screen_intake(
    request: HttpRequest,
    body: dict[str, Any] = Body(...),  # type: ignore[type-arg]  # noqa: B008
    on: Day | None = None,
    profile: str | None = None,
) -> dict[str, Any]:
    """Screen an intake (JSON or a FHIR R4 Bundle) against the protocol on a day (`on`, default
    today) and profile: the decision, each finding with its sources, and until when it
    holds. Writes nothing but the audit event."""
    read, day, resolved = _inputs(request, body, on, profile)
    result = screening_to_dict(screen(read.intake, day, resolved))
    _audit(request, "Screening", read, result["decision"])
    return {**result, "warnings": list(read.warnings)}


@router.post(
    "/plan",
    response={200: dict[str, Any], 409: PlanRefusedOut, **ERRORS},
    openapi_extra=_intake_body(),
    summary="Propose a treatment plan for an intake's goals",
)
def plan_intake(
    request: HttpRequest,
    body: dict[str, Any] = Body(...),  # type: ignore[type-arg]  # noqa: B008
    on: Day | None = None,
    profile: str | None = None,
) -> Any:
    """Propose a treatment plan (series, sessions, intervals, depths, downtime, prices) for an
    intake's goals. 409 when screening refuses treatment, with the screening."""
    read, day, resolved = _inputs(request, body, on, profile)
    try:
        proposed = plan(
            read.intake, None, day, resolved, prices=clinic_prices(staff_clinic(request))
        )
    except PlanRefused as refused:
        screening = screening_to_dict(refused.screening)
        _audit(request, "Plan", read, f"refused: {screening['decision']}")
        detail = f"No plan: the screening decision is {screening['decision']}."
        return Status(409, {**error_body(detail), "screening": screening})
    except PlanningError as error:
        raise _invalid("body.goals", str(error)) from None
    _audit(request, "Plan", read, "planned")
    return {**plan_to_dict(proposed), "warnings": list(read.warnings)}
