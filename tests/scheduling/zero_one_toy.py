"""A tiny re-plan 0-1 model (two series of two sessions competing for one room) and its
optimum by brute force: the oracle for the Lagrangian bound and the neighbourhood search."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

from cit.scheduling.lagrangian import SeriesPaths


def two_session_series(first: int) -> SeriesPaths:
    """Variables first..first+8: session 1 on day 0 or 1 (two candidates on day 0), unplaced;
    session 2 on day 7 or 8, unplaced; arcs 0->7, 0->8, 1->8 (a 7-8 day window)."""
    v = list(range(first, first + 10))
    return SeriesPaths(
        candidates=[[(v[0], 0), (v[1], 0), (v[2], 1)], [(v[4], 7), (v[5], 8)]],
        unplaced=[v[3], v[6]],
        arcs=[{(0, 7): v[7], (0, 8): v[8], (1, 8): v[9]}],
    )


SERIES = [two_session_series(0), two_session_series(10)]
# Both series want day 0 and day 8 of the same room.
CLIQUES = [[0, 10], [1, 11], [5, 15], [4, 14, 15]]


def plans(series: SeriesPaths) -> Iterator[set[int]]:
    """Every integer solution of one series' rows: the variables set to 1."""
    (first, second), (gone_first, gone_second), (arcs,) = (
        series.candidates,
        series.unplaced,
        series.arcs,
    )
    yield {gone_first, gone_second}
    for var, day in first:
        yield {var, gone_second}
        for next_var, next_day in second:
            if (day, next_day) in arcs:
                yield {var, next_var, arcs[day, next_day]}


def respects(used: set[int], cliques: Sequence[Sequence[int]]) -> bool:
    return all(sum(v in used for v in clique) <= 1 for clique in cliques)


def optimum(costs: list[int], cliques: list[list[int]]) -> int:
    best = math.inf
    for chosen in itertools.product(*(list(plans(s)) for s in SERIES)):
        used = set().union(*chosen)
        if respects(used, cliques):
            best = min(best, sum(costs[v] for v in used))
    assert best < math.inf  # everything unplaced is always a plan
    return int(best)
