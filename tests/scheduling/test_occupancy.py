"""The per-resource busy index: bisection answers, merging, releasing, copy-on-write."""

from __future__ import annotations

import pytest

from cit.scheduling.occupancy import FrozenOccupancyError, Occupancy


def index(*holds: tuple[int, int, str | None]) -> Occupancy:
    return Occupancy.from_holds(("provider:a", s, e, tag) for s, e, tag in holds)


def test_free_means_no_overlap_half_open() -> None:
    occupancy = index((100, 200, "x"), (300, 400, "y"))
    assert occupancy.is_free("provider:a", 200, 300)  # touching is fine
    assert occupancy.is_free("provider:a", 0, 100)
    assert not occupancy.is_free("provider:a", 150, 160)
    assert not occupancy.is_free("provider:a", 50, 101)
    assert not occupancy.is_free("provider:a", 399, 500)
    assert not occupancy.is_free("provider:a", 0, 1000)
    assert occupancy.is_free("provider:b", 0, 1000)  # unknown resources are free


def test_overlapping_holds_are_merged_and_added_holds_merge_too() -> None:
    occupancy = index((100, 200, "x"), (150, 300, None)).copy()
    assert not occupancy.is_free("provider:a", 250, 260)
    occupancy.add("provider:a", 500, 600, "z")
    occupancy.add("provider:a", 290, 510, None)  # bridges two runs
    assert not occupancy.is_free("provider:a", 400, 410)
    assert occupancy.free_gaps("provider:a", 0, 700) == [(0, 100), (600, 700)]


def test_release_drops_only_the_named_appointments() -> None:
    occupancy = index((100, 200, "x"), (150, 300, "absence-like"), (400, 500, "y")).copy()
    occupancy.release(["x", "y"])
    assert occupancy.is_free("provider:a", 400, 500)
    assert not occupancy.is_free("provider:a", 160, 170)
    assert occupancy.is_free("provider:a", 100, 150)


def test_copies_do_not_leak_writes_into_each_other() -> None:
    shared = index((100, 200, "x")).freeze()
    with pytest.raises(FrozenOccupancyError):
        shared.add("provider:a", 0, 10)
    fork = shared.copy()
    fork.release(["x"])
    fork.add("provider:a", 500, 600, "new")
    assert not shared.is_free("provider:a", 100, 200)
    assert shared.is_free("provider:a", 500, 600)
    second = fork.copy()
    second.release(["new"])
    assert not fork.is_free("provider:a", 500, 600)
    assert second.is_free("provider:a", 500, 600)


def test_forks_share_the_tags_until_one_releases_and_never_leak_them() -> None:
    """A fork adds tagged holds over the shared tags without copying them; a later fork of
    that fork can still release both the shared and the added appointments."""
    shared = Occupancy.from_holds(
        [("provider:a", 100, 200, "x"), ("room:1", 100, 200, "x"), ("provider:a", 300, 400, "y")]
    ).freeze()
    fork = shared.copy()
    fork.add("patient:p", 500, 600, "own")
    fork.add("room:1", 500, 600, "own")
    grandchild = fork.copy()
    grandchild.add("room:1", 700, 800, "later")
    grandchild.release(["x", "own", "later"])
    for key, start, end in [("provider:a", 100, 200), ("room:1", 100, 200), ("room:1", 500, 600)]:
        assert grandchild.is_free(key, start, end)
    assert grandchild.is_free("patient:p", 500, 600)
    assert grandchild.is_free("room:1", 700, 800)
    assert not grandchild.is_free("provider:a", 300, 400)
    # Neither the fork nor the shared index lost or gained a hold or a tag.
    assert not fork.is_free("room:1", 100, 200) and not fork.is_free("patient:p", 500, 600)
    assert fork.is_free("room:1", 700, 800)
    other = fork.copy()
    other.release(["own"])
    assert other.is_free("room:1", 500, 600) and not other.is_free("room:1", 100, 200)
    sibling = shared.copy()
    sibling.release(["own", "later"])
    assert not sibling.is_free("provider:a", 100, 200)
    sibling.release(["x"])
    assert sibling.is_free("room:1", 100, 200)
    assert not shared.is_free("room:1", 100, 200)
