"""Free text read for negation, history and the medicines it names (CLINICAL.md v2 section 2,
"Free text" and "Every recorded item is matched on all it carries")."""

import pytest

from cit.protocol.model import ClinicalStatus, Decision

from .helpers import condition, rules, screened


def test_a_condition_text_naming_a_systemic_steroid_is_immunosuppression() -> None:
    # The code says asthma (no relevance); the text says oral prednisolone (refer).
    entry = condition(
        "Severe persistent asthma, steroid dependent on oral prednisolone", icd="J45.50"
    )
    result = screened(conditions=(entry,))
    assert "immunosuppression" in rules(result)
    assert result.decision is Decision.REFER


def test_a_resolved_condition_naming_a_medicine_does_not_put_it_in_use() -> None:
    entry = condition(
        "Asthma, was on oral prednisolone", icd="J45.50", status=ClinicalStatus.RESOLVED
    )
    assert "immunosuppression" not in rules(screened(conditions=(entry,)))


@pytest.mark.parametrize(
    "text", ["No history of keloids", "Denies keloid scars", "never had keloids"]
)
def test_a_negated_keloid_is_absent(text: str) -> None:
    assert screened(conditions=(condition(text),)).decision is Decision.TREAT


def test_cold_sores_as_a_kid_are_history_with_prophylaxis() -> None:
    # herpes-history: treat with antiviral prophylaxis, not defer as an active lesion.
    result = screened(conditions=(condition("had cold sores as a kid"),))
    assert rules(result) == {"herpes-history"}
    assert result.decision is Decision.TREAT_WITH_PRECAUTIONS


def test_history_of_eczema_refers() -> None:
    result = screened(conditions=(condition("history of eczema"),))
    assert rules(result) == {"eczema-psoriasis-history"}
    assert result.decision is Decision.REFER
