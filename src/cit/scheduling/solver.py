"""Clinic-wide re-plan with OR-Tools CP-SAT: many affected series at once.

When a change hits hundreds of series (a provider's week off), placing them one by one lets the
first series take the slots a later one needed. This module places them jointly, as one 0-1
linear programme solved by CP-SAT, with an honest bound from its Lagrangian relaxation:

* **Variables**: one boolean per candidate slot per variable session, one "unplaced" boolean
  per session, and one arc boolean per pair of candidate days of consecutive sessions whose gap
  lies in the interval window. Candidates come from the pure slot search (``SlotFinder``): a
  handful of days near the original date (and near the greedy answer), a couple of providers
  per day, the starts closest to the original time of day, a couple of room/device choices
  each, plus the original placement when it still stands and the greedy placement. That
  pre-filter keeps the model to tens of candidates per session instead of every slot of every
  day.
* **Constraints**: exactly one candidate or "unplaced" per session; a day-level flow per
  series (a session on day d' arrives by exactly one arc from the previous session's day, so
  the interval window holds exactly and "unplaced" runs to the end), whose LP is integral for
  one series alone; no two chosen candidates overlap on any provider, room, device or patient
  (maximal cliques of the interval graph; existing appointments are already excluded from the
  candidates); licence and capabilities via the candidates.
* **Objective** (the same integer points as the greedy ``replan``): interval deviation from
  target (on the arcs) + moves from the original times + provider changes + a large penalty
  per unplaced session and per series not kept whole.
* The greedy re-plan is run first; a large neighbourhood search (``neighbourhood``) improves
  it by exact CP-SAT solves of a few dozen series at a time, a fixed budget that needs no
  presolve of the whole model (which alone can outlast the time limit on a busy host). Its plan
  is CP-SAT's complete hint, and the answer is the best of the two, never worse than greedy.
* **Bound**: the Lagrangian relaxation of the resource cliques (``lagrangian``): one shortest
  path per series, evaluated exactly for any multipliers, so valid however early it stops, and
  within about 1% of the LP relaxation's optimum in a few CPU seconds (a simplex solve of the
  LP took ~15, more than a loaded host gives in the time limit). It runs in a thread alongside
  CP-SAT; the report gives the better of it and CP-SAT's bound, and says which. It bounds plans
  built from these candidates, not every conceivable plan.
"""

from __future__ import annotations

import enum
import re
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from cit.scheduling.localtime import local_date, minute_of_day, to_epoch
from cit.scheduling.occupancy import Occupancy
from cit.scheduling.replan import (
    ReplanProblem,
    ReplanResult,
    ReplanWeights,
    ScheduleChange,
    SeriesReplan,
    SeriesTask,
    build_outcome,
    build_replan_problem,
    placement_cost,
    solve_greedily,
    variable_day_range,
)
from cit.scheduling.slots import Placement, SlotFinder
from cit.scheduling.state import ClinicState
from cit.scheduling.types import BookedSeries, BookedSession

if TYPE_CHECKING:
    # OR-Tools (with numpy and pandas, ~90 MB) loads only when a clinic-wide re-plan runs,
    # not in every web worker that imports the scheduling core; numpy for the bound likewise.
    from ortools.sat.python import cp_model

    from cit.scheduling.lagrangian import CliqueRelaxation, LagrangianBound, SeriesPaths
    from cit.scheduling.neighbourhood import SearchBudget, SearchOutcome


class SolveStatus(enum.StrEnum):
    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    UNKNOWN = "UNKNOWN"
    MODEL_INVALID = "MODEL_INVALID"


@dataclass(frozen=True, slots=True)
class CandidateBreadth:
    """How widely to look for one session's candidates: ``dates`` nearest days, on each the
    first ``providers`` providers (the original first) with free starts, on each the
    ``times`` starts nearest the original time of day, each with ``rooms`` room/device choices."""

    dates: int
    providers: int
    times: int
    rooms: int


