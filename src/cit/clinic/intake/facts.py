"""Which intake answers a screening finding stands on, for deciding whether an override
still applies. Framework-free: it reads the stored JSON forms.

A finding's facts name their place in the intake (``medications[1]``,
``areas[0].active_infection``, ``history.cold_sores``, ``birth_date``). The answers at
those places, compared by content rather than by position, are what a clinician judged
when overriding the finding: while the same rule fires on the same answers, the override
stands (a re-save, a new version with other changes, a re-screen for another day); when
any of those answers changes, it lapses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def answer_at(intake: Mapping[str, Any], path: str) -> Any:
    """The intake answer a fact's path points at. Inside a list item the whole item is
    taken (``areas[0].sunburn`` is the whole of ``areas[0]``: its zone matters too)."""
    value: Any = intake
    in_item = False
    for name, index in _TOKEN.findall(path):
        if in_item:
            break
        if index:
            if not isinstance(value, list) or int(index) >= len(value):
                return None
            value = value[int(index)]
            in_item = True
        else:
            if not isinstance(value, Mapping):
                return None
            value = value.get(name)
    return value


def finding_basis(finding: Mapping[str, Any], intake: Mapping[str, Any]) -> tuple[str, ...]:
    """The answers behind a finding, as a sorted tuple of canonical JSON strings."""
    return tuple(
        sorted(
            {
                json.dumps(answer_at(intake, fact.get("path", "")), sort_keys=True, default=str)
                for fact in finding.get("facts") or []
            }
        )
    )
