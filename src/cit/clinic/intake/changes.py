"""What changed between two intakes or screenings, for the re-screen page.

Framework-free: it compares the stored intakes (JSON) and screenings (typed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cit.protocol.stored import StoredScreening


@dataclass(frozen=True)
class ScreeningChanges:
    decision_before: str | None
    decision_now: str
    new_findings: list[str] = field(default_factory=list)
    resolved_findings: list[str] = field(default_factory=list)
    intake_changes: list[str] = field(default_factory=list)
    titles: Mapping[str, str] = field(default_factory=dict)  # rule id -> what it says

    @property
    def new_finding_titles(self) -> list[str]:
        return [self.titles.get(rule, rule) for rule in self.new_findings]

    @property
    def resolved_finding_titles(self) -> list[str]:
        return [self.titles.get(rule, rule) for rule in self.resolved_findings]

    @property
    def anything(self) -> bool:
        return bool(
            self.decision_before != self.decision_now
            or self.new_findings
            or self.resolved_findings
            or self.intake_changes
        )


def _label(item: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = item.get(key)
        if value:
            return str(value)
    codes = item.get("codes") or []
    return ", ".join(f"{c.get('system')} {c.get('code')}" for c in codes) or "(unnamed)"


def _yes(value: Any) -> str:
    if value == "unknown":
        return "not sure"
    return "yes" if value else "no"


def _named(items: list[Mapping[str, Any]], *keys: str) -> set[str]:
    return {_label(item, *keys) for item in items}


def intake_changes(before: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """Human-readable differences that matter to screening."""
    changes: list[str] = []
    for key, noun, label_keys in (
        ("medications", "medication", ("name", "rxnorm")),
        ("conditions", "condition", ("text", "code")),
        ("allergies", "allergy", ("substance", "code")),
        ("procedures", "procedure", ("kind",)),
    ):
        old = _named(before.get(key) or [], *label_keys)
        new = _named(now.get(key) or [], *label_keys)
        changes += [f"New {noun}: {name}" for name in sorted(new - old)]
        changes += [f"No longer listed {noun}: {name}" for name in sorted(old - new)]
    for flag, text in (("pregnant", "Pregnant"), ("nursing", "Breastfeeding")):
        if before.get(flag) != now.get(flag) and bool(before.get(flag)) | bool(now.get(flag)):
            now_text, was_text = _yes(now.get(flag)), _yes(before.get(flag))
            changes.append(f"{text}: {now_text} (was {was_text})")
    before_history, now_history = before.get("history") or {}, now.get("history") or {}
    for flag, text in (("cold_sores", "Cold sores"), ("keloids", "Keloid scars")):
        if bool(before_history.get(flag)) != bool(now_history.get(flag)):
            changes.append(f"{text}: {_yes(now_history.get(flag))}")
    return changes


def screening_changes(
    before: StoredScreening | None,
    now: StoredScreening,
    intake_before: Mapping[str, Any] | None,
    intake_now: Mapping[str, Any],
) -> ScreeningChanges:
    """Compare two stored screenings and their intakes."""
    if before is None:
        return ScreeningChanges(None, now.decision.value)
    old_rules = set(before.rules)
    new_rules = set(now.rules)
    return ScreeningChanges(
        decision_before=before.decision.value,
        decision_now=now.decision.value,
        new_findings=sorted(new_rules - old_rules),
        resolved_findings=sorted(old_rules - new_rules),
        titles={f.rule: f.title or f.rule for f in (*before.findings, *now.findings)},
        intake_changes=(
            intake_changes(intake_before, intake_now)
            if intake_before is not None and intake_before is not intake_now
            else []
        ),
    )
