"""replan: keep booked series whole when a session moves or a provider becomes unavailable.

A change makes a suffix of each affected series *variable*: the sessions from the first one the
change touches to the end (never a session already in the past). Everything else stays put. The
greedy re-plan here handles the affected series one at a time, earliest first: each variable
session stays where it is if that is still valid, otherwise it goes to the cheapest nearby spot
(same time of day, same provider, interval close to target), backtracking a little when a later
session would find no room. It never displaces another booking, which makes it the safe default
for one moved session and the baseline the clinic-wide CP-SAT optimiser (``solver.py``) must beat.

Both share ``ReplanProblem`` and the same integer objective, so their figures compare directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from cit.scheduling.localtime import local_date, minute_of_day, to_epoch, to_epoch_ceil
from cit.scheduling.occupancy import Occupancy, resource_key
from cit.scheduling.slots import Placement, SlotFinder
from cit.scheduling.state import ClinicState
from cit.scheduling.types import (
    BookedSeries,
    BookedSession,
    BusyInterval,
    ResourceKind,
    TimeRange,
)
from cit.scheduling.wording import day_words, provider_words, time_words


@dataclass(frozen=True, slots=True)
class SessionMoved:
    """The front desk moves one session to ``new_start`` (optionally to another provider)."""

    series_id: str
    session_number: int
    new_start: datetime
    provider_id: str | None = None

    def __post_init__(self) -> None:
        if self.new_start.tzinfo is None:
            raise ValueError("SessionMoved.new_start must be timezone-aware")


@dataclass(frozen=True, slots=True)
class ProviderUnavailable:
    """A provider is away over [start, end): an absence added after sessions were booked."""

    provider_id: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        TimeRange(self.start, self.end)  # validates awareness and order

    def overlaps(self, session: BookedSession) -> bool:
        return TimeRange(self.start, self.end).overlaps(session.start, session.end)


ScheduleChange = SessionMoved | ProviderUnavailable


@dataclass(frozen=True, slots=True)
class ReplanWeights:
    """Integer costs (CP-SAT needs integers); one day of interval deviation is 4 points."""

    interval_deviation_per_day: int = 4
    move: int = 20
    """Any change of a session's start: the patient has to be told."""
    move_per_day: int = 2
    move_per_hour_of_day: int = 2
    """Local time-of-day shift, so a move keeps the patient's usual time where it can."""
    provider_change: int = 15
    unplaced_session: int = 1000
    broken_series: int = 2000
    """On top of the unplaced sessions: keeping series whole matters more than their count."""


@dataclass(frozen=True, slots=True)
class SessionMove:
    """``before`` -> ``after`` for one booked session (same ``appointment_id``)."""

    series_id: str
    before: BookedSession
    after: BookedSession

    @property
    def start_changed(self) -> bool:
        return to_epoch(self.before.start) != to_epoch(self.after.start)

    @property
    def provider_changed(self) -> bool:
        return self.before.provider_id != self.after.provider_id


@dataclass(frozen=True, slots=True)
class SeriesReplan:
    """One affected series after a re-plan.

    ``sessions`` is the series as it would stand (sessions that found no place are left out and
    listed in ``unplaced_sessions`` with their old placement); ``moves`` lists every session whose
    start, provider, room or devices changed; ``cost`` is its share of the objective.
    """

    series_id: str
    patient_id: str
    sessions: tuple[BookedSession, ...]
    moves: tuple[SessionMove, ...]
    unplaced_sessions: tuple[BookedSession, ...]
    reason: str | None
    cost: int

    @property
    def kept_whole(self) -> bool:
        return not self.unplaced_sessions

    @property
    def unplaced(self) -> tuple[int, ...]:
        return tuple(s.number for s in self.unplaced_sessions)


@dataclass(frozen=True, slots=True)
class ReplanResult:
    """The affected series, the total objective, or why the requested change is impossible."""

    outcomes: tuple[SeriesReplan, ...]
    objective: int
    rejected: str | None = None

    @property
    def accepted(self) -> bool:
        return self.rejected is None

    @property
    def broken(self) -> tuple[SeriesReplan, ...]:
        return tuple(o for o in self.outcomes if not o.kept_whole)

    @property
    def moves(self) -> tuple[SessionMove, ...]:
        return tuple(m for o in self.outcomes for m in o.moves)


# -- the problem both re-planners solve -------------------------------------------------------