@dataclass(frozen=True, slots=True)
class CandidateLimits:
    """Model size: candidate breadth by the kind of session, since most sessions need few."""

    standing: CandidateBreadth = CandidateBreadth(dates=2, providers=1, times=1, rooms=1)
    """The original spot is still free; the session moves only to mend an interval upstream."""
    displaced: CandidateBreadth = CandidateBreadth(dates=6, providers=2, times=2, rooms=2)
    """The original spot is gone (e.g. the provider is away)."""
    stranded: CandidateBreadth = CandidateBreadth(dates=12, providers=3, times=2, rooms=2)
    """The greedy re-plan found no place: look wider, this is where the solver can help."""


class BoundSource(enum.StrEnum):
    """Where a reported lower bound comes from."""

    CP_SAT = "CP-SAT"
    """CP-SAT's own proven bound (equal to the objective when it proved optimality)."""
    LAGRANGIAN = "Lagrangian relaxation"
    """The best value of the model's Lagrangian relaxation (resource cliques relaxed) found
    by the subgradient ascent: at most the LP relaxation's optimum, and a valid bound."""
    NONE = "none"
    """Neither finished (a trivial bound of 0 holds: every cost is non-negative)."""


@dataclass(frozen=True, slots=True)
class SolverReport:
    """What CP-SAT did: status, the answer, its objective and the best proven lower bound (from
    CP-SAT or the Lagrangian relaxation of the same model, ``bound_source`` says which), next
    to the greedy objective it started from, and the model size and effort."""

    status: SolveStatus
    result: ReplanResult
    objective: int | None
    """CP-SAT's objective; None when it found no plan (``result`` is then the neighbourhood
    search's plan, at worst the greedy one)."""
    best_bound: float | None
    """max(CP-SAT's bound, the Lagrangian bound), floored at 0: every objective term is
    non-negative. A bound for the candidate model: no plan built from these candidates costs
    less."""
    greedy_objective: int
    wall_seconds: float
    """The whole call: greedy, candidates, model, bound and CP-SAT."""
    series: int
    variable_sessions: int
    candidates: int
    bound_source: BoundSource = BoundSource.NONE
    relaxation_bound: float | None = None
    """The Lagrangian bound (None: not evaluated before the deadline)."""
    cp_sat_bound: float | None = None
    relaxation_seconds: float = 0.0
    """Wall seconds of the Lagrangian ascent, from the start of the optimisation."""
    relaxation_iterations: int = 0
    cp_sat_seconds: float = 0.0
    deterministic_time: float = 0.0
    """CP-SAT's deterministic time spent (machine-independent work units, about seconds)."""
    presolve_seconds: float | None = None
    """Wall seconds until CP-SAT's presolve ended (None: it did not, within the limits)."""
    cpu_seconds: float = 0.0
    """Process CPU seconds while the bound, the search and CP-SAT ran: on a shared host, the
    effort wall time hides."""
    model_variables: int = 0
    search: SearchOutcome | None = None
    """What the neighbourhood search did (None: it did not run)."""

    @property
    def search_objective(self) -> int | None:
        """The neighbourhood search's plan's objective (CP-SAT's hint)."""
        return None if self.search is None else self.search.objective

    @property
    def gap(self) -> float | None:
        """(plan's objective - bound) / objective for the plan returned (CP-SAT's, or the
        neighbourhood search's): 0 means proven optimal."""
        if self.best_bound is None or not self.result.accepted:
            return None
        return (self.result.objective - self.best_bound) / max(1, self.result.objective)

    @property
    def broken(self) -> tuple[SeriesReplan, ...]:
        return self.result.broken


@dataclass(frozen=True, slots=True)
class _Candidate:
    placement: Placement
    cost: int
    day_index: int


