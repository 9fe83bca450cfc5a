"""Busy time per resource, indexed for O(log n) "is it free?" questions.

Each resource keeps its holds merged into sorted, disjoint runs [start, end) in epoch seconds, so
a query is two bisections however many appointments the clinic has. The raw holds are kept too,
tagged with their appointment id, so a re-plan can release the holds of the sessions it moves.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import ChainMap, defaultdict
from collections.abc import Collection, Iterable, Iterator, MutableMapping, Set
from operator import itemgetter

from cit.scheduling.types import ResourceKind

Hold = tuple[int, int, str | None]
_START_END = itemgetter(0, 1)


def resource_key(kind: ResourceKind, resource_id: str) -> str:
    return f"{kind.value}:{resource_id}"


class FrozenOccupancyError(RuntimeError):
    """Raised on writes to the shared index of a ClinicState; write to ``copy()`` instead."""


class Occupancy:
    """Per-resource busy runs. Copies are copy-on-write, so a re-plan can fork the clinic's
    index for the price of the resources it actually touches."""

    __slots__ = ("_holds", "_starts", "_ends", "_owned", "_tag_keys", "_tags_owned", "_frozen")

    def __init__(self) -> None:
        self._holds: dict[str, list[Hold]] = {}
        self._starts: dict[str, list[int]] = {}
        self._ends: dict[str, list[int]] = {}
        self._owned: set[str] = set()
        # Which resources each appointment holds. The sets are never changed in place (copies
        # share them); the dict is shared by copies too until one of them writes a tag.
        self._tag_keys: MutableMapping[str, Set[str]] = {}
        self._tags_owned = True
        self._frozen = False

    @classmethod
    def from_holds(cls, holds: Iterable[tuple[str, int, int, str | None]]) -> Occupancy:
        index = cls()
        # Runs once per hold of a clinic's whole book when a worker loads it: no per-row
        # allocation that defaultdict spares.
        by_key: defaultdict[str, list[Hold]] = defaultdict(list)
        by_tag: defaultdict[str, set[str]] = defaultdict(set)
        for key, start, end, tag in holds:
            by_key[key].append((start, end, tag))
            if tag is not None:
                by_tag[tag].add(key)
        index._holds = {key: sorted(holds, key=_START_END) for key, holds in by_key.items()}
        index._tag_keys = dict(by_tag)
        for key in index._holds:
            index._rebuild(key)
        index._owned = set(index._holds)
        return index

    def freeze(self) -> Occupancy:
        self._frozen = True
        return self

    def copy(self) -> Occupancy:
        """A writable fork; lists are shared until either side writes."""
        clone = Occupancy()
        clone._holds = dict(self._holds)
        clone._starts = dict(self._starts)
        clone._ends = dict(self._ends)
        # A clinic's index has one tag per appointment: sharing the dict spares a copy of
        # tens of thousands of entries per fork, most of which never write a tag.
        clone._tag_keys = self._tag_keys
        clone._tags_owned = False
        # Neither side may now write a shared list or the shared tags in place.
        self._owned = set()
        self._tags_owned = False
        return clone

    # -- queries ---------------------------------------------------------------------------

    def is_free(self, key: str, start: int, end: int) -> bool:
        starts = self._starts.get(key)
        if not starts:
            return True
        ends = self._ends[key]
        # The run starting at or before `start` must have ended; the next must start after `end`.
        i = bisect_right(starts, start) - 1
        if i >= 0 and ends[i] > start:
            return False
        return i + 1 >= len(starts) or starts[i + 1] >= end

    def free_gaps(self, key: str, start: int, end: int) -> list[tuple[int, int]]:
        """The free stretches of ``key`` within [start, end), in order."""
        starts = self._starts.get(key)
        if not starts:
            return [(start, end)]
        ends = self._ends[key]
        gaps: list[tuple[int, int]] = []
        i = max(0, bisect_right(starts, start) - 1)
        cursor = start
        while i < len(starts) and starts[i] < end:
            if starts[i] > cursor:
                gaps.append((cursor, starts[i]))
            cursor = max(cursor, ends[i])
            i += 1
        if cursor < end:
            gaps.append((cursor, end))
        return gaps

    def holds(self) -> Iterator[tuple[str, int, int, str | None]]:
        """Every hold added (not merged), as (resource key, start, end, tag)."""
        for key, holds in self._holds.items():
            for start, end, tag in holds:
                yield key, start, end, tag

    # -- writes ----------------------------------------------------------------------------

    def add(self, key: str, start: int, end: int, tag: str | None = None) -> None:
        """Hold [start, end) on ``key`` (it may overlap existing holds, e.g. a new absence)."""
        self._check_writable()
        self._own(key)
        holds = self._holds.setdefault(key, [])
        insort(holds, (start, end, tag), key=_START_END)
        if tag is not None:
            self._write_tags()
            self._tag_keys[tag] = self._tag_keys.get(tag, frozenset()) | {key}
        starts = self._starts.setdefault(key, [])
        ends = self._ends.setdefault(key, [])
        # Runs are disjoint and sorted, so ends are sorted too: merge every run that touches.
        lo = bisect_left(ends, start)
        hi = bisect_right(starts, end)
        if lo < hi:
            start = min(start, starts[lo])
            end = max(end, ends[hi - 1])
        starts[lo:hi] = [start]
        ends[lo:hi] = [end]

    def release(self, tags: Collection[str]) -> None:
        """Drop every hold tagged with one of ``tags`` (the appointments being moved)."""
        self._check_writable()
        wanted = set(tags)
        touched: set[str] = set()
        for tag in wanted:
            keys = self._tag_keys.get(tag)
            if not keys:
                continue
            touched.update(keys)
            if self._tags_owned and not isinstance(self._tag_keys, ChainMap):
                del self._tag_keys[tag]
            else:
                # Shadowed by an empty set in this index's own layer, not deleted: deleting
                # would need a copy of the tags it shares.
                self._write_tags()
                self._tag_keys[tag] = frozenset()
        for key in touched:
            self._own(key)
            self._release_on(key, wanted)

    def _release_on(self, key: str, wanted: Set[str]) -> None:
        """Drop ``key``'s holds tagged ``wanted`` and work out again only the runs they were
        in: a run's holds all start within it, so they are one slice of the sorted holds."""
        holds, starts, ends = self._holds[key], self._starts[key], self._ends[key]
        released = [h for h in holds if h[2] in wanted]
        runs = sorted({bisect_right(starts, start) - 1 for start, _end, _tag in released})
        for run in reversed(runs):  # from the last, so earlier runs keep their positions
            first = bisect_left(holds, starts[run], key=_START)
            last = bisect_right(holds, ends[run], key=_START)
            kept = [h for h in holds[first:last] if h[2] not in wanted]
            holds[first:last] = kept
            new_starts, new_ends = _runs(kept)
            starts[run : run + 1] = new_starts
            ends[run : run + 1] = new_ends

    # -- internals -------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self._frozen:
            raise FrozenOccupancyError("this index is shared by a ClinicState; use copy()")

    def _own(self, key: str) -> None:
        if key in self._owned:
            return
        self._holds[key] = list(self._holds.get(key, ()))
        self._starts[key] = list(self._starts.get(key, ()))
        self._ends[key] = list(self._ends.get(key, ()))
        self._owned.add(key)

    def _write_tags(self) -> None:
        """Before a tag is added: new tags go to a layer of this index's own over the shared
        ones (a fork adds a patient's few holds, not a copy of the clinic's tags)."""
        if not self._tags_owned:
            shared = self._tag_keys
            layers: list[MutableMapping[str, Set[str]]] = (
                shared.maps if isinstance(shared, ChainMap) else [shared]
            )
            if len(layers) >= MAX_TAG_LAYERS:
                # A fork of a fork of ... (an index refreshed after each booking): one copy now
                # and then keeps every lookup a few dict probes, and drops released tags.
                layers = [_merged(layers)]
            self._tag_keys = ChainMap({}, *layers)
            self._tags_owned = True

    def _rebuild(self, key: str) -> None:
        self._starts[key], self._ends[key] = _runs(self._holds[key])


MAX_TAG_LAYERS = 8


def _merged(layers: list[MutableMapping[str, Set[str]]]) -> dict[str, Set[str]]:
    """The layers (first wins) as one dict, without the tags released (empty sets). The last
    layer holds the clinic's tags, the others a refresh's few: it is copied whole (in C), the
    others walked in Python."""
    merged = dict(layers[-1])
    for layer in reversed(layers[:-1]):
        for tag, keys in layer.items():
            if keys:
                merged[tag] = keys
            else:
                merged.pop(tag, None)
    return merged


"""How many layers of tags a fork may stack over its ancestors' before it merges them."""

_START = itemgetter(0)


def _runs(holds: Iterable[Hold]) -> tuple[list[int], list[int]]:
    """The merged, disjoint runs of ``holds`` (sorted by start): their starts and ends."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end, _tag in holds:
        if starts and start <= ends[-1]:
            if end > ends[-1]:
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends
