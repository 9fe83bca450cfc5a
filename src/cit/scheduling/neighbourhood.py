"""A better plan for the re-plan's 0-1 model without solving it whole: large neighbourhood search.

CP-SAT on the whole model (hundreds of series, tens of thousands of booleans) spends seconds in
presolve before it improves anything, and on a busy host the time limit can end it there. Here
the plan improves by small exact steps instead. Each step frees a few dozen series around one
that is not kept whole (that series, the series holding the resources its cheapest path and
its other candidates need, the series holding theirs, and so on), keeps every other series
where it is, and solves the freed series exactly with CP-SAT: a sub-model of a thousand or two
booleans that presolves in milliseconds. A step is taken only when it lowers the objective, so
the plan never gets worse than the one it started from (the greedy plan), and every plan is one
path per series holding each resource clique at most once: a plan of the model, as feasible as
CP-SAT's own.

The search is deterministic: a fixed budget of passes over the series not kept whole, each step
one CP-SAT solve with one worker, a fixed seed and a deterministic-time limit. The wall-clock
deadline is only a hard cap for an overloaded host (``SearchOutcome.complete`` says whether it
cut the search short).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cit.scheduling.lagrangian import SeriesPaths

Path = list[int | None]
"""One series' plan: per variable session, the chosen candidate variable, or None (unplaced)."""
Layer = tuple[list[tuple[int, list[int]]], int, list[tuple[int, int, int]]]
"""One variable session of a series: its candidates by day, its "unplaced" variable, and the
arcs from the previous session as (day, day, variable)."""


@dataclass(frozen=True, slots=True)
class SearchBudget:
    """How much work the search does, whatever the wall clock says."""

    neighbourhood_sizes: tuple[int, ...] = (50, 50)
    """One pass over the series not kept whole per entry, each step freeing that many series.
    On the 540-series bench one pass of 50 gained the most per CPU second (40 or 60 less, 80
    or 100 more but slower), and a second pass mends what the first opened up (~4 CPU s in
    all)."""
    sub_solve_work: float = 1.0
    """CP-SAT's deterministic-time limit per step (most steps prove optimality well before)."""


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """The plan the search ended with, its objective and the one it started from, and the
    effort."""

    values: list[int] = field(repr=False)
    """The plan as a 0-1 value for every variable of the model (a complete CP-SAT hint)."""
    objective: int
    start_objective: int
    steps: int
    improving_steps: int
    complete: bool
    """False when the deadline stopped the search before its budget was spent."""
    seconds: float


