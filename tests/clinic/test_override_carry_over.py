"""An override stands for re-screens of the same intake version, not for new answers."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cit.clinic.intake.actions import (
    do_override_finding,
    do_record_intake,
    do_rescreen,
    effective_decision,
    standing_overrides,
)
from cit.protocol.model import Decision

pytestmark = pytest.mark.django_db

WARFARIN = {
    "birth_date": "1985-06-01",
    "medications": [{"name": "Warfarin 5 mg"}],
    "goals": [{"indication": "rejuvenation", "areas": ["face"]}],
}


def test_override_carries_to_rescreens_of_the_same_answers(
    clinic: Any, make_patient: Any, make_user: Any
) -> None:
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
    later = do_rescreen(actor=None, patient=patient, on=today + datetime.timedelta(days=28))
    assert later.decision == "refer", "the engine's own answer is unchanged"
    assert set(standing_overrides(later)) == {"anticoagulant"}
    assert effective_decision(later) is Decision.TREAT

    _, new_answers = do_record_intake(
        actor=None,
        patient=patient,
        data={**WARFARIN, "history": {"cold_sores": True}},
        source="desk",
        today=today,
    )
    assert standing_overrides(new_answers) == {}
    assert effective_decision(new_answers) is Decision.REFER