@dataclass(slots=True)
class SeriesTask:
    """One affected series: what stays, what may move, and what the change itself moved."""

    series: BookedSeries
    fixed: tuple[BookedSession, ...]
    variable: tuple[BookedSession, ...]
    changed: tuple[SessionMove, ...] = ()

    @property
    def anchor(self) -> BookedSession | None:
        """The last session that stays put before the variable ones, if any."""
        return self.fixed[-1] if self.fixed else None

    @property
    def variable_ids(self) -> list[str]:
        return [s.appointment_id for s in self.variable if s.appointment_id is not None]


@dataclass(slots=True)
class ReplanProblem:
    state: ClinicState
    occupancy: Occupancy
    """Every existing hold, plus added absences and sessions placed by the change itself."""
    tasks: list[SeriesTask]
    now: datetime
    weights: ReplanWeights
    rejected: str | None = None
    now_epoch: int = field(init=False)

    def __post_init__(self) -> None:
        self.now_epoch = to_epoch(self.now)

    @property
    def today(self) -> date:
        return local_date(self.now, self.state.zone)


def _as_changes(change: ScheduleChange | Sequence[ScheduleChange]) -> list[ScheduleChange]:
    if isinstance(change, SessionMoved | ProviderUnavailable):
        return [change]
    return list(change)


def build_replan_problem(
    series: Sequence[BookedSeries],
    state: ClinicState,
    change: ScheduleChange | Sequence[ScheduleChange],
    *,
    now: datetime,
    weights: ReplanWeights | None = None,
) -> ReplanProblem:
    """Apply the change(s) to a working copy of the clinic and work out which sessions of which
    series may move. ``series`` may hold unaffected series too; they are ignored."""
    weights = weights or ReplanWeights()
    changes = _as_changes(change)
    occupancy = state.occupancy().copy()
    problem = ReplanProblem(state, occupancy, [], now, weights)
    by_id = {s.series_id: s for s in series}
    for s in series:
        if any(session.appointment_id is None for session in s.sessions):
            raise ValueError(f"series {s.series_id}: booked sessions need appointment ids")

    for absence in (c for c in changes if isinstance(c, ProviderUnavailable)):
        state.provider(absence.provider_id)  # unknown provider -> KeyError, a caller bug
        occupancy.add(
            resource_key(ResourceKind.PROVIDER, absence.provider_id),
            to_epoch(absence.start),
            to_epoch_ceil(absence.end),
        )

    first_variable: dict[str, int] = {}
    placed_by_change: dict[str, SessionMove] = {}
    for move in (c for c in changes if isinstance(c, SessionMoved)):
        booked = by_id.get(move.series_id)
        if booked is None:
            problem.rejected = f"series {move.series_id} is not among the series passed in"
            return problem
        rejection, moved = _apply_session_move(problem, booked, move)
        if rejection is not None or moved is None:
            problem.rejected = rejection
            return problem
        placed_by_change[booked.series_id] = moved
        first_variable[booked.series_id] = move.session_number + 1

    for absence in (c for c in changes if isinstance(c, ProviderUnavailable)):
        for booked in series:
            hit = next(
                (
                    s.number
                    for s in booked.sessions
                    if s.provider_id == absence.provider_id
                    and to_epoch(s.start) >= problem.now_epoch
                    and absence.overlaps(s)
                ),
                None,
            )
            moved = placed_by_change.get(booked.series_id)
            if hit is not None and moved is not None and hit < moved.after.number:
                problem.rejected = (
                    f"Session {hit} falls in the absence of "
                    f"{provider_words(state, absence.provider_id)} and comes before the "
                    f"moved session "
                    f"{moved.after.number}; re-plan the absence first"
                )
                return problem
            if hit is not None:
                first_variable[booked.series_id] = min(
                    first_variable.get(booked.series_id, hit), hit
                )

    for series_id in sorted(set(first_variable) | set(placed_by_change)):
        booked = by_id[series_id]
        moved = placed_by_change.get(series_id)
        start_at = first_variable.get(series_id, len(booked.sessions) + 1)
        fixed: list[BookedSession] = []
        variable: list[BookedSession] = []
        for session in booked.sessions:
            if moved is not None and session.number == moved.after.number:
                fixed.append(moved.after)
            elif session.number >= start_at and to_epoch(session.start) >= problem.now_epoch:
                variable.append(session)
            else:
                fixed.append(session)
        problem.tasks.append(
            SeriesTask(booked, tuple(fixed), tuple(variable), (moved,) if moved else ())
        )
    problem.tasks.sort(
        key=lambda t: (
            t.variable[0].start if t.variable else t.fixed[-1].start,
            t.series.series_id,
        )
    )
    return problem


