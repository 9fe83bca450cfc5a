"""Holds given as plain numbers (as the database returns them) mean exactly what the same
holds as BusyInterval objects mean: same index, same intervals when iterated."""

from __future__ import annotations

from datetime import timedelta

from scheduling_support import MONDAY, at, hold, make_provider, make_request, make_state

from cit.scheduling import EpochBusy, ResourceKind, TimeRange, find_series
from cit.scheduling.localtime import to_epoch
from cit.scheduling.occupancy import Occupancy


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


def test_a_shared_index_plus_own_holds_answers_like_indexing_everything() -> None:
    """A clinic's cached index (other resources' holds) plus this patient's own holds and the
    providers' absences, forked per request, gives the same proposals as one full index."""
    shared_rows = [
        ("provider:lic-a", to_epoch(at(MONDAY, "08:00")), to_epoch(at(MONDAY, "12:00")), "7"),
        ("room:room-1", to_epoch(at(MONDAY, "13:00")), to_epoch(at(MONDAY, "14:00")), "8"),
    ]
    own = [("patient:patient-1", to_epoch(at(MONDAY, "14:00")), to_epoch(at(MONDAY, "16:00")), "9")]
    away = TimeRange(at(MONDAY, "16:00"), at(MONDAY, "18:00"))
    providers = [make_provider("lic-a", absences=[away])]
    whole = make_state(providers=providers, busy=EpochBusy(shared_rows + own))
    shared = Occupancy.from_holds(shared_rows).freeze()
    forked = make_state(providers=providers, busy=EpochBusy(shared_rows + own)).on_shared_index(
        shared, own
    )
    request = make_request(latest_start=MONDAY + timedelta(days=1), sessions=1)
    found = find_series(request, forked)
    assert found.found
    assert found.proposals == find_series(request, whole).proposals
    patient_start = to_epoch(at(MONDAY, "15:00"))
    assert not forked.occupancy().is_free("patient:patient-1", patient_start, patient_start + 60)
    absent_from = to_epoch(at(MONDAY, "17:00"))
    assert not forked.occupancy().is_free("provider:lic-a", absent_from, absent_from + 60)
    # The shared index itself is untouched: the next request forks it clean.
    assert shared.is_free("patient:patient-1", patient_start, patient_start + 60)
    assert shared.is_free("provider:lic-a", absent_from, absent_from + 60)
