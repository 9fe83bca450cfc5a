"""Oral isotretinoin: defer until the last dose + 12 months (profile: 6), treatment allowed on
that day; null while in use."""

from datetime import date, timedelta
from typing import Any

import pytest

from cit.protocol.model import Decision, MedicationStatus, Route

from .helpers import finding, med, rules, screened

LAST_DOSE = date(2024, 6, 30)
WINDOW_END = date(2025, 6, 30)


def test_the_day_before_the_window_ends_defers_until_the_window_end() -> None:
    result = screened(
        on=WINDOW_END - timedelta(days=1), medications=(med("Accutane", last_dose=LAST_DOSE),)
    )
    assert result.decision is Decision.DEFER
    assert result.until == WINDOW_END
    assert finding(result, "isotretinoin").until == WINDOW_END


def test_treatment_is_allowed_on_the_day_the_window_ends() -> None:
    result = screened(on=WINDOW_END, medications=(med("Accutane", last_dose=LAST_DOSE),))
    assert result.decision is Decision.TREAT


def test_the_day_after_the_window_is_clear() -> None:
    result = screened(
        on=WINDOW_END + timedelta(days=1), medications=(med("Accutane", last_dose=LAST_DOSE),)
    )
    assert result.decision is Decision.TREAT


def test_the_window_end_is_clamped_to_the_month_end() -> None:
    last = date(2024, 2, 29)
    result = screened(on=date(2025, 2, 27), medications=(med("isotretinoin", last_dose=last),))
    assert result.until == date(2025, 2, 28)
    assert (
        screened(on=date(2025, 2, 28), medications=(med("isotretinoin", last_dose=last),)).decision
        is Decision.TREAT
    )


def test_the_end_of_a_course_counts_as_the_last_dose() -> None:
    result = screened(
        on=date(2025, 1, 1), medications=(med("Absorica", start=date(2024, 1, 1), end=LAST_DOSE),)
    )
    assert result.until == WINDOW_END


def test_in_use_without_an_end_defers_with_no_date() -> None:
    result = screened(medications=(med("Claravis 30 mg", start=date(2025, 1, 1)),))
    found = finding(result, "isotretinoin")
    assert result.decision is Decision.DEFER
    assert result.until is None
    assert found.until is None
    assert found.until_condition == "until 12 months after the last dose of the oral retinoid"
    assert result.until_conditions == (found.until_condition,)


def test_a_course_ending_after_the_day_is_still_in_use() -> None:
    result = screened(medications=(med("Roaccutane", end=date(2025, 9, 1)),))
    assert result.decision is Decision.DEFER
    assert result.until is None


def test_stopped_without_a_date_cannot_be_computed() -> None:
    result = screened(medications=(med("Accutane", status=MedicationStatus.STOPPED),))
    assert result.decision is Decision.DEFER
    assert result.until is None


def test_matched_by_rxnorm_code() -> None:
    result = screened(
        on=date(2025, 1, 1), medications=(med(rxnorm=("6064",), last_dose=LAST_DOSE),)
    )
    assert result.until == WINDOW_END


@pytest.mark.parametrize(
    ("on", "expected"), [(date(2024, 12, 29), Decision.DEFER), (date(2024, 12, 30), Decision.TREAT)]
)
def test_the_six_month_profile_moves_the_boundary(on: Any, expected: Any) -> None:
    result = screened(
        on=on, profile="six-month-isotretinoin", medications=(med("Accutane", last_dose=LAST_DOSE),)
    )
    assert result.decision is expected
    if expected is Decision.DEFER:
        assert result.until == date(2024, 12, 30)
        assert finding(result, "isotretinoin").actions == (
            "Treat no earlier than 6 months after the last dose of the oral retinoid.",
        )


def test_generic_isotretinoin_without_a_route_is_assumed_oral_and_says_so() -> None:
    result = screened(medications=(med("isotretinoin 20 mg"),))
    assert "route not recorded: assumed oral" in finding(result, "isotretinoin").facts[0].text


def test_topical_isotretinoin_is_a_topical_retinoid() -> None:
    assert rules(screened(medications=(med("isotretinoin", route=Route.TOPICAL),))) == {
        "retinoid-topical"
    }
    assert rules(screened(medications=(med("isotretinoin 0.05% gel"),))) == {"retinoid-topical"}


def test_a_course_not_yet_started_counts_as_in_use() -> None:
    # CLINICAL.md v2: a planned start counts as in use (defer, no date yet).
    result = screened(medications=(med("Accutane", start=date(2025, 4, 1)),))
    assert result.decision is Decision.DEFER
    assert result.until is None
