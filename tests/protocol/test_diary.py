"""Diary triage after a session: expected / contact_clinic / urgent, with the reason."""

from typing import Any

import pytest

from cit.protocol.aftercare import DiaryLevel, classify_diary
from cit.protocol.intake_json import IntakeError, diary_entry_from_dict
from cit.protocol.model import DiaryEntry, PainTrend


def level(day: int, **fields: Any) -> DiaryLevel:
    return classify_diary(DiaryEntry(**fields), day).level


def test_a_normal_first_day_is_expected() -> None:
    result = classify_diary(DiaryEntry(redness=3, swelling=2, pain=4), 0)
    assert result.level is DiaryLevel.EXPECTED
    assert result.signs == ()


@pytest.mark.parametrize(
    "sign",
    [
        "fever",
        "pus",
        "spreading_redness",
        "blisters",
        "hives",
        "lip_eye_swelling",
        "breathing_trouble",
    ],
)
def test_urgent_signs_at_any_time(sign: Any) -> None:
    assert level(0, **{sign: True}) is DiaryLevel.URGENT
    assert level(20, **{sign: True}) is DiaryLevel.URGENT


def test_pain_increasing_after_day_two_is_urgent() -> None:
    assert level(2, pain=5, pain_trend=PainTrend.WORSE) is DiaryLevel.EXPECTED
    assert level(3, pain=5, pain_trend=PainTrend.WORSE) is DiaryLevel.URGENT


def test_moderate_redness_after_day_four() -> None:
    assert level(4, redness=2) is DiaryLevel.EXPECTED
    result = classify_diary(DiaryEntry(redness=2), 5)
    assert result.level is DiaryLevel.CONTACT_CLINIC
    assert result.reasons == ("Redness still moderate or worse after day 4.",)


def test_any_redness_after_day_seven() -> None:
    assert level(7, redness=1) is DiaryLevel.EXPECTED
    assert level(8, redness=1) is DiaryLevel.CONTACT_CLINIC


def test_swelling_after_day_three() -> None:
    assert level(3, swelling=1) is DiaryLevel.EXPECTED
    assert level(4, swelling=1) is DiaryLevel.CONTACT_CLINIC


@pytest.mark.parametrize(
    "sign", ["pigment_change", "track_marks", "itchy_rash", "acne_flare", "bumps"]
)
def test_contact_clinic_signs(sign: Any) -> None:
    assert level(10, **{sign: True}) is DiaryLevel.CONTACT_CLINIC


def test_the_most_urgent_sign_decides_and_comes_first() -> None:
    result = classify_diary(DiaryEntry(redness=2, fever=True, acne_flare=True), 6)
    assert result.level is DiaryLevel.URGENT
    assert [sign.level for sign in result.signs] == [
        DiaryLevel.URGENT,
        DiaryLevel.CONTACT_CLINIC,
        DiaryLevel.CONTACT_CLINIC,
    ]
    assert all(sign.sources for sign in result.signs)


def test_scores_are_checked() -> None:
    with pytest.raises(ValueError, match="redness"):
        DiaryEntry(redness=4)
    with pytest.raises(ValueError, match="pain"):
        DiaryEntry(pain=11)


def test_diary_entries_from_json() -> None:
    entry = diary_entry_from_dict({"redness": 2, "pain_trend": "worse", "fever": True})
    assert entry == DiaryEntry(redness=2, pain_trend=PainTrend.WORSE, fever=True)
    with pytest.raises(IntakeError) as caught:
        diary_entry_from_dict({"redness": 5, "fever": "yes", "itch": True})
    assert [str(e) for e in caught.value.errors] == [
        "itch: unknown field",
        "redness: must be from 0 to 3, got 5",
        "fever: expected true or false, got text",
    ]
