"""The hand-worked screening corpus (``tests/protocol/corpus/``): loading, running, comparing.

Every case's expectation was worked out by hand from CLINICAL.md (see the corpus README); this
module only reads the cases, screens them with the engine and says how each answer compares.
It never produces or adjusts an expectation.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from cit.interop.fhir_intake import intake_from_fhir_bundle
from cit.protocol.intake_json import intake_from_dict
from cit.protocol.model import Intake
from cit.protocol.screening import screen

CORPUS = Path(__file__).with_name("corpus")

# CLINICAL.md section 2: do_not_treat > refer > defer > treat_with_precautions > treat.
SEVERITY: dict[str, int] = {
    "treat": 0,
    "treat_with_precautions": 1,
    "defer": 2,
    "refer": 3,
    "do_not_treat": 4,
}
REFER = SEVERITY["refer"]

Verdict = Literal["exact", "milder", "harsher", "error"]
_CASE_KEYS = {"id", "on", "profile", "expect", "reason", "ordinary", "intake", "fhir", "goals"}


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    file: str
    on: date
    profile: str
    decision: str
    until: date | None
    reason: str
    ordinary: bool
    intake: dict[str, Any] | None
    fhir: dict[str, Any] | None
    goals: list[Any] | None

    @property
    def expected(self) -> str:
        return _show(self.decision, self.until)


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    verdict: Verdict
    decision: str | None = None
    until: date | None = None
    error: str | None = None

    @property
    def got(self) -> str:
        if self.error is not None:
            return f"error: {self.error}"
        assert self.decision is not None
        return _show(self.decision, self.until)

    def describe(self) -> str:
        case = self.case
        return (
            f"[{self.verdict}] {case.id} ({case.file}.json, on {case.on.isoformat()}"
            f"{'' if case.profile == 'default' else ', profile ' + case.profile}): "
            f"expected {case.expected}, got {self.got} -- {case.reason}"
        )


def _show(decision: str, until: date | None) -> str:
    return f"{decision} until {until.isoformat()}" if until is not None else decision


def _day(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected a date, got {value!r}")
    return date.fromisoformat(value)


def _case(raw: Any, file: str, index: int) -> Case:
    where = f"{file}.json[{index}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: a case is an object")
    unknown = set(raw) - _CASE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    expect = raw.get("expect")
    if not isinstance(expect, dict) or set(expect) != {"decision", "until"}:
        raise ValueError(f"{where}: 'expect' needs exactly 'decision' and 'until'")
    decision = expect["decision"]
    if decision not in SEVERITY:
        raise ValueError(f"{where}: unknown decision {decision!r}")
    until = None if expect["until"] is None else _day(expect["until"], f"{where}.expect.until")
    if until is not None and decision != "defer":
        raise ValueError(f"{where}: only a defer has an 'until'")
    if ("intake" in raw) == ("fhir" in raw):
        raise ValueError(f"{where}: a case has either 'intake' or 'fhir'")
    if "goals" in raw and "fhir" not in raw:
        raise ValueError(f"{where}: 'goals' belongs beside a FHIR bundle")
    reason, case_id = raw.get("reason"), raw.get("id")
    if not isinstance(case_id, str) or not case_id:
        raise ValueError(f"{where}: missing id")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError(f"{where}: {case_id} has no reason")
    ordinary = raw.get("ordinary", False)
    if not isinstance(ordinary, bool):
        raise ValueError(f"{where}: 'ordinary' is true or false")
    return Case(
        id=case_id,
        file=file,
        on=_day(raw.get("on"), f"{where}.on"),
        profile=str(raw.get("profile", "default")),
        decision=decision,
        until=until,
        reason=reason,
        ordinary=ordinary,
        intake=raw.get("intake"),
        fhir=raw.get("fhir"),
        goals=raw.get("goals"),
    )


@cache
def load_cases() -> tuple[Case, ...]:
    """Every case of every corpus file, in file order; ids are unique."""
    cases: list[Case] = []
    for path in sorted(CORPUS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ValueError(f"{path.name}: expected a list of cases")
        cases.extend(_case(raw, path.stem, index) for index, raw in enumerate(data))
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise ValueError(f"duplicate case id {case.id!r}")
        seen.add(case.id)
    return tuple(cases)


def read_intake(case: Case) -> Intake:
    """The case's intake, read by the engine's own readers (JSON or FHIR R4)."""
    if case.intake is not None:
        return intake_from_dict(case.intake, today=case.on)
    intake = intake_from_fhir_bundle(case.fhir, today=case.on).intake
    if case.goals is not None:
        # A FHIR bundle carries no treatment goals: the clinic adds them (as the app does).
        goals = intake_from_dict(
            {"birth_date": intake.birth_date.isoformat(), "goals": case.goals}
        ).goals
        intake = dataclasses.replace(intake, goals=goals)
    return intake


def compare(
    expected: str, expected_until: date | None, got: str, got_until: date | None
) -> Verdict:
    """exact; milder (lower severity, or the same defer with an earlier date, a date where
    none was expected counting as earlier); harsher otherwise."""
    if (expected, expected_until) == (got, got_until):
        return "exact"
    if SEVERITY[got] != SEVERITY[expected]:
        return "milder" if SEVERITY[got] < SEVERITY[expected] else "harsher"
    if expected == "defer":
        if got_until is None:
            return "harsher"  # until resolved: later than any date
        if expected_until is None or got_until < expected_until:
            return "milder"
    return "harsher"


def run(case: Case) -> Outcome:
    try:
        result = screen(read_intake(case), case.on, case.profile)
    except Exception as error:  # a case the engine cannot read or screen
        return Outcome(case, "error", error=f"{type(error).__name__}: {error}")
    decision = result.decision.value
    return Outcome(
        case,
        compare(case.decision, case.until, decision, result.until),
        decision,
        result.until,
    )


@cache
def outcomes() -> dict[str, Outcome]:
    return {case.id: run(case) for case in load_cases()}


def referred(outcome: Outcome) -> bool:
    """Refer or worse (a case the engine could not screen counts: the patient is not treated)."""
    return outcome.decision is None or SEVERITY[outcome.decision] >= REFER


def report(results: Iterable[Outcome]) -> tuple[str, dict[str, float]]:
    """The summary line, the list of every non-exact case, and the figures."""
    results = list(results)
    count = {v: sum(1 for o in results if o.verdict == v) for v in ("exact", "milder", "harsher")}
    count["error"] = sum(1 for o in results if o.verdict == "error")
    fhir = sum(1 for o in results if o.case.fhir is not None)
    ordinary = [o for o in results if o.case.ordinary]
    ordinary_referred = sum(1 for o in ordinary if referred(o))
    figures = {
        "total": float(len(results)),
        "exact_pct": 100.0 * count["exact"] / len(results) if results else 0.0,
        "ordinary": float(len(ordinary)),
        "ordinary_referred_pct": 100.0 * ordinary_referred / len(ordinary) if ordinary else 0.0,
        **{key: float(value) for key, value in count.items()},
    }
    line = (
        f"screening corpus: {len(results)} cases ({len(results) - fhir} JSON, {fhir} FHIR): "
        f"exact {count['exact']} ({figures['exact_pct']:.1f}%), milder {count['milder']}, "
        f"harsher {count['harsher']}, unreadable {count['error']}; "
        f"ordinary patients {len(ordinary)}: refer or worse {ordinary_referred} "
        f"({figures['ordinary_referred_pct']:.1f}%)"
    )
    order = {"milder": 0, "error": 1, "harsher": 2}
    others = sorted(
        (o for o in results if o.verdict != "exact"),
        key=lambda o: (order[o.verdict], o.case.file, o.case.id),
    )
    return "\n".join([line, *(o.describe() for o in others)]), figures
