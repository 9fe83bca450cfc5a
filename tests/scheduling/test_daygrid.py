"""The day view's shading, pure: open, outside working hours, away, closed."""

from __future__ import annotations

import datetime

from scheduling_support import MONDAY, at, make_clinic, make_provider, make_state

from cit.scheduling.daygrid import Availability, availability
from cit.scheduling.types import TimeRange


def test_availability_is_pure_and_follows_the_rules() -> None:
    state = make_state(
        clinic=make_clinic(closed=[MONDAY + datetime.timedelta(days=1)]),
        providers=[make_provider("p", hours="10:00-12:00")],
    )
    minutes = [9 * 60, 10 * 60, 11 * 60 + 55, 12 * 60]
    assert availability(state, MONDAY, minutes, provider_id="p") == [
        Availability.OFF,
        Availability.OPEN,
        Availability.OPEN,
        Availability.OFF,
    ]
    assert availability(state, MONDAY, minutes) == [Availability.OPEN] * 4
    closed = availability(state, MONDAY + datetime.timedelta(days=1), minutes, provider_id="p")
    assert closed == [Availability.CLOSED] * 4


def test_an_absence_is_away() -> None:
    away = TimeRange(at(MONDAY, "10:30"), at(MONDAY, "11:00"))
    state = make_state(providers=[make_provider("p", absences=[away])])
    minutes = [10 * 60 + 25, 10 * 60 + 30, 10 * 60 + 55, 11 * 60]
    assert availability(state, MONDAY, minutes, provider_id="p") == [
        Availability.OPEN,
        Availability.AWAY,
        Availability.AWAY,
        Availability.OPEN,
    ]


def test_an_absence_over_several_days_shades_each_day_it_covers() -> None:
    tuesday = MONDAY + datetime.timedelta(days=1)
    wednesday = MONDAY + datetime.timedelta(days=2)
    earlier = TimeRange(at(MONDAY - datetime.timedelta(days=7), "09:00"), at(MONDAY, "08:00"))
    away = TimeRange(at(MONDAY - datetime.timedelta(days=1), "18:00"), at(wednesday, "09:00"))
    state = make_state(providers=[make_provider("p", absences=[earlier, away])])
    minutes = [8 * 60, 8 * 60 + 55, 9 * 60, 17 * 60 + 55]
    assert availability(state, MONDAY, minutes, provider_id="p") == [Availability.AWAY] * 4
    assert availability(state, tuesday, minutes, provider_id="p") == [Availability.AWAY] * 4
    assert availability(state, wednesday, minutes, provider_id="p") == [
        Availability.AWAY,
        Availability.AWAY,
        Availability.OPEN,
        Availability.OPEN,
    ]