DETERMINISTIC_TIME_PER_SECOND = 1.0
"""CP-SAT's work budget per second of the time limit. Deterministic time does not stretch on
a busy host, so the same model gets the same search whatever the load; the wall-clock limit
stays as the hard cap. On the 540-series bench presolve takes about 3 units (so a limit of a
few seconds still outlasts it), and the 20 units of the 20 s production limit took ~50 CPU
seconds of CP-SAT (2 workers): about 20 s of wall clock on an idle host with 3-4 cores; on
fewer or busier cores the wall-clock limit ends the search first (on a 2-core host at load
~15, CP-SAT got ~1 CPU s in 20 s and did not finish presolve)."""
MIN_DETERMINISTIC_TIME = 6.0
"""The default budget is never below this: twice the presolve of the 540-series bench, so a
short limit cannot stop CP-SAT in presolve on work grounds (the wall clock still can)."""


_SEARCH_LOG_LINE = re.compile(r"#(Bound|Model|Done|\d+)\s")


def optimise_replan(
    series: Sequence[BookedSeries],
    state: ClinicState,
    change: ScheduleChange | Sequence[ScheduleChange],
    *,
    now: datetime,
    time_limit_seconds: float = 10.0,
    weights: ReplanWeights | None = None,
    workers: int | None = None,
    random_seed: int = 0,
    limits: CandidateLimits | None = None,
    deterministic_time_limit: float | None = None,
    log_search: bool = False,
    search_budget: SearchBudget | None = None,
) -> SolverReport:
    """Re-plan every series the change affects jointly. CP-SAT and the Lagrangian bound (in a
    thread alongside) stop at ``time_limit_seconds`` of wall clock (a hard cap), and CP-SAT
    also at ``deterministic_time_limit`` of work (default: ``DETERMINISTIC_TIME_PER_SECOND``
    per second of the limit, at least ``MIN_DETERMINISTIC_TIME``), so the same model gets the
    same search whatever the load, up to the wall-clock cap.

    Before CP-SAT, the neighbourhood search improves the greedy plan within ``search_budget``
    (a fixed amount of work; the wall-clock limit only cuts it short on an overloaded host), and
    CP-SAT starts from its plan.

    Returns the assignment (as a ``ReplanResult``, same shape as ``replan``), CP-SAT's objective
    and the best proven bound with its source, the status, and in ``result.broken`` the series
    that could not be kept whole. The assignment is the better of CP-SAT's plan and the
    search's (at worst the greedy plan). A change that is itself impossible comes back
    INFEASIBLE with ``result.rejected``.
    """
    began = time.perf_counter()
    limits = limits or CandidateLimits()
    problem = build_replan_problem(series, state, change, now=now, weights=weights)
    if problem.rejected is not None:
        return SolverReport(
            SolveStatus.INFEASIBLE,
            ReplanResult((), 0, problem.rejected),
            None,
            None,
            0,
            time.perf_counter() - began,
            0,
            0,
            0,
        )
    greedy = solve_greedily(problem)
    greedy_objective = sum(o.cost for o in greedy)
    base = problem.occupancy.copy()
    base.release([tag for task in problem.tasks for tag in task.variable_ids])

    greedy_by_series = {o.series_id: o for o in greedy}
    candidates = [
        _candidates_for(task, base, problem, greedy_by_series[task.series.series_id], limits)
        for task in problem.tasks
    ]
    model, variables = _build_model(problem, candidates)
    hint = _greedy_hint(problem, candidates, variables, greedy_by_series, len(model.costs))
    n_candidates = sum(len(c) for per_task in candidates for c in per_task)
    n_sessions = sum(len(task.variable) for task in problem.tasks)

    from ortools.sat.python import cp_model

    from cit.scheduling.lagrangian import CliqueRelaxation
    from cit.scheduling.neighbourhood import NeighbourhoodSearch

    # The limit bounds the optimisation proper: the bound starts first, the neighbourhood
    # search and then CP-SAT run meanwhile, and all stop by the same deadline. The greedy plan,
    # the candidates and the 0-1 model come before (seconds).
    deadline = time.perf_counter() + time_limit_seconds
    paths = _series_paths(candidates, variables)
    relaxation = CliqueRelaxation(model.costs, paths, model.at_most_one)
    bound_thread = _BoundThread(relaxation, float(greedy_objective), deadline).start()
    cpu_started = time.process_time()
    search = NeighbourhoodSearch(model.costs, paths, model.at_most_one).improve(
        hint, budget=search_budget, deadline=deadline, random_seed=random_seed
    )
    cp, x = _to_cp_sat(model, search.values)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, deadline - time.perf_counter())
    solver.parameters.max_deterministic_time = (
        deterministic_time_limit
        if deterministic_time_limit is not None
        else max(DETERMINISTIC_TIME_PER_SECOND * time_limit_seconds, MIN_DETERMINISTIC_TIME)
    )
    solver.parameters.random_seed = random_seed
    # The log is read (not printed) to learn when presolve ended, unless asked for.
    solver.parameters.log_search_progress = True
    solver.parameters.log_to_stdout = log_search
    presolved_at: list[float] = []

    def note_presolve(line: str) -> None:
        # Search log lines ("#Bound", "#1", "#Model", "#Done") follow a completed presolve;
        # the model summary printed after presolve also shows when it was interrupted.
        if not presolved_at and _SEARCH_LOG_LINE.match(line):
            presolved_at.append(time.perf_counter())

    solver.log_callback = note_presolve
    if workers is not None:
        solver.parameters.num_workers = workers
    solve_started = time.perf_counter()
    status = SolveStatus(solver.status_name(solver.solve(cp)))
    relaxed = bound_thread.result()
    lagrangian_bound = None if relaxed is None else relaxed.bound
    cpu_seconds = time.process_time() - cpu_started
    solved = status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    objective: int | None = None
    cp_sat_bound: float | None = None
    chosen = search.values
    if solved:
        objective = round(solver.objective_value)
        cp_sat_bound = max(0.0, solver.best_objective_bound)
        if objective <= search.objective:
            chosen = [int(solver.boolean_value(var)) for var in x]
    result = _result_from(problem, candidates, variables, greedy_by_series, chosen)
    if result.objective > greedy_objective:
        # Both start from the greedy plan and only improve it; should a greedy placement have
        # fallen outside the candidates, the greedy plan itself still stands.
        result = ReplanResult(tuple(greedy), greedy_objective)

    if status is SolveStatus.OPTIMAL:
        best_bound: float | None = float(result.objective)
        source = BoundSource.CP_SAT
    elif lagrangian_bound is not None and (
        cp_sat_bound is None or lagrangian_bound >= cp_sat_bound
    ):
        best_bound, source = lagrangian_bound, BoundSource.LAGRANGIAN
    elif cp_sat_bound is not None:
        best_bound, source = cp_sat_bound, BoundSource.CP_SAT
    else:
        best_bound, source = None, BoundSource.NONE
    return SolverReport(
        status,
        result,
        objective,
        best_bound,
        greedy_objective,
        time.perf_counter() - began,
        len(problem.tasks),
        n_sessions,
        n_candidates,
        bound_source=source,
        relaxation_bound=lagrangian_bound,
        cp_sat_bound=cp_sat_bound,
        relaxation_seconds=0.0 if relaxed is None else relaxed.seconds,
        relaxation_iterations=0 if relaxed is None else relaxed.iterations,
        cp_sat_seconds=solver.wall_time,
        deterministic_time=solver.deterministic_time,
        presolve_seconds=(
            presolved_at[0] - solve_started
            if presolved_at
            else solver.wall_time
            if status is SolveStatus.OPTIMAL  # solved by presolve itself
            else None
        ),
        cpu_seconds=cpu_seconds,
        model_variables=len(model.costs),
        search=search,
    )


