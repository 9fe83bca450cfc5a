"""ClinicState: one index per snapshot, and cheap derived snapshots that agree with a rebuild."""

from __future__ import annotations

from datetime import timedelta

import pytest
from scheduling_support import MONDAY, at, hold, make_provider, make_state

from cit.scheduling import ClinicState, ResourceKind, TimeRange
from cit.scheduling.localtime import to_epoch
from cit.scheduling.occupancy import FrozenOccupancyError

KEY = "provider:lic-a"


def free(state: ClinicState, start_hhmm: str, end_hhmm: str, day_offset: int = 0) -> bool:
    day = MONDAY + timedelta(days=day_offset)
    return state.occupancy().is_free(
        KEY, to_epoch(at(day, start_hhmm)), to_epoch(at(day, end_hhmm))
    )


def test_the_index_covers_bookings_and_absences_and_is_read_only() -> None:
    away = TimeRange(at(MONDAY, "12:00"), at(MONDAY, "13:00"))
    state = make_state(
        providers=[make_provider("lic-a", absences=[away])],
        busy=[hold(ResourceKind.PROVIDER, "lic-a", at(MONDAY, "09:00"), at(MONDAY, "10:00"), "x")],
    )
    assert not free(state, "09:30", "09:45")
    assert not free(state, "12:30", "12:45")
    assert free(state, "10:00", "12:00")
    assert state.occupancy() is state.occupancy()
    with pytest.raises(FrozenOccupancyError):
        state.occupancy().release(["x"])


def test_derived_snapshots_match_a_fresh_index() -> None:
    booked = hold(ResourceKind.PROVIDER, "lic-a", at(MONDAY, "09:00"), at(MONDAY, "10:00"), "x")
    state = make_state(busy=[booked])
    state.occupancy()  # built, so the derived snapshots reuse it
    added = hold(ResourceKind.PROVIDER, "lic-a", at(MONDAY, "14:00"), at(MONDAY, "15:00"), "y")
    derived = state.with_changes(add=[added], release=["x"])
    fresh = make_state(busy=[added])
    for window in [("09:00", "10:00"), ("14:30", "14:45"), ("13:00", "14:00")]:
        assert free(derived, *window) == free(fresh, *window), window
    assert derived.busy == (added,)
    assert not free(state, "09:00", "10:00")  # the original snapshot is untouched

    away = TimeRange(at(MONDAY, "16:00"), at(MONDAY, "17:00"))
    absent = derived.with_absence("lic-a", away)
    assert not free(absent, "16:15", "16:30")
    assert free(derived, "16:15", "16:30")
    assert absent.provider("lic-a").absences == (away,)


def test_ids_must_be_unique_and_lookups_say_what_is_missing() -> None:
    with pytest.raises(ValueError):
        make_state(providers=[make_provider("lic-a"), make_provider("lic-a")])
    with pytest.raises(KeyError, match="nobody"):
        make_state().provider("nobody")
