from cit.protocol.model import Decision
from cit.protocol.overrides import (
    LICENSED_CLINICIAN,
    PHYSICIAN,
    decision_after_overrides,
    override_needs,
)
from cit.protocol.stored import StoredFinding

FINDINGS = [
    StoredFinding.from_dict(finding)
    for finding in (
        {"rule": "keloid", "decision": "do_not_treat"},
        {"rule": "anticoagulant", "decision": "refer"},
        {"rule": "herpes-history", "decision": "treat_with_precautions"},
    )
]


def test_lifting_findings_leaves_the_most_severe_of_the_rest() -> None:
    assert decision_after_overrides(FINDINGS, set()) is Decision.DO_NOT_TREAT
    assert decision_after_overrides(FINDINGS, {"keloid"}) is Decision.REFER
    assert decision_after_overrides(FINDINGS, {"keloid", "anticoagulant"}) is (
        Decision.TREAT_WITH_PRECAUTIONS
    )
    assert decision_after_overrides(FINDINGS, {f.rule for f in FINDINGS}) is Decision.TREAT


def test_only_a_physician_lifts_do_not_treat() -> None:
    assert override_needs("do_not_treat") == PHYSICIAN
    for decision in ("refer", "defer", "treat_with_precautions"):
        assert override_needs(decision) == LICENSED_CLINICIAN