def _result_from(
    problem: ReplanProblem,
    candidates: list[list[list[_Candidate]]],
    variables: list[_SeriesVars],
    greedy_by_series: dict[str, SeriesReplan],
    values: Sequence[int],
) -> ReplanResult:
    """The plan given by the model's 0-1 ``values`` as a ``ReplanResult``."""
    outcomes: list[SeriesReplan] = []
    for task, per_task, task_vars in zip(problem.tasks, candidates, variables, strict=True):
        placements: list[Placement | None] = [
            next(
                (c.placement for c, lit in zip(options, lits, strict=True) if values[lit]),
                None,
            )
            for options, lits in zip(per_task, task_vars.chosen, strict=True)
        ]
        greedy_outcome = greedy_by_series[task.series.series_id]
        reason = greedy_outcome.reason or (
            "no combination of candidate slots keeps the remaining sessions within the window"
        )
        outcomes.append(build_outcome(task, placements, problem, reason))
    return ReplanResult(tuple(outcomes), sum(o.cost for o in outcomes))


# -- candidates -------------------------------------------------------------------------------


def _candidates_for(
    task: SeriesTask,
    base: Occupancy,
    problem: ReplanProblem,
    greedy: SeriesReplan,
    limits: CandidateLimits,
) -> list[list[_Candidate]]:
    """Candidate placements for each variable session of one series."""
    zone = problem.state.zone
    window = task.series.request.interval
    finder = SlotFinder(problem.state, base, task.series.request, not_before=problem.now_epoch)
    greedy_sessions = {s.number: s for s in greedy.sessions}
    anchor = task.anchor
    anchor_day = None if anchor is None else local_date(anchor.start, zone)
    per_session: list[list[_Candidate]] = []
    # Days each session can reach from the anchor through the chain of interval windows.
    low, high = variable_day_range(task, 0, anchor_day, problem)
    for index, original in enumerate(task.variable):
        if index > 0:
            low = max(low + timedelta(days=window.min_days), problem.today)
            high = high + timedelta(days=window.max_days)
        pool = _SessionCandidates(
            task, original, finder, problem, low, high, anchor_day if index == 0 else None
        )
        standing = pool.offer_exact(original)
        greedy_session = greedy_sessions.get(original.number)
        if greedy_session is not None:
            pool.offer_exact(greedy_session)
        if standing:
            breadth = limits.standing
        elif greedy_session is None:
            breadth = limits.stranded
        else:
            breadth = limits.displaced
        pool.offer_nearby(
            greedy_day=None if greedy_session is None else local_date(greedy_session.start, zone),
            breadth=breadth,
        )
        per_session.append(pool.candidates())
    return per_session


