"""The app triages an answer by the day after the session it is given on (clinic days),
as CLINICAL.md section 5 says; the core's own sign-by-sign tests are in
tests/protocol/test_diary.py. Expected levels worked out by hand from section 5."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cit.clinic.recovery.actions import do_submit_check_in
from cit.clinic.recovery.models import CheckIn
from tests.clinic.recovery.conftest import answers


def submit_on(day: int, on_day: Callable[..., Any], note: Any, **fields: Any) -> str:
    on_day(day)
    check_in = CheckIn.objects.filter(note=note, day__lte=max(day, 1)).order_by("-day").first()
    assert check_in is not None
    return do_submit_check_in(
        check_in=check_in, answers=answers(**fields), via="portal"
    ).entry.level


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "fields", "level"),
    [
        # Day 2: pink, swollen, peeling, pinpoint bleeding, some pain: all normal healing.
        (
            2,
            {"redness": 2, "swelling": 2, "pain": 4, "peeling": True, "bleeding": True},
            "expected",
        ),
        # Moderate redness is expected up to day 4, a reason to call from day 5.
        (4, {"redness": 2}, "expected"),
        (5, {"redness": 2}, "contact_clinic"),
        # Pain getting worse: expected on day 2, urgent from day 3.
        (2, {"pain": 5, "pain_trend": "worse"}, "expected"),
        (3, {"pain": 5, "pain_trend": "worse"}, "urgent"),
        # Any redness after day 7 (the day-7 check-in answered on day 8).
        (8, {"redness": 1}, "contact_clinic"),
        # Swelling is expected on days 1-3 only.
        (3, {"swelling": 1}, "expected"),
        (5, {"swelling": 1}, "contact_clinic"),
        # Pus and fever are urgent whatever the day.
        (5, {"pus": True, "fever": True}, "urgent"),
        (1, {"lip_eye_swelling": True}, "urgent"),
        (14, {"bumps": True}, "contact_clinic"),
    ],
)
def test_level_by_day_after_the_session(
    day: int, fields: dict[str, Any], level: str, on_day: Any, signed_note: Any
) -> None:
    assert submit_on(day, on_day, signed_note, **fields) == level


@pytest.mark.django_db
def test_the_day_is_the_day_of_the_answer_not_of_the_check_in(
    on_day: Any, signed_note: Any
) -> None:
    """The day-3 check-in answered on day 5 with moderate redness: day 5 decides."""
    on_day(5)
    check_in = CheckIn.objects.get(note=signed_note, day=3)
    entry = do_submit_check_in(check_in=check_in, answers=answers(redness=2), via="link").entry
    assert (entry.day_after_session, entry.level) == (5, "contact_clinic")
    assert entry.signs[0]["reason"] == "Redness still moderate or worse after day 4."
