"""The hand-worked screening corpus, run against the engine (pure: no Django).

One test per case names it when the engine answers milder than CLINICAL.md (a failure) or
cannot read it (a failure); a harsher answer is reported as an expected failure, and the
summary test holds the limits: no milder case, at least 98% exact, and at most 2% of ordinary
patients referred (or worse). Expectations are never edited to match the engine: see
``tests/protocol/corpus/README.md``.
"""

from __future__ import annotations

from datetime import date

import pytest

from .corpus_cases import SEVERITY, compare, load_cases, outcomes, report

MIN_EXACT_PCT = 98.0
MAX_ORDINARY_REFERRED_PCT = 2.0
CASE_IDS = [case.id for case in load_cases()]


def test_the_corpus_is_well_formed() -> None:
    cases = load_cases()
    assert len(cases) >= 400
    assert sum(1 for case in cases if case.fhir is not None) >= 80
    ordinary = [case for case in cases if case.ordinary]
    assert len(ordinary) >= 120
    assert all(case.decision == "treat" and case.until is None for case in ordinary)
    assert {case.profile for case in cases} <= {"default", "six-month-isotretinoin"}
    assert all(
        case.until is None or (case.decision == "defer" and case.until > case.on) for case in cases
    )


@pytest.mark.parametrize(
    ("expected", "expected_until", "got", "got_until", "verdict"),
    [
        ("refer", None, "refer", None, "exact"),
        ("refer", None, "defer", None, "milder"),
        ("defer", None, "refer", None, "harsher"),
        ("defer", "2027-01-15", "defer", "2027-01-14", "milder"),
        ("defer", "2027-01-15", "defer", "2027-01-16", "harsher"),
        ("defer", "2027-01-15", "defer", None, "harsher"),
        ("defer", None, "defer", "2027-01-15", "milder"),
        ("treat", None, "treat_with_precautions", None, "harsher"),
    ],
)
def test_compare(
    expected: str, expected_until: str | None, got: str, got_until: str | None, verdict: str
) -> None:
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    assert expected in SEVERITY
    assert got in SEVERITY
    assert compare(expected, day(expected_until), got, day(got_until)) == verdict


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_case(case_id: str) -> None:
    outcome = outcomes()[case_id]
    if outcome.verdict == "exact":
        return
    if outcome.verdict == "harsher":
        pytest.xfail(outcome.describe())
    pytest.fail(outcome.describe(), pytrace=False)


def test_corpus_summary(capsys: pytest.CaptureFixture[str]) -> None:
    text, figures = report(outcomes().values())
    with capsys.disabled():
        print("\n" + text)
    problems = []
    if figures["milder"]:
        problems.append(f"{figures['milder']:.0f} case(s) milder than CLINICAL.md")
    if figures["exact_pct"] < MIN_EXACT_PCT:
        problems.append(f"exact {figures['exact_pct']:.1f}% < {MIN_EXACT_PCT}%")
    if figures["ordinary_referred_pct"] > MAX_ORDINARY_REFERRED_PCT:
        problems.append(
            f"{figures['ordinary_referred_pct']:.1f}% of ordinary patients referred or worse"
            f" (> {MAX_ORDINARY_REFERRED_PCT}%)"
        )
    assert not problems, "; ".join(problems) + "\n" + text