class _SessionCandidates:
    """Collects distinct candidate placements for one variable session."""

    def __init__(
        self,
        task: SeriesTask,
        original: BookedSession,
        finder: SlotFinder,
        problem: ReplanProblem,
        low: date,
        high: date,
        previous_day: date | None,
    ) -> None:
        self.task = task
        self.original = original
        self.finder = finder
        self.problem = problem
        self.low = low
        self.high = high
        # Only the first variable session's interval (to the fixed anchor) is a constant; the
        # later intervals depend on two choices and live in the model.
        self.previous_day = previous_day
        self.original_day = local_date(original.start, problem.state.zone)
        self.original_minute = minute_of_day(original.start, problem.state.zone)
        self._options: dict[tuple[object, ...], _Candidate] = {}

    def candidates(self) -> list[_Candidate]:
        return list(self._options.values())

    def offer(self, placement: Placement) -> None:
        key = (placement.start, placement.provider_id, placement.room_id, placement.devices)
        if key in self._options or not self.low <= placement.day <= self.high:
            return
        cost = placement_cost(
            self.original,
            placement,
            self.previous_day,
            self.task.series.request.interval.target_days,
            self.problem.weights,
            self.problem,
        )
        self._options[key] = _Candidate(placement, cost, (placement.day - self.problem.today).days)

    def offer_exact(self, session: BookedSession) -> bool:
        """Offer ``session``'s own placement (the original, or the greedy answer) if it is free."""
        placed = self.finder.check_start(
            to_epoch(session.start),
            session.provider_id,
            prefer_room=session.room_id,
            prefer_devices=session.device_ids,
        )
        if isinstance(placed, Placement):
            self.offer(placed)
            return True
        return False

    def offer_nearby(self, *, greedy_day: date | None, breadth: CandidateBreadth) -> None:
        """Starts near the original time of day on the days nearest the original (or greedy)
        date, with the original provider first."""

        def distance(day: date) -> int:
            near = abs((day - self.original_day).days)
            return near if greedy_day is None else min(near, abs((day - greedy_day).days))

        finder = self.finder
        span = (self.high - self.low).days + 1
        days = sorted(
            (self.low + timedelta(days=n) for n in range(max(0, span))),
            key=lambda d: (distance(d), d),
        )
        providers = sorted(
            finder.provider_ids, key=lambda pid: (pid != self.original.provider_id, pid)
        )
        for day in [d for d in days if finder.clinic_open(d)][: breadth.dates]:
            used_providers = 0
            for provider_id in providers:
                if used_providers >= breadth.providers:
                    break
                starts = sorted(
                    finder.provider_starts(day, provider_id),
                    key=lambda s: (abs(s[0] - self.original_minute), s[0]),
                )
                times = 0
                for minute, start in starts:
                    if times >= breadth.times:
                        break
                    # The session's own room and devices first: keeps the patient's usual room
                    # and spreads the sessions' choices, so they do not all clash in room one.
                    choices = finder.resource_options(
                        start,
                        limit=breadth.rooms,
                        prefer_room=self.original.room_id,
                        prefer_devices=self.original.device_ids,
                    )
                    for room_id, devices in choices:
                        end = start + finder.visit_seconds
                        self.offer(
                            Placement(day, minute, start, end, provider_id, room_id, devices)
                        )
                    times += 1 if choices else 0
                used_providers += 1 if times else 0