def _apply_session_move(
    problem: ReplanProblem, booked: BookedSeries, move: SessionMoved
) -> tuple[str | None, SessionMove | None]:
    """Place the moved session where the front desk asked, or say why it cannot go there."""
    label = f"Session {move.session_number}"
    try:
        session = booked.session(move.session_number)
    except KeyError:
        return f"{label} does not exist", None
    if to_epoch(session.start) < problem.now_epoch:
        return f"{label} already took place and cannot move", None
    if to_epoch(move.new_start) < problem.now_epoch:
        return f"{label} cannot move into the past", None
    occupancy = problem.occupancy
    occupancy.release([session.appointment_id] if session.appointment_id else [])
    finder = SlotFinder(problem.state, occupancy, booked.request, not_before=problem.now_epoch)
    provider_id = move.provider_id or session.provider_id
    placed = finder.check_start(
        to_epoch(move.new_start),
        provider_id,
        prefer_room=session.room_id,
        prefer_devices=session.device_ids,
    )
    if isinstance(placed, str):
        when = time_words(move.new_start, None, problem.state.zone)
        return f"{label} cannot move to {when}: {placed}", None
    window = booked.request.interval
    zone = problem.state.zone
    if move.session_number > 1:
        previous = booked.session(move.session_number - 1)
        gap = (placed.day - local_date(previous.start, zone)).days
        if not window.allows(gap):
            return (
                f"{label} cannot move to {day_words(placed.day)}: that is {gap} days after "
                f"session {previous.number}; the window is "
                f"{window.min_days}-{window.max_days} days",
                None,
            )
    else:
        request = booked.request
        if placed.day < request.earliest_start or (
            request.latest_start is not None and placed.day > request.latest_start
        ):
            return (
                f"{label} cannot move to {day_words(placed.day)}: the series must start between "
                f"{day_words(request.earliest_start)} and "
                f"{day_words(request.latest_start) if request.latest_start else 'any later day'}",
                None,
            )
    after = placed.to_session(session.number, finder.zone, session.appointment_id)
    for hold in after.holds(booked.request.patient_id):
        occupancy.add(
            hold.resource.key, to_epoch(hold.start), to_epoch_ceil(hold.end), hold.appointment_id
        )
    return None, SessionMove(booked.series_id, session, after)


# -- costs shared by the greedy re-plan and the solver --------------------------------------


def placement_cost(
    original: BookedSession,
    placement: Placement,
    previous_day: date | None,
    target_days: int,
    weights: ReplanWeights,
    problem: ReplanProblem,
) -> int:
    """Objective points for putting ``original`` at ``placement`` after a session on
    ``previous_day`` (``None``: the first session of the series, no interval to count)."""
    zone = problem.state.zone
    cost = 0
    if previous_day is not None:
        gap = (placement.day - previous_day).days
        cost += weights.interval_deviation_per_day * abs(gap - target_days)
    if placement.start != to_epoch(original.start):
        shift_days = abs((placement.day - local_date(original.start, zone)).days)
        shift_minutes = abs(placement.minute - minute_of_day(original.start, zone))
        cost += (
            weights.move
            + weights.move_per_day * shift_days
            + weights.move_per_hour_of_day * shift_minutes // 60
        )
    if placement.provider_id != original.provider_id:
        cost += weights.provider_change
    return cost


def build_outcome(
    task: SeriesTask,
    placements: Sequence[Placement | None],
    problem: ReplanProblem,
    reason: str | None,
) -> SeriesReplan:
    """Turn per-session placements (``None``: no place found) into a ``SeriesReplan``."""
    weights = problem.weights
    request = task.series.request
    zone = problem.state.zone
    sessions = list(task.fixed)
    moves = list(task.changed)
    unplaced: list[BookedSession] = []
    cost = 0
    anchor = task.anchor
    previous_day = None if anchor is None else local_date(anchor.start, zone)
    for original, placement in zip(task.variable, placements, strict=True):
        if placement is None:
            unplaced.append(original)
            cost += weights.unplaced_session
            continue
        cost += placement_cost(
            original, placement, previous_day, request.interval.target_days, weights, problem
        )
        after = placement.to_session(original.number, zone, original.appointment_id)
        if _where(after) != _where(original):
            moves.append(SessionMove(task.series.series_id, original, after))
        sessions.append(after)
        previous_day = placement.day
    if unplaced:
        cost += weights.broken_series
    sessions.sort(key=lambda s: s.number)
    return SeriesReplan(
        series_id=task.series.series_id,
        patient_id=request.patient_id,
        sessions=tuple(sessions),
        moves=tuple(moves),
        unplaced_sessions=tuple(unplaced),
        reason=reason if unplaced else None,
        cost=cost,
    )


