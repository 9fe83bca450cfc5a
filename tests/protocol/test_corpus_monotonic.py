"""Adding a recorded item never makes a screening milder (CLINICAL.md section 2: the overall
decision is the most severe finding's, and a computable `until` is the latest defer date).

Base intakes are the corpus's JSON cases; the added items (conditions, medications, allergies,
examined areas, earlier procedures) are taken from other corpus cases. Goals are never added:
a wider treatment area may rightly turn an "elsewhere" refer into an "in or near" defer.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from cit.protocol.intake_json import IntakeError, intake_from_dict
from cit.protocol.screening import screen

from .corpus_cases import Case, compare, load_cases

ITEM_KINDS = ("conditions", "medications", "allergies", "areas", "procedures")
Item = tuple[str, dict[str, Any]]


def _readable(data: dict[str, Any]) -> bool:
    """Whether the engine's reader takes it (the intake format may be ahead of the reader)."""
    try:
        intake_from_dict(data)
    except IntakeError:
        return False
    return True


def _bases() -> list[Case]:
    return [c for c in load_cases() if c.intake is not None and _readable(c.intake)]


def _items() -> list[Item]:
    seen: set[str] = set()
    items: list[Item] = []
    for case in load_cases():
        if case.intake is None:
            continue
        for kind in ITEM_KINDS:
            for item in case.intake.get(kind, []):
                key = kind + json.dumps(item, sort_keys=True)
                probe = {"birth_date": "1900-01-01", kind: [item]}
                if key not in seen and _readable(probe):
                    seen.add(key)
                    items.append((kind, item))
    return items


BASES = _bases()
ITEMS = _items()


def test_the_pools_are_large() -> None:
    assert len(BASES) >= 300
    assert {kind for kind, _ in ITEMS} == set(ITEM_KINDS)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(BASES),
    added=st.lists(st.sampled_from(ITEMS), min_size=1, max_size=3),
)
def test_adding_a_recorded_item_never_makes_the_decision_milder(
    base: Case, added: list[Item]
) -> None:
    assert base.intake is not None
    data = copy.deepcopy(base.intake)
    for kind, item in added:
        data.setdefault(kind, []).append(copy.deepcopy(item))
    try:
        bigger = intake_from_dict(data)
    except IntakeError:
        reject()  # e.g. an onset before this patient's birth
    before = screen(intake_from_dict(base.intake), base.on, base.profile)
    after = screen(bigger, base.on, base.profile)
    verdict = compare(before.decision.value, before.until, after.decision.value, after.until)
    assert verdict != "milder", (
        f"{base.id} + {added}: {before.decision.value} {before.until} -> "
        f"{after.decision.value} {after.until}"
    )