# -- model ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _ZeroOneModel:
    """The re-plan as a pure 0-1 linear programme, built once and handed both to CP-SAT and,
    its cliques relaxed, to the Lagrangian bound: a bound of the very model CP-SAT solves.

    Every variable is boolean with an integer cost (minimised). Rows: ``exactly_one`` and
    ``at_most_one`` sets, and flow rows ``sum(plus) - sum(minus)`` ``== 0`` or ``<= 0``."""

    costs: list[int] = field(default_factory=list)
    exactly_one: list[list[int]] = field(default_factory=list)
    at_most_one: list[list[int]] = field(default_factory=list)
    flow_equal: list[tuple[list[int], list[int]]] = field(default_factory=list)
    flow_at_most: list[tuple[list[int], list[int]]] = field(default_factory=list)

    def new_var(self, cost: int) -> int:
        self.costs.append(cost)
        return len(self.costs) - 1


@dataclass(slots=True)
class _SeriesVars:
    """One series' variables (indices into ``_ZeroOneModel.costs``)."""

    chosen: list[list[int]]
    """Per variable session, one per candidate."""
    unplaced: list[int]
    """Per variable session."""
    arcs: list[dict[tuple[int, int], int]]
    """Per consecutive pair of variable sessions: (day of the first, day of the second) ->
    arc, one for every pair of candidate days whose gap lies in the interval window."""