def _where(session: BookedSession) -> tuple[object, ...]:
    """A session's placement as plain values: datetimes sharing a tzinfo compare by wall
    clock, which would call a move within the repeated autumn hour "no change"."""
    return (
        to_epoch(session.start),
        to_epoch(session.end),
        session.provider_id,
        session.room_id,
        tuple((u.device_id, to_epoch(u.start), to_epoch(u.end)) for u in session.devices),
    )


def variable_day_range(
    task: SeriesTask, index: int, previous_day: date | None, problem: ReplanProblem
) -> tuple[date, date]:
    """Days session ``index`` of the variable suffix may take given the previous session's day:
    the interval window after it, or, for a series' first session, the start window around
    its original day."""
    request = task.series.request
    window = request.interval
    today = problem.today
    if previous_day is not None:
        low = previous_day + timedelta(days=window.min_days)
        high = previous_day + timedelta(days=window.max_days)
    else:
        original_day = local_date(task.variable[index].start, problem.state.zone)
        low = max(request.earliest_start, original_day - timedelta(days=window.max_days))
        high = request.latest_start or original_day + timedelta(days=window.max_days)
    return max(low, today), high


# -- the greedy re-plan -------------------------------------------------------------------------


def replan(
    series: Sequence[BookedSeries],
    state: ClinicState,
    change: ScheduleChange | Sequence[ScheduleChange],
    *,
    now: datetime,
    weights: ReplanWeights | None = None,
) -> ReplanResult:
    """Re-plan the series a change affects so every interval stays inside its window.

    Later sessions move only if they must; a move keeps the local time of day and the provider
    where it can. Sessions before ``now`` never move. A series that cannot be kept whole is
    reported in ``ReplanResult.broken`` with the sessions that found no place and why; a change
    that is itself impossible (a moved session that does not fit) comes back ``rejected``.
    """
    problem = build_replan_problem(series, state, change, now=now, weights=weights)
    if problem.rejected is not None:
        return ReplanResult((), 0, problem.rejected)
    outcomes = solve_greedily(problem)
    return ReplanResult(tuple(outcomes), sum(o.cost for o in outcomes))


def solve_greedily(problem: ReplanProblem) -> list[SeriesReplan]:
    """Series by series, earliest affected first; each takes only free space."""
    occupancy = problem.occupancy.copy()
    outcomes: list[SeriesReplan] = []
    for task in problem.tasks:
        occupancy.release(task.variable_ids)
        finder = SlotFinder(
            problem.state, occupancy, task.series.request, not_before=problem.now_epoch
        )
        placements, reason = _GreedySeries(task, finder, problem).run()
        outcome = build_outcome(task, placements, problem, reason)
        variable_numbers = {s.number for s in task.variable}
        for session in outcome.sessions:
            if session.number in variable_numbers:
                for hold in session.holds(task.series.request.patient_id):
                    occupancy.add(
                        hold.resource.key,
                        to_epoch(hold.start),
                        to_epoch_ceil(hold.end),
                        hold.appointment_id,
                    )
        outcomes.append(outcome)
    return outcomes


