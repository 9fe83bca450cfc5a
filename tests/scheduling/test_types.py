"""The input types refuse nonsense at the boundary, so the search never has to."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from scheduling_support import make_request

from cit.scheduling import (
    BookedSession,
    Clinic,
    DeviceKind,
    IntervalWindow,
    PatientPreferences,
    TimeRange,
    TimeWindow,
    WeeklyHours,
)


def test_time_window_parses_and_rejects_reversed_ranges() -> None:
    window = TimeWindow.parse("09:00-17:30")
    assert (window.start_minute, window.end_minute) == (540, 1050)
    assert window.contains_minute(540)
    assert not window.contains_minute(1050)
    with pytest.raises(ValueError):
        TimeWindow(time(17), time(9))


def test_weekly_hours_need_sorted_disjoint_windows_for_seven_days() -> None:
    hours = WeeklyHours.from_mapping({0: ["14:00-18:00", "08:00-12:00"]})
    assert [w.start for w in hours.windows_on(0)] == [time(8), time(14)]
    assert hours.windows_on(6) == ()
    with pytest.raises(ValueError):
        WeeklyHours.from_mapping({0: ["08:00-12:00", "11:00-13:00"]})
    with pytest.raises(ValueError):
        WeeklyHours.from_mapping({7: ["08:00-12:00"]})


def test_clinic_needs_a_real_iana_zone_and_a_grid_dividing_the_day() -> None:
    with pytest.raises(ValueError):
        Clinic("Mars/Olympus_Mons", WeeklyHours.every(range(5), "09:00-17:00"))
    with pytest.raises(ValueError):
        Clinic("Europe/London", WeeklyHours.every(range(5), "09:00-17:00"), slot_minutes=7)


def test_interval_window_is_ordered_and_at_least_a_day() -> None:
    assert IntervalWindow(14, 28, 42).allows(42)
    with pytest.raises(ValueError):
        IntervalWindow(28, 14, 42)
    with pytest.raises(ValueError):
        IntervalWindow(0, 0, 7)


def test_series_request_checks_its_own_consistency() -> None:
    with pytest.raises(ValueError):
        make_request(sessions=0)
    with pytest.raises(ValueError):
        make_request(latest_start=date(2025, 1, 1))
    with pytest.raises(ValueError):
        make_request(needling_device=DeviceKind.CENTRIFUGE)
    with pytest.raises(ValueError):  # the spin must fit inside the visit
        make_request(needs_centrifuge=True, visit_minutes=30)


def test_prp_request_holds_the_centrifuge_only_for_the_spin() -> None:
    needs = make_request(needs_centrifuge=True).device_needs()
    assert [(n.kind, n.offset_minutes, n.minutes) for n in needs] == [
        (DeviceKind.PEN, 0, None),
        (DeviceKind.CENTRIFUGE, 25, 15),
    ]


def test_datetimes_must_be_timezone_aware() -> None:
    naive = datetime(2025, 3, 3, 9)
    with pytest.raises(ValueError):
        TimeRange(naive, naive.replace(hour=10))
    with pytest.raises(ValueError):
        BookedSession(1, naive, naive.replace(hour=10), "p", "r")


def test_preferences_default_to_liking_everything() -> None:
    anything = PatientPreferences()
    assert anything.likes_weekday(6)
    assert anything.likes_minute(3)
    picky = PatientPreferences(
        weekdays=frozenset({1}), time_windows=(TimeWindow.parse("16:00-19:00"),)
    )
    assert not picky.likes_weekday(0)
    assert picky.likes_minute(17 * 60)
    with pytest.raises(ValueError):
        PatientPreferences(weekdays=frozenset({7}))