def _build_model(
    problem: ReplanProblem, candidates: list[list[list[_Candidate]]]
) -> tuple[_ZeroOneModel, list[_SeriesVars]]:
    """Day-level flow encoding of each series: a session on day d' came by exactly one arc from
    the previous session's day d with d' - d inside the window, and the arc carries the interval
    deviation cost. Alone, one series is a shortest path (its LP is integral); only the
    resource cliques couple the series. Unplaced sessions run to the end: flow leaving a day
    without an arc is the series breaking there."""
    weights = problem.weights
    model = _ZeroOneModel()
    holds: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    variables: list[_SeriesVars] = []
    session_of: dict[int, int] = {}
    origin = problem.now_epoch
    for task, per_task in zip(problem.tasks, candidates, strict=True):
        window = task.series.request.interval
        patient_key = f"patient:{task.series.request.patient_id}"
        series = _SeriesVars([], [], [])
        previous: dict[int, list[int]] | None = None
        for i, options in enumerate(per_task):
            lits = [model.new_var(c.cost) for c in options]
            # The last session is unplaced exactly when the series is not kept whole.
            last = i == len(per_task) - 1
            gone = model.new_var(weights.unplaced_session + (weights.broken_series if last else 0))
            session_of.update((lit, len(model.exactly_one)) for lit in lits)
            model.exactly_one.append([*lits, gone])
            by_day: dict[int, list[int]] = defaultdict(list)
            for option, lit in zip(options, lits, strict=True):
                by_day[option.day_index].append(lit)
                for key, start, end in option.placement.resource_holds(patient_key):
                    holds[key].append((start - origin, end - origin, lit))
            if previous is not None:
                model.flow_at_most.append(([series.unplaced[-1]], [gone]))
                arcs: dict[tuple[int, int], int] = {}
                for day in sorted(by_day):
                    for previous_day in sorted(previous):
                        gap = day - previous_day
                        if window.min_days <= gap <= window.max_days:
                            deviation = abs(gap - window.target_days)
                            arcs[previous_day, day] = model.new_var(
                                weights.interval_deviation_per_day * deviation
                            )
                for day, day_lits in by_day.items():
                    inflow = [arc for (_d, to), arc in arcs.items() if to == day]
                    model.flow_equal.append((inflow, day_lits))
                for previous_day, previous_lits in previous.items():
                    outflow = [arc for (source, _d), arc in arcs.items() if source == previous_day]
                    model.flow_at_most.append((outflow, previous_lits))
                series.arcs.append(arcs)
            series.chosen.append(lits)
            series.unplaced.append(gone)
            previous = by_day
        variables.append(series)

    cliques = [clique for entries in holds.values() for clique in _maximal_cliques(entries)]
    model.at_most_one = _useful_cliques(cliques, session_of)
    return model, variables


def _useful_cliques(cliques: list[list[int]], session_of: dict[int, int]) -> list[list[int]]:
    """Drop the cliques other rows already imply: those within one session (its exactly-one
    row covers them), repeats (a room and its device taken by the same candidates) and those
    inside a larger clique. The LP optimum is unchanged, the model far smaller."""
    distinct = {
        frozenset(clique) for clique in cliques if len({session_of[lit] for lit in clique}) > 1
    }
    kept: list[list[int]] = []
    containing: dict[int, list[frozenset[int]]] = defaultdict(list)
    for clique in sorted(distinct, key=lambda c: (-len(c), sorted(c))):
        rarest = min(clique, key=lambda lit: len(containing[lit]))
        if any(clique <= larger for larger in containing[rarest]):
            continue
        kept.append(sorted(clique))
        for lit in clique:
            containing[lit].append(clique)
    return kept


def _maximal_cliques(entries: list[tuple[int, int, int]]) -> list[list[int]]:
    """Groups of holds on one resource that all overlap at some instant: at most one of each
    group may be chosen. For fixed intervals that is exactly "no overlap" (and, interval graphs
    being perfect, the tightest LP), and far cheaper for CP-SAT than a no-overlap over
    thousands of optional intervals."""
    cliques: list[list[int]] = []
    active: list[tuple[int, int, int]] = []
    grew = False
    for start, end, lit in sorted(entries, key=lambda e: (e[0], e[1])):
        if any(other_end <= start for _s, other_end, _l in active):
            if grew and len(active) > 1:
                cliques.append([other for _s, _e, other in active])
            active = [a for a in active if a[1] > start]
        active.append((start, end, lit))
        grew = True
    if grew and len(active) > 1:
        cliques.append([other for _s, _e, other in active])
    return cliques


