"""Clinic-wide re-plan with OR-Tools CP-SAT: many affected series at once.

When a change hits hundreds of series (a provider's week off), placing them one by one lets the
first series take the slots a later one needed. This module places them jointly:

* **Variables**: one boolean per candidate slot per variable session, plus one "unplaced"
  boolean per session. Candidates come from the pure slot search (``SlotFinder``): a handful of
  days near the original date (and near the greedy answer), a couple of providers per day, the
  starts closest to the original time of day, a couple of room/device choices each, plus the
  original placement when it still stands and the greedy placement. That pre-filter keeps the
  model to tens of candidates per session instead of every slot of every day.
* **Constraints**: exactly one candidate or "unplaced" per session; once a session is unplaced,
  so are the later ones; consecutive sessions within the interval window; no two chosen
  candidates overlap on any provider, room, device or patient (existing appointments are
  already excluded from the candidates); licence and capabilities via the candidates.
* **Objective** (the same integer points as the greedy ``replan``): interval deviation from
  target + moves from the original times + provider changes + a large penalty per unplaced
  session and per series not kept whole.
* The greedy re-plan is run first and given as a hint, so the answer is never worse than it.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
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
    # not in every web worker that imports the scheduling core.
    from ortools.sat.python import cp_model


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


@dataclass(frozen=True, slots=True)
class SolverReport:
    """What CP-SAT did: status, the answer, its objective and CP-SAT's proven bound, next to
    the greedy objective it started from, and the model size."""

    status: SolveStatus
    result: ReplanResult
    objective: int | None
    best_bound: float | None
    """CP-SAT's proven lower bound, floored at 0: every objective term is non-negative, and
    early in a short run CP-SAT may report a looser (negative) bound than that."""
    greedy_objective: int
    wall_seconds: float
    series: int
    variable_sessions: int
    candidates: int

    @property
    def gap(self) -> float | None:
        """(objective - bound) / objective: 0 means proven optimal."""
        if self.objective is None or self.best_bound is None:
            return None
        return (self.objective - self.best_bound) / max(1, self.objective)

    @property
    def broken(self) -> tuple[SeriesReplan, ...]:
        return self.result.broken


@dataclass(frozen=True, slots=True)
class _Candidate:
    placement: Placement
    cost: int
    day_index: int


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
) -> SolverReport:
    """Re-plan every series the change affects jointly, within ``time_limit_seconds``.

    Returns the assignment (as a ``ReplanResult``, same shape as ``replan``), CP-SAT's objective
    and best bound, the status, and in ``result.broken`` the series that could not be kept
    whole. A change that is itself impossible comes back INFEASIBLE with ``result.rejected``.
    """
    limits = limits or CandidateLimits()
    problem = build_replan_problem(series, state, change, now=now, weights=weights)
    if problem.rejected is not None:
        return SolverReport(
            SolveStatus.INFEASIBLE,
            ReplanResult((), 0, problem.rejected),
            None,
            None,
            0,
            0.0,
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
    _add_hint(model, problem, candidates, variables, greedy_by_series)

    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_seconds
    solver.parameters.random_seed = random_seed
    if workers is not None:
        solver.parameters.num_workers = workers
    status = SolveStatus(solver.status_name(solver.solve(model)))

    n_candidates = sum(len(c) for per_task in candidates for c in per_task)
    n_sessions = sum(len(task.variable) for task in problem.tasks)
    if status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return SolverReport(
            status,
            ReplanResult(tuple(greedy), greedy_objective),
            None,
            None,
            greedy_objective,
            solver.wall_time,
            len(problem.tasks),
            n_sessions,
            n_candidates,
        )

    outcomes: list[SeriesReplan] = []
    for task, per_task, task_vars in zip(problem.tasks, candidates, variables, strict=True):
        placements: list[Placement | None] = []
        for options, session in zip(per_task, task_vars, strict=True):
            picked = next(
                (
                    c.placement
                    for c, lit in zip(options, session.chosen, strict=True)
                    if solver.boolean_value(lit)
                ),
                None,
            )
            placements.append(picked)
        greedy_outcome = greedy_by_series[task.series.series_id]
        reason = greedy_outcome.reason or (
            "no combination of candidate slots keeps the remaining sessions within the window"
        )
        outcomes.append(build_outcome(task, placements, problem, reason))
    result = ReplanResult(tuple(outcomes), sum(o.cost for o in outcomes))
    return SolverReport(
        status,
        result,
        round(solver.objective_value),
        max(0.0, solver.best_objective_bound),
        greedy_objective,
        solver.wall_time,
        len(problem.tasks),
        n_sessions,
        n_candidates,
    )


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
                    choices = finder.resource_options(start, limit=breadth.rooms)
                    for room_id, devices in choices:
                        end = start + finder.visit_seconds
                        self.offer(
                            Placement(day, minute, start, end, provider_id, room_id, devices)
                        )
                    times += 1 if choices else 0
                used_providers += 1 if times else 0


# -- model ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _SessionVars:
    """The model variables of one variable session."""

    chosen: list[cp_model.IntVar]
    unplaced: cp_model.IntVar
    deviation: cp_model.IntVar | None
    """Days off target from the previous variable session (None for the first)."""


def _build_model(
    problem: ReplanProblem, candidates: list[list[list[_Candidate]]]
) -> tuple[cp_model.CpModel, list[list[_SessionVars]]]:
    from ortools.sat.python import cp_model

    weights = problem.weights
    model = cp_model.CpModel()
    objective: list[cp_model.LinearExprT] = []
    holds: dict[str, list[tuple[int, int, cp_model.IntVar]]] = defaultdict(list)
    variables: list[list[_SessionVars]] = []
    origin = problem.now_epoch
    for t, (task, per_task) in enumerate(zip(problem.tasks, candidates, strict=True)):
        window = task.series.request.interval
        patient_key = f"patient:{task.series.request.patient_id}"
        task_vars: list[_SessionVars] = []
        previous_day: cp_model.LinearExpr | None = None
        for i, options in enumerate(per_task):
            lits = [model.new_bool_var(f"x{t}_{i}_{k}") for k in range(len(options))]
            gone = model.new_bool_var(f"u{t}_{i}")
            model.add_exactly_one([*lits, gone])
            if task_vars:
                model.add_implication(task_vars[-1].unplaced, gone)
            objective.append(weights.unplaced_session * gone)
            objective.extend(c.cost * lit for c, lit in zip(options, lits, strict=True) if c.cost)
            day = cp_model.LinearExpr.weighted_sum(lits, [c.day_index for c in options])
            deviation: cp_model.IntVar | None = None
            if previous_day is not None:
                # Both sessions are placed whenever this one is (unplaced runs to the end).
                gap = day - previous_day
                model.add(gap >= window.min_days).only_enforce_if(~gone)
                model.add(gap <= window.max_days).only_enforce_if(~gone)
                spread = max(
                    window.target_days - window.min_days, window.max_days - window.target_days
                )
                deviation = model.new_int_var(0, spread, f"d{t}_{i}")
                model.add(deviation >= gap - window.target_days).only_enforce_if(~gone)
                model.add(deviation >= window.target_days - gap).only_enforce_if(~gone)
                objective.append(weights.interval_deviation_per_day * deviation)
            previous_day = day
            for option, lit in zip(options, lits, strict=True):
                for key, start, end in option.placement.resource_holds(patient_key):
                    holds[key].append((start - origin, end - origin, lit))
            task_vars.append(_SessionVars(lits, gone, deviation))
        if task_vars:
            # Unplaced sessions run to the end, so the last one says whether the series broke.
            objective.append(weights.broken_series * task_vars[-1].unplaced)
        variables.append(task_vars)

    for entries in holds.values():
        for clique in _maximal_cliques(entries):
            model.add_at_most_one(clique)
    model.minimize(sum(objective))
    return model, variables


def _maximal_cliques(
    entries: list[tuple[int, int, cp_model.IntVar]],
) -> list[list[cp_model.IntVar]]:
    """Groups of holds on one resource that all overlap at some instant: at most one of each
    group may be chosen. For fixed intervals that is exactly "no overlap", and the at-most-one
    form is far cheaper for CP-SAT than a no-overlap over thousands of optional intervals."""
    cliques: list[list[cp_model.IntVar]] = []
    active: list[tuple[int, int, cp_model.IntVar]] = []
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


def _add_hint(
    model: cp_model.CpModel,
    problem: ReplanProblem,
    candidates: list[list[list[_Candidate]]],
    variables: list[list[_SessionVars]],
    greedy_by_series: dict[str, SeriesReplan],
) -> None:
    """Start CP-SAT from the greedy answer, every variable hinted (a complete hint is accepted
    at once; every greedy placement is among the candidates)."""
    for task, per_task, task_vars in zip(problem.tasks, candidates, variables, strict=True):
        outcome = greedy_by_series[task.series.series_id]
        placed = {
            s.number: (to_epoch(s.start), s.provider_id, s.room_id, s.device_ids)
            for s in outcome.sessions
        }
        previous_day: int | None = None
        for original, options, session in zip(task.variable, per_task, task_vars, strict=True):
            wanted = placed.get(original.number)
            day: int | None = None
            for option, lit in zip(options, session.chosen, strict=True):
                p = option.placement
                match = day is None and wanted == (
                    p.start,
                    p.provider_id,
                    p.room_id,
                    tuple(device_id for device_id, *_rest in p.devices),
                )
                model.add_hint(lit, match)
                if match:
                    day = option.day_index
            model.add_hint(session.unplaced, day is None)
            if session.deviation is not None:
                target = task.series.request.interval.target_days
                off = 0 if day is None or previous_day is None else abs(day - previous_day - target)
                model.add_hint(session.deviation, off)
            previous_day = day
