"""Before a session (CLINICAL.md §2, §4): everyone arrives 15 minutes early for check-in
and pauses retinoids from 3 days before to 7 days after; cold-sore medicine only after a
history of cold sores, from the day of the session (the day before in the profile that
says so); supplements 7 days, steroid creams 7 days, only when screening found them."""

from __future__ import annotations

from cit.protocol.knowledge import get_knowledge
from cit.protocol.preparation import _BY_RULE, Preparation, PreparationKind, before_session

K = PreparationKind


def test_everyone_arrives_early_and_pauses_retinoids() -> None:
    assert before_session(()) == (
        Preparation(K.ARRIVE_EARLY, minutes=15),
        Preparation(K.PAUSE_RETINOIDS, days_before=3, days_after=7),
    )


def test_cold_sore_medicine_only_after_a_history_of_cold_sores() -> None:
    kinds = [item.kind for item in before_session(("herpes-history",))]
    assert K.COLD_SORE_PROPHYLAXIS in kinds
    (item,) = [i for i in before_session(("herpes-history",)) if i.kind is K.COLD_SORE_PROPHYLAXIS]
    assert item.on_day_before is False
    (later,) = [
        i
        for i in before_session(("herpes-history",), "six-month-isotretinoin")
        if i.kind is K.COLD_SORE_PROPHYLAXIS
    ]
    assert later.on_day_before is True
    assert K.COLD_SORE_PROPHYLAXIS not in [i.kind for i in before_session(("anticoagulant",))]


def test_supplements_and_steroid_creams_stop_seven_days_before() -> None:
    items = before_session(("supplement-antiplatelet", "topical-steroid-area"))
    assert Preparation(K.STOP_SUPPLEMENTS, days_before=7) in items
    assert Preparation(K.STOP_TOPICAL_STEROID, days_before=7) in items


def test_every_rule_named_exists_in_the_knowledge() -> None:
    assert set(_BY_RULE) <= set(get_knowledge().rules)
