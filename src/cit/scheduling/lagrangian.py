"""A lower bound for the re-plan's 0-1 model: Lagrangian relaxation of its resource cliques.

Without its "at most one of these" rows (the resource cliques), the model falls apart into one
shortest-path problem per series: the day-level flow encoding makes each series a path through
layers, one layer per variable session, each node a day with its candidates or "unplaced". With
multipliers ``lam[k] >= 0`` on the cliques,

    L(lam) = sum over series of min over its paths p of sum_{j in p} (c_j + sum_{k ni j} lam[k])
             - sum_k lam[k]

is at most the cost of every plan of the model: a plan is one path per series and holds each
clique at most once, so the added ``lam . (use - 1)`` is never positive. L is evaluated exactly
by dynamic programming over the layers (no solver tolerance enters), so it is a valid bound for
whatever multipliers the search has reached, stopped early or not. Each path problem has an
integral LP, so the best L equals the LP relaxation's optimum; a deflected subgradient ascent
with Polyak steps gets within about 1% of it in a few hundred evaluations of a few
milliseconds each, where a simplex solve of the whole LP takes tens of CPU seconds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class SeriesPaths:
    """One series of the 0-1 model as layers of a path (variables are indices into the
    model's costs)."""

    candidates: Sequence[Sequence[tuple[int, int]]]
    """Per variable session: (variable, day index) of each candidate placement."""
    unplaced: Sequence[int]
    """Per variable session: its "unplaced" variable (once unplaced, every later one is)."""
    arcs: Sequence[Mapping[tuple[int, int], int]]
    """Per consecutive pair of sessions: (day of the first, day of the second) -> arc variable,
    for the pairs whose gap lies in the interval window."""


@dataclass(frozen=True, slots=True)
class LagrangianBound:
    bound: float | None
    """The best L(lam) found, rounded up to an integer (every cost is an integer); None when
    not even L(0) was evaluated before the deadline."""
    iterations: int
    seconds: float


DEFLECTION = 0.8
"""Share of the previous direction kept in the next (deflected subgradient): damps the zigzag
of plain subgradient steps; 0.8 reached the LP bound within 1% in the fewest evaluations on the
540-series bench (0.0: 2.5%, 0.5: 1.2% after 500)."""
STEP_PATIENCE = 15
"""Evaluations without a better bound before the Polyak step factor shrinks (by 1.5)."""
SMALLEST_STEP = 1e-3
"""The step factor below which the ascent stops: further steps no longer move the bound."""


class CliqueRelaxation:
    """The per-series path problems of a 0-1 model, laid out for numpy, and the cliques whose
    rows are relaxed. Every variable is in one place: a candidate or "unplaced" variable in one
    node, or an arc between two nodes; clique variables must be candidates."""

    def __init__(
        self,
        costs: Sequence[int],
        series: Sequence[SeriesPaths],
        cliques: Sequence[Sequence[int]],
    ) -> None:
        self.costs = np.asarray(costs, dtype=np.float64)
        free = len(costs)  # an extra variable of cost 0 for the edges that are not arcs
        node_series: list[int] = []
        node_layer: list[int] = []
        member_node: list[int] = []
        member_var: list[int] = []
        edge_from: list[int] = []
        edge_to: list[int] = []
        edge_var: list[int] = []
        terminals: list[int] = []

        def new_node(series_index: int, layer: int, variables: Sequence[int]) -> int:
            node = len(node_series)
            node_series.append(series_index)
            node_layer.append(layer)
            member_node.extend(node for _ in variables)
            member_var.extend(variables)
            return node

        for index, paths in enumerate(series):
            previous: dict[int, int] = {}
            previous_unplaced = -1
            for layer, (options, unplaced) in enumerate(
                zip(paths.candidates, paths.unplaced, strict=True)
            ):
                by_day: dict[int, list[int]] = {}
                for variable, day in options:
                    by_day.setdefault(day, []).append(variable)
                nodes = {day: new_node(index, layer, lits) for day, lits in by_day.items()}
                gone = new_node(index, layer, [unplaced])
                if layer > 0:
                    for (source, target), arc in paths.arcs[layer - 1].items():
                        edge_from.append(previous[source])
                        edge_to.append(nodes[target])
                        edge_var.append(arc)
                    for node in [*previous.values(), previous_unplaced]:
                        edge_from.append(node)
                        edge_to.append(gone)
                        edge_var.append(free)
                previous, previous_unplaced = nodes, gone
            terminals.extend([*previous.values(), previous_unplaced] if paths.candidates else [])

        self.series_count = len(series)
        self.nodes = len(node_series)
        self.node_layer = np.asarray(node_layer, dtype=np.int64)
        members = np.argsort(np.asarray(member_node, dtype=np.int64), kind="stable")
        self.member_node: Ints = np.asarray(member_node, dtype=np.int64)[members]
        self.member_var: Ints = np.asarray(member_var, dtype=np.int64)[members]
        self.node_first_member: Ints = np.searchsorted(self.member_node, np.arange(self.nodes))
        edge_layer = self.node_layer[np.asarray(edge_to, dtype=np.int64)]
        self.first_layer: Ints = np.flatnonzero(self.node_layer == 0)
        self.layers: list[tuple[Ints, Ints, Ints]] = []
        for layer in range(1, int(self.node_layer.max(initial=0)) + 1):
            picked = np.flatnonzero(edge_layer == layer)
            self.layers.append(
                (
                    np.asarray(edge_from, dtype=np.int64)[picked],
                    np.asarray(edge_to, dtype=np.int64)[picked],
                    np.asarray(edge_var, dtype=np.int64)[picked],
                )
            )
        self.terminals = np.asarray(terminals, dtype=np.int64)
        self.terminal_series = np.asarray(node_series, dtype=np.int64)[self.terminals]
        self.clique_count = len(cliques)
        self.clique_of: Ints = np.asarray(
            [k for k, clique in enumerate(cliques) for _ in clique], dtype=np.int64
        )
        self.clique_var: Ints = np.asarray(
            [var for clique in cliques for var in clique], dtype=np.int64
        )
        candidates = {var for paths in series for options in paths.candidates for var, _ in options}
        if not candidates.issuperset(self.clique_var.tolist()):
            raise ValueError("a clique holds a variable that is not a candidate placement")

    def evaluate(self, lam: Floats) -> tuple[float, Floats]:
        """L(lam), and how many variables of each clique the minimising paths use."""
        if self.nodes == 0:
            return 0.0, np.zeros(self.clique_count)
        reduced = self.costs + np.bincount(
            self.clique_var, weights=lam[self.clique_of], minlength=len(self.costs)
        )
        extended = np.append(reduced, 0.0)
        member_cost = reduced[self.member_var]
        node_cost = np.minimum.reduceat(member_cost, self.node_first_member)
        value = np.full(self.nodes, np.inf)
        value[self.first_layer] = node_cost[self.first_layer]
        came_from = np.full(self.nodes, -1, dtype=np.int64)
        for sources, targets, variables in self.layers:
            through = value[sources] + extended[variables]
            order = np.lexsort((through, targets))
            ordered = targets[order]
            first = np.r_[True, ordered[1:] != ordered[:-1]]
            best_edge = order[first]
            reached = targets[best_edge]
            value[reached] = node_cost[reached] + through[best_edge]
            came_from[reached] = sources[best_edge]
        # The cheapest terminal of each series (ties: the first).
        order = np.lexsort((value[self.terminals], self.terminal_series))
        ordered = self.terminal_series[order]
        ends = self.terminals[order[np.r_[True, ordered[1:] != ordered[:-1]]]]
        total = float(value[ends].sum() - lam.sum())
        # Walk the paths back, one layer at a time.
        on_path = [ends]
        current = ends.copy()
        for layer in range(len(self.layers), 0, -1):
            stepping = self.node_layer[current] == layer
            current[stepping] = came_from[current[stepping]]
            on_path.append(current[stepping])
        nodes = np.concatenate(on_path)
        cheapest = np.flatnonzero(member_cost <= node_cost[self.member_node])
        firsts = cheapest[
            np.r_[True, self.member_node[cheapest][1:] != self.member_node[cheapest][:-1]]
        ]
        chosen_member = np.empty(self.nodes, dtype=np.int64)
        chosen_member[self.member_node[firsts]] = self.member_var[firsts]
        used = np.zeros(len(self.costs) + 1)
        used[chosen_member[nodes]] = 1.0
        use = np.bincount(
            self.clique_of, weights=used[self.clique_var], minlength=self.clique_count
        )
        return total, use.astype(np.float64)

    def ascend(
        self, *, upper_bound: float, deadline: float, max_iterations: int = 1000
    ) -> LagrangianBound:
        """Deflected subgradient ascent with Polyak steps towards ``upper_bound`` (a plan's
        cost), until the step no longer moves the bound, ``max_iterations`` or ``deadline``
        (``time.perf_counter``). Stops early when the bound reaches the plan: it is optimal."""
        started = time.perf_counter()
        lam = np.zeros(self.clique_count)
        direction = np.zeros(self.clique_count)
        best = -math.inf
        step = 1.0
        stalled = 0
        iterations = 0
        while iterations < max_iterations and time.perf_counter() < deadline:
            iterations += 1
            value, use = self.evaluate(lam)
            if best == -math.inf or value > best + 1e-9 * max(1.0, abs(best)):
                best, stalled = value, 0
            else:
                stalled += 1
                if stalled >= STEP_PATIENCE:
                    step, stalled = step / 1.5, 0
            if _round_up(best) >= upper_bound or step < SMALLEST_STEP:
                break
            slope = use - 1.0
            slope[(lam <= 0.0) & (slope < 0.0)] = 0.0
            direction = slope + DEFLECTION * direction
            norm = float(direction @ direction)
            if norm == 0.0:
                break  # the relaxed paths already respect every clique: L is the optimum
            lam = np.maximum(0.0, lam + step * (upper_bound - value) / norm * direction)
        return LagrangianBound(
            None if best == -math.inf else _round_up(best),
            iterations,
            time.perf_counter() - started,
        )


def _round_up(value: float) -> float:
    """Integer costs: a plan costs at least the next integer up (less a hair for float sums)."""
    return float(math.ceil(value - 1e-6 * max(1.0, abs(value))))
