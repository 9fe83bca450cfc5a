"""Small builders for intakes and look-ups into results, shared by the protocol tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from cit.protocol.model import (
    AllergyEntry,
    AreaState,
    ClinicalStatus,
    CodeSystem,
    Coding,
    ConditionEntry,
    Decision,
    Finding,
    Goal,
    HistoryFlags,
    Intake,
    MedicationEntry,
    ProcedureEntry,
    ProcedureKind,
    Route,
    Screening,
)
from cit.protocol.screening import screen

ON = date(2025, 3, 15)
ADULT = date(1985, 6, 1)
FACE_GOAL = Goal("rejuvenation", ("face",))


def intake(**fields: Any) -> Intake:
    """An adult intake (39 on ON) with a face goal, plus ``fields``."""
    values: dict[str, Any] = {"birth_date": ADULT, "goals": (FACE_GOAL,)}
    values.update(fields)
    return Intake(**values)


def med(
    name: str | None = None,
    *,
    rxnorm: tuple[str, ...] = (),
    route: Route | None = None,
    **dates: Any,
) -> MedicationEntry:
    return MedicationEntry(rxnorm=rxnorm, name=name, route=route, **dates)


def condition(
    text: str | None = None,
    *,
    icd: str | None = None,
    snomed: str | None = None,
    status: ClinicalStatus | None = None,
    **dates: Any,
) -> ConditionEntry:
    codes = []
    if icd:
        codes.append(Coding(CodeSystem.ICD10CM, icd))
    if snomed:
        codes.append(Coding(CodeSystem.SNOMED, snomed))
    return ConditionEntry(codes=tuple(codes), text=text, status=status, **dates)


def allergy(substance: str) -> AllergyEntry:
    return AllergyEntry(substance=substance)


def area(zone: str, **flags: bool) -> AreaState:
    return AreaState(zone, **flags)


def procedure(kind: ProcedureKind, when: date, zone: str | None = None) -> ProcedureEntry:
    return ProcedureEntry(kind, when, zone)


def history(**flags: Any) -> HistoryFlags:
    return HistoryFlags(**flags)


def screened(on: date = ON, profile: str | None = None, **fields: Any) -> Screening:
    return screen(intake(**fields), on, profile)


def rules(result: Screening) -> set[str]:
    return {finding.rule for finding in result.findings}


def finding(result: Screening, rule: str) -> Finding:
    for found in result.findings:
        if found.rule == rule:
            return found
    raise AssertionError(f"no finding {rule!r} in {sorted(rules(result))}")


def decision_of(**fields: Any) -> Decision:
    return screened(**fields).decision
