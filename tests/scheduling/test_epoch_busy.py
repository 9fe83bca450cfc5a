"""Holds given as plain numbers (as the database returns them) mean exactly what the same
holds as BusyInterval objects mean: same index, same intervals when iterated."""

from __future__ import annotations

from scheduling_support import MONDAY, at, hold, make_request, make_state

from cit.scheduling import EpochBusy, ResourceKind, find_series
from cit.scheduling.localtime import to_epoch


def test_numbers_and_objects_give_the_same_index_and_intervals() -> None:
    objects = [
        hold(ResourceKind.PROVIDER, "lic-a", at(MONDAY, "09:00"), at(MONDAY, "10:30"), "7"),
        hold(ResourceKind.ROOM, "room-1", at(MONDAY, "11:00"), at(MONDAY, "12:00"), "8"),
    ]
    numbers = EpochBusy(
        (b.resource.key, to_epoch(b.start), to_epoch(b.end), b.appointment_id) for b in objects
    )
    assert numbers.rows[0] == (
        "provider:lic-a",
        to_epoch(at(MONDAY, "09:00")),
        to_epoch(at(MONDAY, "10:30")),
        "7",
    )
    assert list(numbers) == objects
    assert numbers == objects
    assert len(numbers) == 2
    from_numbers, from_objects = make_state(busy=numbers), make_state(busy=objects)
    request = make_request(latest_start=MONDAY)
    assert find_series(request, from_numbers).best == find_series(request, from_objects).best
    # Releasing appointment 7 frees 09:00 for the provider in both.
    released = from_numbers.with_changes(release=["7"])
    assert released.busy == (objects[1],)
    key, start = "provider:lic-a", to_epoch(at(MONDAY, "09:00"))
    assert not from_numbers.occupancy().is_free(key, start, start + 60)
    assert released.occupancy().is_free(key, start, start + 60)
