"""Maintenance windows (CLINICAL §3: one session every 4–6 months after the series, target
6), counted by hand from the day of the last session, and how urgent each is on a day."""

from __future__ import annotations

from datetime import date

import pytest

from cit.scheduling.maintenance import DueState, maintenance_due


def test_window_and_target_are_months_after_the_last_session() -> None:
    due = maintenance_due(date(2026, 3, 10), (4, 6), 6)
    assert due.last_session == date(2026, 3, 10)
    assert due.opens == date(2026, 7, 10)
    assert due.closes == date(2026, 9, 10)
    assert due.target == date(2026, 9, 10)


def test_a_month_end_is_clamped_to_the_shorter_month() -> None:
    # 31 March + 6 months: September has 30 days; + 4 months: 31 July exists.
    due = maintenance_due(date(2026, 3, 31), (4, 6), 5)
    assert due.opens == date(2026, 7, 31)
    assert due.target == date(2026, 8, 31)
    assert due.closes == date(2026, 9, 30)


def test_the_window_crosses_the_year() -> None:
    due = maintenance_due(date(2026, 10, 15), (4, 6), 6)
    assert (due.opens, due.closes) == (date(2027, 2, 15), date(2027, 4, 15))


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 6, 9), None),  # 31 days before the window opens
        (date(2026, 6, 10), DueState.SOON),  # 30 days before
        (date(2026, 7, 9), DueState.SOON),
        (date(2026, 7, 10), DueState.NOW),  # the window opens
        (date(2026, 9, 10), DueState.NOW),  # its last day
        (date(2026, 9, 11), DueState.OVERDUE),
    ],
)
def test_due_soon_now_and_overdue(today: date, state: DueState | None) -> None:
    due = maintenance_due(date(2026, 3, 10), (4, 6), 6)
    assert due.state(today) == state


def test_a_target_outside_the_interval_is_refused() -> None:
    with pytest.raises(ValueError):
        maintenance_due(date(2026, 3, 10), (4, 6), 7)
    with pytest.raises(ValueError):
        maintenance_due(date(2026, 3, 10), (0, 6), 3)
