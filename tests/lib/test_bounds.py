"""The ranges inputs are held to, worked by hand (cit.lib.bounds)."""

from __future__ import annotations

import datetime

import pytest

from cit.lib import bounds

TODAY = datetime.date(2026, 11, 26)


def test_the_window_is_1900_to_ten_years_ahead() -> None:
    assert bounds.latest_date(TODAY) == datetime.date(2036, 11, 26)
    assert bounds.check_date(datetime.date(1900, 1, 1), TODAY) == datetime.date(1900, 1, 1)
    assert bounds.check_date(datetime.date(2036, 11, 26), TODAY) == datetime.date(2036, 11, 26)
    with pytest.raises(bounds.OutOfBounds, match="on or after 1900-01-01"):
        bounds.check_date(datetime.date(1899, 12, 31), TODAY)
    with pytest.raises(bounds.OutOfBounds, match="on or before 2036-11-26"):
        bounds.check_date(datetime.date(2036, 11, 27), TODAY)
    for absurd in (datetime.date.min, datetime.date.max):
        with pytest.raises(bounds.OutOfBounds):
            bounds.check_date(absurd, TODAY)


def test_29_february_ten_years_on_is_the_28th() -> None:
    assert bounds.latest_date(datetime.date(2028, 2, 29)) == datetime.date(2038, 2, 28)


def test_a_birth_date_is_not_after_today() -> None:
    assert bounds.check_birth_date(TODAY, TODAY) == TODAY
    with pytest.raises(bounds.OutOfBounds, match="not in the future"):
        bounds.check_birth_date(TODAY + datetime.timedelta(days=1), TODAY)
    with pytest.raises(bounds.OutOfBounds):
        bounds.check_birth_date(datetime.date(1899, 12, 31), TODAY)


def test_moments_at_the_ends_of_the_calendar_are_refused() -> None:
    utc = datetime.UTC
    assert bounds.check_datetime(datetime.datetime(2027, 1, 1, 9, tzinfo=utc), TODAY)
    for absurd in (datetime.datetime.min, datetime.datetime.max):
        with pytest.raises(bounds.OutOfBounds):
            bounds.check_datetime(absurd.replace(tzinfo=utc), TODAY)


def test_offsets_and_ids() -> None:
    assert bounds.check_offset(0) == 0
    assert bounds.check_offset(bounds.MAX_OFFSET) == bounds.MAX_OFFSET
    for bad in (-1, bounds.MAX_OFFSET + 1, 2**70):
        with pytest.raises(bounds.OutOfBounds, match="offset"):
            bounds.check_offset(bad)
    assert bounds.check_id(2**63 - 1) == 2**63 - 1
    for bad in (0, -1, 2**63):
        with pytest.raises(bounds.OutOfBounds):
            bounds.check_id(bad)


def test_query_dates_are_read_or_refused() -> None:
    assert bounds.parse_day(None, TODAY) is None
    assert bounds.parse_day("", TODAY) is None
    assert bounds.parse_day("2027-03-01", TODAY) == datetime.date(2027, 3, 1)
    with pytest.raises(bounds.OutOfBounds, match="is not a date"):
        bounds.parse_day("soon", TODAY)
    with pytest.raises(bounds.OutOfBounds, match="years ahead"):
        bounds.parse_day("9999-12-31", TODAY)