class _GreedySeries:
    """Best-first placement of one series' variable sessions with a little backtracking."""

    def __init__(
        self,
        task: SeriesTask,
        finder: SlotFinder,
        problem: ReplanProblem,
        *,
        max_evaluations: int = 400,
        backtrack_days: int = 3,
    ) -> None:
        self.task = task
        self.finder = finder
        self.problem = problem
        self.weights = problem.weights
        self.window = task.series.request.interval
        self.zone = problem.state.zone
        self.max_evaluations = max_evaluations
        self.backtrack_days = backtrack_days
        self.evaluations = 0
        anchor = task.anchor
        self.anchor_day = None if anchor is None else local_date(anchor.start, self.zone)
        self.deepest: list[Placement] = []
        self.failure: str | None = None
        self._memo: dict[tuple[date, str, int], Placement | None] = {}

    def run(self) -> tuple[list[Placement | None], str | None]:
        full = self._extend([])
        if full is not None:
            return list(full), None
        padded: list[Placement | None] = list(self.deepest)
        padded.extend([None] * (len(self.task.variable) - len(self.deepest)))
        return padded, self.failure

    def _extend(self, placed: list[Placement]) -> list[Placement] | None:
        index = len(placed)
        if index == len(self.task.variable):
            return placed
        if index > len(self.deepest):
            self.deepest = list(placed)
        if self.evaluations >= self.max_evaluations:
            self.failure = self.failure or "the re-plan search budget ran out"
            return None
        previous_day = placed[-1].day if placed else self.anchor_day
        options = self._options(index, previous_day, bounded=True)
        if not options:
            if index >= len(self.deepest):
                self.failure = self._why_not(index, previous_day)
            return None
        result = self._extend([*placed, options[0]])
        if result is not None:
            return result
        tried = {options[0].day}
        for option in self._options(index, previous_day, bounded=False):
            if len(tried) > self.backtrack_days:
                break
            if option.day in tried:
                continue
            tried.add(option.day)
            result = self._extend([*placed, option])
            if result is not None:
                return result
        return None

    def _why_not(self, index: int, previous_day: date | None) -> str:
        number = self.task.variable[index].number
        low, high = variable_day_range(self.task, index, previous_day, self.problem)
        if previous_day is not None:
            return (
                f"session {number} has no free slot {self.window.min_days}-"
                f"{self.window.max_days} days after session {number - 1} "
                f"({day_words(low)} to {day_words(high)})"
            )
        return f"session {number} has no free slot between {day_words(low)} and {day_words(high)}"

    def _closest(self, day: date, provider_id: str, minute: int) -> Placement | None:
        """The feasible start on ``day`` nearest the original time of day."""
        memo_key = (day, provider_id, minute)
        if memo_key in self._memo:
            return self._memo[memo_key]
        self.evaluations += 1
        found: Placement | None = None
        starts = self.finder.provider_starts(day, provider_id)
        for start_minute, start in sorted(starts, key=lambda s: (abs(s[0] - minute), s[0])):
            found = self.finder.place(day, start_minute, start, provider_id)
            if found is not None:
                break
        self._memo[memo_key] = found
        return found

    def _options(self, index: int, previous_day: date | None, *, bounded: bool) -> list[Placement]:
        """Placements for variable session ``index``, cheapest first. Bounded: stop as soon as
        no remaining day can beat the best found (usually after one or two days)."""
        original = self.task.variable[index]
        weights = self.weights
        target = self.window.target_days
        low, high = variable_day_range(self.task, index, previous_day, self.problem)
        original_day = local_date(original.start, self.zone)
        original_minute = minute_of_day(original.start, self.zone)
        scored: list[tuple[int, Placement]] = []
        best = float("inf")

        def deviation(day: date) -> int:
            if previous_day is None:
                return 0
            return weights.interval_deviation_per_day * abs((day - previous_day).days - target)

        if low <= original_day <= high:
            stay = self.finder.check_start(
                to_epoch(original.start),
                original.provider_id,
                prefer_room=original.room_id,
                prefer_devices=original.device_ids,
            )
            if isinstance(stay, Placement):
                cost = deviation(original_day)
                scored.append((cost, stay))
                best = cost
        days = []
        day = low
        while day <= high:
            moved = weights.move + weights.move_per_day * abs((day - original_day).days)
            days.append((deviation(day) + moved, day))
            day += timedelta(days=1)
        days.sort()
        providers = sorted(
            self.finder.provider_ids,
            key=lambda pid: (pid != original.provider_id, pid),
        )
        for bound, day in days:
            if bounded and bound >= best:
                break
            if not self.finder.clinic_open(day):
                continue
            best_today: tuple[int, Placement] | None = None
            for provider_id in providers:
                provider_cost = (
                    0 if provider_id == original.provider_id else weights.provider_change
                )
                if bounded and bound + provider_cost >= best:
                    break
                placement = self._closest(day, provider_id, original_minute)
                if placement is None:
                    continue
                cost = placement_cost(
                    original, placement, previous_day, target, weights, self.problem
                )
                if best_today is None or cost < best_today[0]:
                    best_today = (cost, placement)
            if best_today is not None:
                scored.append(best_today)
                best = min(best, best_today[0])
        scored.sort(key=lambda item: (item[0], item[1].start))
        return [placement for _cost, placement in scored]


def apply_replan(
    state: ClinicState,
    result: ReplanResult,
    change: ScheduleChange | Sequence[ScheduleChange] = (),
) -> ClinicState:
    """The clinic after the re-plan: added absences recorded, moved sessions' old holds replaced
    by the new ones, and sessions that found no place released (they need a new booking)."""
    for absence in (c for c in _as_changes(change) if isinstance(c, ProviderUnavailable)):
        state = state.with_absence(absence.provider_id, TimeRange(absence.start, absence.end))
    released = {
        session.appointment_id
        for outcome in result.outcomes
        for session in (*(m.before for m in outcome.moves), *outcome.unplaced_sessions)
        if session.appointment_id is not None
    }
    added: list[BusyInterval] = [
        hold
        for outcome in result.outcomes
        for move in outcome.moves
        for hold in move.after.holds(outcome.patient_id)
    ]
    return state.with_changes(add=added, release=released)
