"""The neighbourhood search of the re-plan's 0-1 model: its plans are always plans of the
model, never worse than the one it starts from, and on a model small enough for one
neighbourhood to hold every series, optimal as soon as it has a broken series to mend."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st
from zero_one_toy import CLIQUES, SERIES, optimum, plans, respects

from cit.scheduling.neighbourhood import NeighbourhoodSearch, SearchBudget

# Unplaced sessions cost more than any placement, as in the re-plan's weights.
costs_strategy = st.lists(st.integers(0, 60), min_size=20, max_size=20).map(
    lambda costs: [c + 100 if v % 10 in (3, 6) else c for v, c in enumerate(costs)]
)


def cost_of(costs: list[int], used: set[int]) -> int:
    return sum(costs[v] for v in used)


def as_values(used: set[int]) -> list[int]:
    return [1 if v in used else 0 for v in range(20)]


def greedy_start(costs: list[int]) -> set[int]:
    """Series one takes its cheapest plan, series two its cheapest plan that still fits."""
    first = min(plans(SERIES[0]), key=lambda p: (cost_of(costs, p), sorted(p)))
    second = min(
        (p for p in plans(SERIES[1]) if respects(first | p, CLIQUES)),
        key=lambda p: (cost_of(costs, p), sorted(p)),
    )
    return first | second


def is_a_plan(used: set[int]) -> bool:
    return any(
        used == set().union(*chosen) and respects(used, CLIQUES)
        for chosen in itertools.product(*(list(plans(s)) for s in SERIES))
    )


def broken(used: set[int]) -> bool:
    return any(series.unplaced[-1] in used for series in SERIES)


@given(costs_strategy)
def test_the_search_keeps_a_plan_never_worse_and_mends_a_broken_series_optimally(
    costs: list[int],
) -> None:
    start = greedy_start(costs)
    outcome = NeighbourhoodSearch(costs, SERIES, CLIQUES).improve(as_values(start))
    used = {v for v, value in enumerate(outcome.values) if value}
    assert is_a_plan(used)
    assert outcome.objective == cost_of(costs, used)
    assert outcome.start_objective == cost_of(costs, start)
    assert optimum(costs, CLIQUES) <= outcome.objective <= outcome.start_objective
    assert outcome.complete
    if broken(start):
        assert outcome.objective == optimum(costs, CLIQUES)


@given(costs_strategy, st.lists(st.booleans(), min_size=20, max_size=20))
def test_a_start_that_is_not_a_path_is_cut_to_its_longest_valid_prefix(
    costs: list[int], ones: list[bool]
) -> None:
    """Whatever the 0-1 values say, the search starts from a plan of the model (unless two
    series hold one resource) and returns one."""
    values = [int(one) for one in ones]
    for clique in CLIQUES:  # no resource held twice
        for v in clique[1:]:
            values[v] = 0
    outcome = NeighbourhoodSearch(costs, SERIES, CLIQUES).improve(values)
    used = {v for v, value in enumerate(outcome.values) if value}
    assert is_a_plan(used)
    assert outcome.objective <= outcome.start_objective


def test_the_series_holding_the_room_is_moved_to_keep_the_other_whole() -> None:
    """Both series' cheapest plan is day 0's first candidate then day 8 (cost 0); every other
    placement costs 10, unplaced 100. Series one holds both; series two finds nothing that
    fits and is unplaced (200). Freed together, one takes day 0 and day 8, the other day 0's
    second candidate and day 7: 20, the optimum."""
    costs = [10] * 20
    for series in (0, 10):
        costs[series + 0] = costs[series + 5] = 0
        costs[series + 3] = costs[series + 6] = 100
        costs[series + 7] = costs[series + 8] = costs[series + 9] = 0
    start = {0, 5, 8, 13, 16}
    assert is_a_plan(start) and cost_of(costs, start) == 200
    outcome = NeighbourhoodSearch(costs, SERIES, CLIQUES).improve(as_values(start))
    assert outcome.objective == optimum(costs, CLIQUES) == 20
    assert outcome.improving_steps == 1
    # Without a budget, the start stands.
    idle = NeighbourhoodSearch(costs, SERIES, CLIQUES).improve(
        as_values(start), budget=SearchBudget(neighbourhood_sizes=())
    )
    assert idle.objective == 200 and idle.steps == 0


def test_two_resources_held_at_once_are_refused() -> None:
    values = as_values({0, 13, 10, 16})  # both series on day 0's first candidate
    try:
        NeighbourhoodSearch([0] * 20, SERIES, CLIQUES).improve(values)
    except ValueError:
        return
    raise AssertionError("a start holding one resource twice was accepted")
