"""An override stands while the finding it lifted rests on the same answers (issue 10):
across re-screens, unchanged re-saves and new versions with other changes; it lapses,
visibly, when the answers behind the finding change."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cit.clinic.intake.actions import (
    do_override_finding,
    do_record_intake,
    do_rescreen,
    effective_decision,
    effective_screening,
    standing_overrides,
)
from cit.protocol.model import Decision

pytestmark = pytest.mark.django_db

WARFARIN = {
    "birth_date": "1985-06-01",
    "medications": [{"name": "Warfarin 5 mg"}],
    "goals": [{"indication": "rejuvenation", "areas": ["face"]}],
}


@pytest.fixture
def overridden(clinic: Any, make_patient: Any, make_user: Any) -> tuple[Any, Any]:
    """A patient on warfarin (an anticoagulant: refer) whose finding a physician lifted."""
    patient = make_patient(clinic)
    today = patient.clinic.today()
    _, first = do_record_intake(
        actor=None, patient=patient, data=WARFARIN, source="desk", today=today
    )
    assert effective_decision(first) is Decision.REFER
    do_override_finding(
        actor=make_user("physician", clinic),
        screening=first,
        rule="anticoagulant",
        reason="INR in range; cleared by haematology",
    )
    return patient, first


def test_override_carries_to_rescreens_of_the_same_answers(overridden: tuple[Any, Any]) -> None:
    patient, _ = overridden
    today = patient.clinic.today()
    later = do_rescreen(actor=None, patient=patient, on=today + datetime.timedelta(days=28))
    assert later.decision == "refer", "the engine's own answer is unchanged"
    assert set(standing_overrides(later)) == {"anticoagulant"}
    assert effective_decision(later) is Decision.TREAT


def test_override_stands_across_an_unchanged_resave(overridden: tuple[Any, Any]) -> None:
    patient, first = overridden
    record, again = do_record_intake(
        actor=None, patient=patient, data=WARFARIN, source="portal", today=first.screened_for
    )
    assert record.version == 2
    assert set(standing_overrides(again)) == {"anticoagulant"}
    assert effective_decision(again) is Decision.TREAT


def test_override_stands_when_other_answers_change(overridden: tuple[Any, Any]) -> None:
    patient, first = overridden
    # Cold sores add their own finding (treat with precautions); the warfarin is unchanged.
    _, new_answers = do_record_intake(
        actor=None,
        patient=patient,
        data={**WARFARIN, "history": {"cold_sores": True}},
        source="desk",
        today=first.screened_for,
    )
    assert set(standing_overrides(new_answers)) == {"anticoagulant"}
    assert effective_decision(new_answers) is Decision.TREAT_WITH_PRECAUTIONS


def test_override_lapses_when_its_facts_change(overridden: tuple[Any, Any]) -> None:
    patient, first = overridden
    changed = {**WARFARIN, "medications": [{"name": "Warfarin 5 mg", "start": "2026-01-02"}]}
    _, new_answers = do_record_intake(
        actor=None, patient=patient, data=changed, source="desk", today=first.screened_for
    )
    assert standing_overrides(new_answers) == {}
    assert effective_decision(new_answers) is Decision.REFER
    shown = effective_screening(new_answers)
    assert set(shown.lapsed) == {"anticoagulant"}
    assert shown.findings[0]["lapsed"].reason == "INR in range; cleared by haematology"

    # Back to exactly the answers the physician judged: the override applies again.
    _, back = do_record_intake(
        actor=None, patient=patient, data=WARFARIN, source="desk", today=first.screened_for
    )
    assert set(standing_overrides(back)) == {"anticoagulant"}


def test_a_later_override_does_not_rewrite_what_stood_earlier(
    clinic: Any, make_patient: Any, make_user: Any
) -> None:
    from django.utils import timezone

    patient = make_patient(clinic)
    _, screening = do_record_intake(
        actor=None, patient=patient, data=WARFARIN, source="desk", today=patient.clinic.today()
    )
    before = timezone.now()
    do_override_finding(
        actor=make_user("physician", clinic),
        screening=screening,
        rule="anticoagulant",
        reason="Cleared afterwards by haematology",
    )
    assert effective_screening(screening).decision is Decision.TREAT
    assert effective_screening(screening, as_of=before).decision is Decision.REFER