class NeighbourhoodSearch:
    """The per-series paths of a 0-1 model (as for ``CliqueRelaxation``) and its resource
    cliques, with a plan that respects them; ``improve`` lowers the plan's cost step by step."""

    def __init__(
        self,
        costs: Sequence[int],
        series: Sequence[SeriesPaths],
        cliques: Sequence[Sequence[int]],
    ) -> None:
        self.costs = costs
        self.series = series
        self.cliques = cliques
        self.size = len(costs)
        self.cliques_of: dict[int, list[int]] = {}
        for k, clique in enumerate(cliques):
            for variable in clique:
                self.cliques_of.setdefault(variable, []).append(k)
        self.day_of: dict[int, int] = {
            variable: day
            for paths in series
            for options in paths.candidates
            for variable, day in options
        }
        # Every clique a series' candidates touch, once per candidate: who competes with it.
        self.touched: list[list[int]] = [
            [
                k
                for options in paths.candidates
                for variable, _day in options
                for k in self.cliques_of.get(variable, ())
            ]
            for paths in series
        ]
        # The cliques on each series' cheapest path with no other series about: the resources
        # it would take first, so the holders of those are the first to free with it.
        self.wanted: list[list[int]] = [
            sorted(
                {
                    k
                    for variable in self._cheapest_path(index)
                    if variable is not None
                    for k in self.cliques_of.get(variable, ())
                }
            )
            for index in range(len(series))
        ]
        # Laid out once for every sub-model.
        self.layers: list[list[Layer]] = []
        for paths in series:
            layers: list[Layer] = []
            for layer, options in enumerate(paths.candidates):
                by_day: dict[int, list[int]] = {}
                for variable, day in options:
                    by_day.setdefault(day, []).append(variable)
                arcs = (
                    [
                        (source, target, arc)
                        for (source, target), arc in paths.arcs[layer - 1].items()
                    ]
                    if layer
                    else []
                )
                layers.append((list(by_day.items()), paths.unplaced[layer], arcs))
            self.layers.append(layers)
        self.owner: list[int] = [-1] * len(cliques)
        self.paths: list[Path] = []

    def _cheapest_path(self, index: int) -> Path:
        """The series' cheapest path through its layers, ignoring every clique."""
        paths, costs = self.series[index], self.costs
        # Per layer: day -> (cost to get there, candidate, day it came from).
        reached: list[dict[int, tuple[int, int, int | None]]] = []
        for layer, options in enumerate(paths.candidates):
            here: dict[int, tuple[int, int, int | None]] = {}
            for variable, day in sorted(options, key=lambda o: (costs[o[0]], o[0])):
                if day in here:
                    continue
                if layer == 0:
                    here[day] = (costs[variable], variable, None)
                    continue
                entries = [
                    (reached[-1][source][0] + costs[arc], source)
                    for (source, target), arc in paths.arcs[layer - 1].items()
                    if target == day and source in reached[-1]
                ]
                if entries:
                    cost, source = min(entries)
                    here[day] = (cost + costs[variable], variable, source)
            reached.append(here)
        # Unplaced from layer n on costs the "unplaced" variables from n to the end.
        tail = [0] * (len(reached) + 1)
        for layer in range(len(reached) - 1, -1, -1):
            tail[layer] = tail[layer + 1] + costs[paths.unplaced[layer]]
        best, end_layer, end_day = tail[0], -1, None
        for layer, here in enumerate(reached):
            for day, (cost, _variable, _source) in sorted(here.items()):
                if cost + tail[layer + 1] < best:
                    best, end_layer, end_day = cost + tail[layer + 1], layer, day
        path: Path = [None] * len(reached)
        at: int | None = end_day
        for layer in range(end_layer, -1, -1):
            if at is None:
                break
            _cost, variable, at = reached[layer][at]
            path[layer] = variable
        return path

    # -- the plan ---------------------------------------------------------------------------

    def path_cost(self, index: int, path: Path) -> int:
        paths = self.series[index]
        cost = 0
        for layer, variable in enumerate(path):
            if variable is None:
                cost += self.costs[paths.unplaced[layer]]
                continue
            cost += self.costs[variable]
            previous = path[layer - 1] if layer else None
            if previous is not None:
                arc = paths.arcs[layer - 1][self.day_of[previous], self.day_of[variable]]
                cost += self.costs[arc]
        return cost

    def values(self) -> list[int]:
        values = [0] * self.size
        for index in range(len(self.series)):
            for variable in self._ones(index):
                values[variable] = 1
        return values

    def _ones(self, index: int) -> list[int]:
        """The variables one series' path sets to 1: candidates or "unplaced", and arcs."""
        paths, path = self.series[index], self.paths[index]
        ones: list[int] = []
        for layer, variable in enumerate(path):
            ones.append(paths.unplaced[layer] if variable is None else variable)
            previous = path[layer - 1] if layer else None
            if previous is not None and variable is not None:
                ones.append(paths.arcs[layer - 1][self.day_of[previous], self.day_of[variable]])
        return ones

    def _load(self, values: Sequence[int]) -> None:
        """Take the plan given as 0-1 values. Each series keeps the longest prefix that is a
        path (a session with no candidate chosen, or two chosen, or an interval outside the
        window, ends it); a resource held twice is refused."""
        self.owner = [-1] * len(self.cliques)
        self.paths = []
        for index, paths in enumerate(self.series):
            path: Path = []
            for layer, options in enumerate(paths.candidates):
                chosen = [variable for variable, _day in options if values[variable]]
                previous = path[-1] if path else None
                if (
                    len(chosen) != 1
                    or (layer and previous is None)
                    or (
                        previous is not None
                        and (self.day_of[previous], self.day_of[chosen[0]])
                        not in paths.arcs[layer - 1]
                    )
                ):
                    path.append(None)
                else:
                    path.append(chosen[0])
            self.paths.append(path)
            self._hold(index, path)

    def _hold(self, index: int, path: Path) -> None:
        for variable in path:
            for k in () if variable is None else self.cliques_of.get(variable, ()):
                if self.owner[k] >= 0:
                    raise ValueError(f"series {index} and {self.owner[k]} share a resource")
                self.owner[k] = index

    def _release(self, path: Path) -> None:
        for variable in path:
            for k in () if variable is None else self.cliques_of.get(variable, ()):
                self.owner[k] = -1

    # -- the search --------------------------------------------------------------------------

    def improve(
        self,
        start: Sequence[int],
        *,
        budget: SearchBudget | None = None,
        deadline: float | None = None,
        random_seed: int = 0,
    ) -> SearchOutcome:
        """Improve the plan ``start`` (0-1 values, e.g. the greedy hint) within ``budget``;
        ``deadline`` (``time.perf_counter``) is a hard cap that only an overloaded host meets."""
        budget = budget or SearchBudget()
        began = time.perf_counter()
        self._load(start)
        costs = [self.path_cost(i, path) for i, path in enumerate(self.paths)]
        start_objective = sum(costs)
        steps = improving = 0
        complete = True
        for size in budget.neighbourhood_sizes:
            targets = sorted(
                (i for i, path in enumerate(self.paths) if None in path),
                key=lambda i: (-costs[i], i),
            )
            for target in targets:
                if None not in self.paths[target]:
                    continue  # a step for an earlier target already mended it
                if deadline is not None and time.perf_counter() >= deadline:
                    complete = False
                    break
                steps += 1
                hood = self._neighbourhood(target, size)
                better = self._solve(hood, budget.sub_solve_work, deadline, random_seed)
                before = sum(costs[i] for i in hood)
                if better is None:
                    continue
                after = [self.path_cost(i, better[i]) for i in hood]
                if sum(after) >= before:
                    continue
                for i in hood:
                    self._release(self.paths[i])
                for i, cost in zip(hood, after, strict=True):
                    self.paths[i] = better[i]
                    costs[i] = cost
                    self._hold(i, better[i])
                improving += 1
            if not complete:
                break
        return SearchOutcome(
            self.values(),
            sum(costs),
            start_objective,
            steps,
            improving,
            complete,
            time.perf_counter() - began,
        )

    def _neighbourhood(self, target: int, size: int) -> list[int]:
        """``target``, the series holding the resources of its cheapest path, then those
        holding the resources its other candidates need (the most contested first), then the
        same for each series added, up to ``size`` series."""
        hood = [target]
        seen = {target}
        frontier = [target]
        while frontier and len(hood) < size:
            reached: list[int] = []
            for index in frontier:
                for holder in [self.owner[k] for k in self.wanted[index]]:
                    if holder >= 0 and holder not in seen and len(hood) < size:
                        seen.add(holder)
                        hood.append(holder)
                        reached.append(holder)
                contest: dict[int, int] = {}
                for k in self.touched[index]:
                    holder = self.owner[k]
                    if holder >= 0 and holder not in seen:
                        contest[holder] = contest.get(holder, 0) + 1
                for holder, _count in sorted(contest.items(), key=lambda e: (-e[1], e[0])):
                    if len(hood) >= size:
                        break
                    seen.add(holder)
                    hood.append(holder)
                    reached.append(holder)
            frontier = reached
        return hood

    def _solve(
        self, hood: list[int], work: float, deadline: float | None, random_seed: int
    ) -> dict[int, Path] | None:
        """The best paths for the series in ``hood`` with every other series where it is;
        None when CP-SAT found no plan (it always has the current one as a hint)."""
        from ortools.sat.python import cp_model

        freed = set(hood)
        owner = self.owner

        def blocked(variable: int) -> bool:
            """A series outside the neighbourhood holds one of its resources."""
            return any(
                owner[k] >= 0 and owner[k] not in freed for k in self.cliques_of.get(variable, ())
            )

        cp = cp_model.CpModel()
        x: dict[int, cp_model.IntVar] = {}

        def var(variable: int) -> cp_model.IntVar:
            if variable not in x:
                x[variable] = cp.new_bool_var("")
            return x[variable]

        total = cp_model.LinearExpr.sum
        for index in hood:
            previous: dict[int, list[cp_model.IntVar]] = {}
            previous_gone: cp_model.IntVar | None = None
            for days, unplaced, arcs in self.layers[index]:
                by_day: dict[int, list[cp_model.IntVar]] = {}
                for day, variables in days:
                    lits = [var(v) for v in variables if not blocked(v)]
                    if lits:
                        by_day[day] = lits
                gone = var(unplaced)
                cp.add_exactly_one([*(lit for lits in by_day.values() for lit in lits), gone])
                if previous_gone is not None:
                    cp.add(previous_gone <= gone)
                    inflow: dict[int, list[cp_model.IntVar]] = {day: [] for day in by_day}
                    outflow: dict[int, list[cp_model.IntVar]] = {day: [] for day in previous}
                    for source, target, arc in arcs:
                        if source in outflow and target in inflow:
                            lit = var(arc)
                            inflow[target].append(lit)
                            outflow[source].append(lit)
                    for day, lits in by_day.items():
                        cp.add(total(inflow[day]) == total(lits))
                    for day, lits in previous.items():
                        cp.add(total(outflow[day]) <= total(lits))
                previous, previous_gone = by_day, gone
        for k in sorted({k for variable in x for k in self.cliques_of.get(variable, ())}):
            lits = [x[variable] for variable in self.cliques[k] if variable in x]
            if len(lits) > 1:
                cp.add_at_most_one(lits)
        paid = [(lit, self.costs[variable]) for variable, lit in x.items() if self.costs[variable]]
        cp.minimize(cp_model.LinearExpr.weighted_sum([v for v, _c in paid], [c for _v, c in paid]))
        # The current paths as a complete hint, written in bulk (add_hint is one call a variable).
        current = {variable for index in hood for variable in self._ones(index)}
        cp.proto.solution_hint.vars.extend(lit.index for lit in x.values())
        cp.proto.solution_hint.values.extend(int(variable in current) for variable in x)

        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = random_seed
        solver.parameters.max_deterministic_time = work
        # The flow encoding's LP is strong: with its full linearisation and no probing, the
        # sub-models of the 540-series bench solved to optimality at a quarter of the default
        # settings' CPU time.
        solver.parameters.linearization_level = 2
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0
        if deadline is not None:
            solver.parameters.max_time_in_seconds = max(0.01, deadline - time.perf_counter())
        status = solver.solve(cp)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return {
            index: [
                next(
                    (
                        variable
                        for variable, _day in options
                        if variable in x and solver.boolean_value(x[variable])
                    ),
                    None,
                )
                for options in self.series[index].candidates
            ]
            for index in hood
        }
