"""The Lagrangian bound of the re-plan's 0-1 model: never above a plan, whatever the multipliers,
checked against every plan of small models enumerated by brute force."""

from __future__ import annotations

import time

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from zero_one_toy import CLIQUES, SERIES, optimum

from cit.scheduling.lagrangian import CliqueRelaxation

costs_strategy = st.lists(st.integers(0, 60), min_size=20, max_size=20)


@given(costs_strategy, st.lists(st.floats(0, 200), min_size=4, max_size=4))
def test_any_multipliers_give_at_most_the_optimum(costs: list[int], lam: list[float]) -> None:
    relaxation = CliqueRelaxation(costs, SERIES, CLIQUES)
    value, _use = relaxation.evaluate(np.asarray(lam))
    assert value <= optimum(costs, CLIQUES) + 1e-9


@given(costs_strategy)
def test_without_multipliers_each_series_takes_its_cheapest_plan(costs: list[int]) -> None:
    """L(0) is the optimum with the cliques dropped: the path structure is exactly the rows."""
    relaxation = CliqueRelaxation(costs, SERIES, CLIQUES)
    value, _use = relaxation.evaluate(np.zeros(len(CLIQUES)))
    assert value == optimum(costs, [])


@given(costs_strategy)
def test_the_ascent_stays_below_the_optimum(costs: list[int]) -> None:
    best = optimum(costs, CLIQUES)
    relaxation = CliqueRelaxation(costs, SERIES, CLIQUES)
    outcome = relaxation.ascend(upper_bound=best + 100, deadline=time.perf_counter() + 5)
    assert outcome.bound is not None
    assert outcome.bound <= best
    assert outcome.bound >= relaxation.evaluate(np.zeros(len(CLIQUES)))[0] - 1e-9


def test_the_ascent_closes_a_gap_the_cliques_open() -> None:
    """Both series' cheapest plan is day 0's first candidate then day 8 (cost 0); every other
    placement costs 10, unplaced 100. The cliques let only one series have it: the other takes
    day 0's second candidate and day 7 (10 + 10), so the optimum is 20. L(0) = 0 (the cliques
    ignored); the ascent must climb to 20."""
    costs = [10] * 20
    for series in (0, 10):
        costs[series + 0] = 0  # day 0, first candidate
        costs[series + 5] = 0  # day 8
        costs[series + 3] = costs[series + 6] = 100  # unplaced
        costs[series + 7] = costs[series + 8] = costs[series + 9] = 0  # arcs
    best = optimum(costs, CLIQUES)
    assert best == 20
    relaxation = CliqueRelaxation(costs, SERIES, CLIQUES)
    outcome = relaxation.ascend(upper_bound=1000, deadline=time.perf_counter() + 5)
    assert outcome.bound == 20


def test_a_clique_on_an_arc_is_refused() -> None:
    try:
        CliqueRelaxation([0] * 20, SERIES, [[7, 17]])
    except ValueError:
        return
    raise AssertionError("a clique over arc variables was accepted")