def _greedy_hint(
    problem: ReplanProblem,
    candidates: list[list[list[_Candidate]]],
    variables: list[_SeriesVars],
    greedy_by_series: dict[str, SeriesReplan],
    size: int,
) -> list[int]:
    """The greedy answer as a value for every variable (a complete hint CP-SAT accepts at once;
    every greedy placement is among the candidates)."""
    values = [0] * size
    for task, per_task, series in zip(problem.tasks, candidates, variables, strict=True):
        outcome = greedy_by_series[task.series.series_id]
        placed = {
            s.number: (to_epoch(s.start), s.provider_id, s.room_id, s.device_ids)
            for s in outcome.sessions
        }
        days: list[int | None] = []
        for original, options, lits, gone in zip(
            task.variable, per_task, series.chosen, series.unplaced, strict=True
        ):
            wanted = placed.get(original.number)
            day: int | None = None
            for option, lit in zip(options, lits, strict=True):
                p = option.placement
                if day is None and wanted == (
                    p.start,
                    p.provider_id,
                    p.room_id,
                    tuple(device_id for device_id, *_rest in p.devices),
                ):
                    values[lit] = 1
                    day = option.day_index
            if day is None:
                values[gone] = 1
            days.append(day)
        for arcs, source, target in zip(series.arcs, days, days[1:], strict=False):
            if source is not None and target is not None and (source, target) in arcs:
                values[arcs[source, target]] = 1
    return values


def _series_paths(
    candidates: list[list[list[_Candidate]]], variables: list[_SeriesVars]
) -> list[SeriesPaths]:
    """Each series as the layers of a path, for the Lagrangian bound."""
    from cit.scheduling.lagrangian import SeriesPaths

    return [
        SeriesPaths(
            [
                [(lit, option.day_index) for option, lit in zip(options, lits, strict=True)]
                for options, lits in zip(per_task, series.chosen, strict=True)
            ],
            series.unplaced,
            series.arcs,
        )
        for per_task, series in zip(candidates, variables, strict=True)
    ]


def _to_cp_sat(
    model: _ZeroOneModel, hint: list[int]
) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    from ortools.sat.python import cp_model

    cp = cp_model.CpModel()
    x = [cp.new_bool_var(f"b{n}") for n in range(len(model.costs))]
    for row in model.exactly_one:
        cp.add_exactly_one([x[i] for i in row])
    for row in model.at_most_one:
        cp.add_at_most_one([x[i] for i in row])
    total = cp_model.LinearExpr.sum
    for plus, minus in model.flow_equal:
        cp.add(total([x[i] for i in plus]) == total([x[i] for i in minus]))
    for plus, minus in model.flow_at_most:
        cp.add(total([x[i] for i in plus]) <= total([x[i] for i in minus]))
    paid = [(x[n], cost) for n, cost in enumerate(model.costs) if cost]
    cp.minimize(cp_model.LinearExpr.weighted_sum([v for v, _c in paid], [c for _v, c in paid]))
    for var, value in zip(x, hint, strict=True):
        cp.add_hint(var, value)
    return cp, x


class _BoundThread:
    """The Lagrangian bound (``CliqueRelaxation.ascend``), in a thread of its own alongside
    CP-SAT: numpy for a few CPU seconds, while CP-SAT's workers run without the GIL."""

    def __init__(self, relaxation: CliqueRelaxation, upper_bound: float, deadline: float) -> None:
        self.relaxation = relaxation
        self.upper_bound = upper_bound
        self.deadline = deadline
        self.outcome: LagrangianBound | None = None
        self._thread = threading.Thread(target=self._run, name="replan-bound", daemon=True)

    def start(self) -> _BoundThread:
        self._thread.start()
        return self

    def result(self) -> LagrangianBound | None:
        """Wait for the ascent (it stops by the deadline at the latest); None if it did not."""
        self._thread.join(max(0.0, self.deadline - time.perf_counter()) + 1.0)
        return self.outcome

    def _run(self) -> None:
        self.outcome = self.relaxation.ascend(upper_bound=self.upper_bound, deadline=self.deadline)
