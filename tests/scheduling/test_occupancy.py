"""The per-resource busy index: bisection answers, merging, releasing, copy-on-write."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# -- any sequence of adds, releases and forks answers like the holds left ----------------------

HOLD = st.tuples(
    st.sampled_from(["provider:a", "room:1"]),
    st.integers(0, 60),
    st.integers(0, 12),
    st.sampled_from(["t1", "t2", "t3", "t4", None]),
).map(lambda h: (h[0], h[1], h[1] + h[2], h[3]))
STEP = st.one_of(
    st.tuples(st.just("add"), HOLD),
    st.tuples(st.just("release"), st.sets(st.sampled_from(["t1", "t2", "t3", "t4", "t5"]))),
    st.tuples(st.just("fork"), st.none()),
)


def _busy(holds: list[tuple[str, int, int, str | None]], key: str, minute: int) -> bool:
    return any(k == key and start <= minute < end for k, start, end, _ in holds)


@settings(max_examples=300, deadline=None)
@given(st.lists(HOLD, max_size=12), st.lists(STEP, max_size=12))
def test_the_index_answers_like_the_holds_left(
    initial: list[tuple[str, int, int, str | None]], steps: list[tuple[str, object]]
) -> None:
    shared = Occupancy.from_holds(initial).freeze()
    before = [
        (key, shared.is_free(key, m, m + 1)) for key in ("provider:a", "room:1") for m in range(80)
    ]
    index, left = shared.copy(), list(initial)
    for kind, value in steps:
        if kind == "add":
            assert isinstance(value, tuple)
            index.add(*value)
            left.append(value)
        elif kind == "release":
            assert isinstance(value, set)
            index.release(value)
            left = [h for h in left if h[3] not in value]
        else:
            index.freeze()
            index = index.copy()
    for key in ("provider:a", "room:1"):
        for minute in range(80):
            assert index.is_free(key, minute, minute + 1) == (not _busy(left, key, minute))
        gaps = index.free_gaps(key, 0, 80)
        assert all(not _busy(left, key, m) for start, end in gaps for m in range(start, end))
        assert sum(end - start for start, end in gaps) == sum(
            not _busy(left, key, m) for m in range(80)
        )
    assert sorted(index.holds(), key=repr) == sorted(left, key=repr)
    # The shared index it started from answers as before.
    assert before == [
        (key, shared.is_free(key, m, m + 1)) for key in ("provider:a", "room:1") for m in range(80)
    ]
