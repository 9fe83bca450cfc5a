"""Clinician overrides of screening findings (CLINICAL.md §2).

An override lifts one finding; the decision is then the most severe of the findings left.
A ``do_not_treat`` finding is lifted only by a physician; other findings by any licensed
clinician. These functions work on the stored form of a screening
(:class:`cit.protocol.stored.StoredFinding`), because overrides are applied to screenings
already on record.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from cit.protocol.model import Decision, most_severe
from cit.protocol.stored import StoredFinding

PHYSICIAN = "physician"
LICENSED_CLINICIAN = "licensed clinician"


def override_needs(decision: Decision | str) -> str:
    """Who may lift a finding of this decision: a physician, or any licensed clinician."""
    return PHYSICIAN if Decision(decision) is Decision.DO_NOT_TREAT else LICENSED_CLINICIAN


def decision_after_overrides(
    findings: Sequence[StoredFinding], overridden_rules: Collection[str]
) -> Decision:
    """The decision once the findings of ``overridden_rules`` are lifted."""
    return most_severe([f.decision for f in findings if f.rule not in overridden_rules])
