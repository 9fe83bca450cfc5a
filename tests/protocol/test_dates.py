from datetime import date
from typing import Any

import pytest

from cit.protocol.dates import add_months, age_on, parse_day


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 6, 30), 12, date(2025, 6, 30)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: clamped to 29 February
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_of_month_clamped_to_the_month_end(
    start: Any, months: Any, expected: Any
) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2007, 3, 15), date(2025, 3, 14), 17),
        (date(2007, 3, 15), date(2025, 3, 15), 18),
        (date(2004, 2, 29), date(2022, 2, 28), 17),  # a leap-day birthday counts on 1 March
        (date(2004, 2, 29), date(2022, 3, 1), 18),
        (date(2004, 2, 29), date(2024, 2, 29), 20),
    ],
)
def test_age_is_completed_years_on_the_day(born: Any, on: Any, age: Any) -> None:
    assert age_on(born, on) == age


@pytest.mark.parametrize(
    "text", ["2025-02-30", "20250101", "2025-1-01", "01/02/2025", "2025-01-01T00:00"]
)
def test_parse_day_accepts_only_real_yyyy_mm_dd_dates(text: str) -> None:
    with pytest.raises(ValueError, match="expected YYYY-MM-DD"):
        parse_day(text)


def test_parse_day() -> None:
    assert parse_day("2024-02-29") == date(2024, 2, 29)
