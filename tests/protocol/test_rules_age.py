"""Age on the day: under 18 refer; 18-21 treat with precautions (device authorised from 22)."""

from datetime import date
from typing import Any

import pytest

from cit.protocol.model import Decision

from .helpers import finding, screened

BORN = date(2007, 3, 15)


@pytest.mark.parametrize(
    ("on", "decision", "rule"),
    [
        (date(2025, 3, 14), Decision.REFER, "age-minor"),
        (date(2025, 3, 15), Decision.TREAT_WITH_PRECAUTIONS, "age-label"),
        (date(2025, 3, 16), Decision.TREAT_WITH_PRECAUTIONS, "age-label"),
        (date(2029, 3, 14), Decision.TREAT_WITH_PRECAUTIONS, "age-label"),
        (date(2029, 3, 15), Decision.TREAT, None),
        (date(2029, 3, 16), Decision.TREAT, None),
    ],
)
def test_age_boundaries_on_the_birthdays(on: Any, decision: Any, rule: Any) -> None:
    result = screened(on=on, birth_date=BORN)
    assert result.decision is decision
    if rule:
        assert finding(result, rule).facts[0].path == "birth_date"


def test_minor_needs_guardian_consent_and_a_physician() -> None:
    result = screened(on=date(2020, 1, 1), birth_date=BORN)
    assert finding(result, "age-minor").actions == (
        "Guardian consent and a physician's clearance are needed.",
    )


def test_a_birth_date_after_the_day_is_an_error() -> None:
    with pytest.raises(ValueError, match="after the screening day"):
        screened(on=date(2000, 1, 1), birth_date=BORN)
