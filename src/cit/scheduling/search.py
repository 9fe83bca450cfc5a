"""find_series: propose a whole treatment series, best first, with genuine alternatives.

Search shape (bounded, so latency does not grow with the size of the book):

1. *Anchors*: scan candidate first-session days from the earliest start; on each day take the
   best slot of every eligible provider and keep the cheapest few.
2. *Completion*: from an anchor, place each next session by best-first search over the days
   allowed by the interval window (closest to target first) and the providers (the lead
   provider first), with a cost bound; if a later session cannot be placed at all, backtrack
   to a few different days for the session before it.
3. Stop scanning when no later start day can beat the proposals already found (the start delay
   alone is a lower bound), or when the evaluation budget is spent.

Costs are additive per session and equal the reported ``ScoreBreakdown``, so the ranking the
front desk sees is exactly the one the search optimised.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from cit.scheduling.localtime import local_date, to_epoch
from cit.scheduling.slots import Placement, SlotFinder, devices_for
from cit.scheduling.state import ClinicState
from cit.scheduling.types import (
    BookedSession,
    DeviceKind,
    FailureCode,
    ScheduleProposal,
    SchedulingFailure,
    ScoreBreakdown,
    ScoreComponent,
    SeriesRequest,
    SeriesSearchResult,
    TimeRange,
)
from cit.scheduling.wording import day_words, provider_words


@dataclass(frozen=True, slots=True)
class ProposalWeights:
    """How much each imperfection costs; a day of start delay is the unit."""

    start_delay_per_day: float = 1.0
    interval_deviation_per_day: float = 2.0
    provider_change_per_session: float = 4.0
    preferred_provider_miss_per_session: float = 3.0
    weekday_miss_per_session: float = 2.0
    time_window_miss_per_session: float = 2.0
    time_drift_per_hour: float = 0.5


@dataclass(frozen=True, slots=True)
class SearchLimits:
    """Bounds that keep one call fast whatever the book looks like."""

    horizon_days: int = 90
    """How far after the earliest start to look for session 1 when latest_start is open."""
    anchors_per_day: int = 2
    """How many providers' first sessions per start day are completed into whole series."""
    max_completions: int = 40
    max_slot_evaluations: int = 3000
    backtrack_days: int = 3
    """How many other days to try for a session whose successor found no place at all."""


@dataclass(slots=True)
class _Found:
    cost: float
    placements: list[Placement]
    score: ScoreBreakdown = field(repr=False)

    @property
    def day(self) -> date:
        return self.placements[0].day

    @property
    def lead(self) -> str:
        return self.placements[0].provider_id


def booking_horizon(
    request: SeriesRequest, limits: SearchLimits | None = None
) -> tuple[date, date]:
    """The first and last local day any session ``find_series`` may propose can fall on.

    The booking layer loads only the appointments and absences overlapping these days into the
    ``ClinicState`` it builds for one request, instead of the clinic's whole book.
    """
    limits = limits or SearchLimits()
    last_start = request.latest_start or request.earliest_start + timedelta(
        days=limits.horizon_days
    )
    last = last_start + timedelta(days=(request.sessions - 1) * request.interval.max_days)
    return request.earliest_start, last


def find_series(
    request: SeriesRequest,
    state: ClinicState,
    *,
    alternatives: int = 3,
    not_before: datetime | None = None,
    weights: ProposalWeights | None = None,
    limits: SearchLimits | None = None,
) -> SeriesSearchResult:
    """Propose the best schedule for a whole series plus up to ``alternatives`` others that start
    on a different day (or, failing that, with a different provider).

    Every proposed session fits the opening hours, the provider's working hours and absences,
    the licence rule, and leaves no resource (provider, room, devices, patient) double-booked;
    every interval lies within the request's window. ``not_before`` is the current instant when
    the earliest start is today (no session is proposed in the past). When nothing fits, the
    result carries a ``SchedulingFailure`` saying why instead of an empty list.
    """
    weights = weights or ProposalWeights()
    limits = limits or SearchLimits()
    finder = SlotFinder(
        state,
        state.occupancy(),
        request,
        not_before=None if not_before is None else to_epoch(not_before),
    )
    failure = _static_failure(request, state, finder)
    if failure is not None:
        return SeriesSearchResult((), failure)
    search = _SeriesSearch(request, finder, weights, limits)
    first_day = request.earliest_start
    if not_before is not None:
        first_day = max(first_day, local_date(not_before, state.zone))
    last_day = request.latest_start or request.earliest_start + timedelta(days=limits.horizon_days)
    found = search.run(first_day, last_day, want=1 + max(0, alternatives))
    if not found:
        if search.anchors_seen:
            return SeriesSearchResult((), search.completion_failure())
        return SeriesSearchResult((), _diagnose_first_session(request, finder, first_day, last_day))
    proposals = tuple(
        ScheduleProposal(
            rank=rank,
            sessions=tuple(
                p.to_session(n, finder.zone) for n, p in enumerate(item.placements, start=1)
            ),
            score=item.score,
            lead_provider_id=item.lead,
        )
        for rank, item in enumerate(found, start=1)
    )
    return SeriesSearchResult(proposals)


def place_visit(
    request: SeriesRequest,
    state: ClinicState,
    start: datetime,
    provider_id: str,
    *,
    not_before: datetime | None = None,
) -> BookedSession | str:
    """One visit of ``request`` at exactly ``start`` with ``provider_id`` (a time picked by
    hand, e.g. a free block clicked in the day view), with a free room and devices; or why it
    cannot go there (closed, outside hours, absent, taken, past)."""
    finder = SlotFinder(
        state,
        state.occupancy(),
        request,
        not_before=None if not_before is None else to_epoch(not_before),
    )
    placed = finder.check_start(to_epoch(start), provider_id)
    if isinstance(placed, str):
        return placed
    return placed.to_session(1, finder.zone)


def _nearest(starts: list[tuple[int, int]], minute: int) -> int:
    """The index of the start (in minute order) nearest ``minute``; the earlier of two as
    near."""
    after = bisect_left(starts, (minute,))
    if after == len(starts):
        return after - 1
    if after == 0:
        return 0
    before = after - 1
    return before if minute - starts[before][0] <= starts[after][0] - minute else after


class _SeriesSearch:
    def __init__(
        self,
        request: SeriesRequest,
        finder: SlotFinder,
        weights: ProposalWeights,
        limits: SearchLimits,
    ) -> None:
        self.request = request
        self.finder = finder
        self.weights = weights
        self.limits = limits
        self.window = request.interval
        self.prefs = request.preferences
        preferred = self.prefs.provider_id
        self.provider_ids = sorted(
            (p.id for p in finder.providers), key=lambda pid: pid != preferred
        )
        # Delay counts from the first day the search may use: the earliest start, or today.
        self.first_day = request.earliest_start
        self.evaluations = 0
        self.anchors_seen = 0
        self.unplaceable_session = Counter[int]()
        self._memo: dict[tuple[date, str, int | None], Placement | None] = {}
        self._days_after: dict[date, list[tuple[float, date]]] = {}
        self._time_costs: dict[tuple[int, int | None], float] = {}
        offsets = range(self.window.min_days, self.window.max_days + 1)
        self._offsets = sorted(offsets, key=lambda o: (abs(o - self.window.target_days), o))

    # -- costs -----------------------------------------------------------------------------

    def day_cost(self, day: date) -> float:
        return (
            0.0
            if self.prefs.likes_weekday(day.weekday())
            else self.weights.weekday_miss_per_session
        )

    def provider_cost(self, provider_id: str, lead: str | None) -> float:
        cost = 0.0
        if lead is not None and provider_id != lead:
            cost += self.weights.provider_change_per_session
        preferred = self.prefs.provider_id
        if preferred is not None and provider_id != preferred:
            cost += self.weights.preferred_provider_miss_per_session
        return cost

    def time_cost(self, minute: int, reference: int | None) -> float:
        # Asked for every start of every day and provider tried: the same few hundred
        # (minute, reference) pairs, so each is worked out once.
        key = (minute, reference)
        cost = self._time_costs.get(key)
        if cost is None:
            cost = (
                0.0
                if self.prefs.likes_minute(minute)
                else self.weights.time_window_miss_per_session
            )
            if reference is not None:
                cost += self.weights.time_drift_per_hour * abs(minute - reference) / 60
            self._time_costs[key] = cost
        return cost

    # -- the slot question, memoised ------------------------------------------------------

    def best_slot(self, day: date, provider_id: str, reference: int | None) -> Placement | None:
        """The cheapest feasible start for this provider on this day, given the time of day of
        session 1 (``reference``) for the drift cost."""
        memo_key = (day, provider_id, reference)
        if memo_key in self._memo:
            return self._memo[memo_key]
        self.evaluations += 1
        starts = self.finder.provider_starts(day, provider_id)
        found: Placement | None = None
        if reference is None and not self.prefs.time_windows:
            ranked = starts  # already in time order: the earliest start wins
        elif starts and reference is not None and not self.prefs.time_windows:
            # The cost is the drift alone: the start nearest the reference (the earlier of two
            # as near) is the cheapest, found by bisection instead of costing every start.
            nearest = _nearest(starts, reference)
            minute, start = starts[nearest]
            found = self.finder.place(day, minute, start, provider_id)
            ranked = [] if found is not None else self._by_drift(starts, reference, nearest)
        elif starts:
            # The cheapest start usually has a room and devices free: try it before sorting.
            keyed = [(self.time_cost(minute, reference), minute, start) for minute, start in starts]
            _cost, minute, start = min(keyed)
            found = self.finder.place(day, minute, start, provider_id)
            ranked = [] if found is not None else [(m, s) for _c, m, s in sorted(keyed)]
        else:
            ranked = []
        for minute, start in ranked:
            found = self.finder.place(day, minute, start, provider_id)
            if found is not None:
                break
        self._memo[memo_key] = found
        return found

    @staticmethod
    def _by_drift(
        starts: list[tuple[int, int]], reference: int, nearest: int
    ) -> list[tuple[int, int]]:
        """Every start but ``nearest``, by distance from ``reference`` (the earlier first)."""
        return sorted(
            (item for i, item in enumerate(starts) if i != nearest),
            key=lambda item: (abs(item[0] - reference), item[0]),
        )

    # -- anchors -------------------------------------------------------------------------

    def run(self, first_day: date, last_day: date, want: int) -> list[_Found]:
        results: list[_Found] = []
        best_per_day: dict[date, float] = {}
        completions = 0
        self.first_day = first_day
        day = first_day
        while day <= last_day:
            lower_bound = self.weights.start_delay_per_day * (day - first_day).days
            ranked_days = sorted(best_per_day.values())
            if len(ranked_days) >= want and lower_bound >= ranked_days[want - 1]:
                break
            if completions >= self.limits.max_completions:
                break
            if self.evaluations >= self.limits.max_slot_evaluations:
                break
            if self.finder.clinic_open(day):
                anchors: list[tuple[float, Placement]] = []
                for provider_id in self.provider_ids:
                    placement = self.best_slot(day, provider_id, None)
                    if placement is not None:
                        cost = (
                            lower_bound
                            + self.day_cost(day)
                            + self.provider_cost(provider_id, None)
                            + self.time_cost(placement.minute, None)
                        )
                        anchors.append((cost, placement))
                self.anchors_seen += len(anchors)
                anchors.sort(key=lambda a: (a[0], a[1].start, a[1].provider_id))
                for _cost, anchor in anchors[: self.limits.anchors_per_day]:
                    completions += 1
                    placements = self.complete(anchor)
                    if placements is not None:
                        score = self.score(placements)
                        results.append(_Found(score.total, placements, score))
                        best_per_day[day] = min(best_per_day.get(day, score.total), score.total)
            day += timedelta(days=1)
        return self.select(results, want)

    def select(self, results: list[_Found], want: int) -> list[_Found]:
        """Best first; then alternatives that start on another day; then, if still short,
        ones that start the same day with another lead provider."""
        results.sort(key=lambda f: (f.cost, f.placements[0].start, f.lead))
        chosen: list[_Found] = []
        for item in results:
            if len(chosen) == want:
                break
            if all(item.day != other.day for other in chosen):
                chosen.append(item)
        for item in results:
            if len(chosen) == want:
                break
            if all((item.day, item.lead) != (other.day, other.lead) for other in chosen):
                chosen.append(item)
        return chosen

    # -- completion ------------------------------------------------------------------------

    def complete(self, anchor: Placement) -> list[Placement] | None:
        return self._extend([anchor])

    def _extend(self, placed: list[Placement]) -> list[Placement] | None:
        if len(placed) == self.request.sessions:
            return placed
        if self.evaluations >= self.limits.max_slot_evaluations:
            return None
        best = self._next_best(placed)
        if best is None:
            self.unplaceable_session[len(placed) + 1] += 1
            return None
        result = self._extend([*placed, best])
        if result is not None:
            return result
        tried = {best.day}
        for option in self._next_options(placed):
            if len(tried) > self.limits.backtrack_days:
                break
            if option.day in tried:
                continue
            tried.add(option.day)
            result = self._extend([*placed, option])
            if result is not None:
                return result
        return None

    def _candidate_days(self, previous: date) -> list[tuple[float, date]]:
        """Days the next session may take, cheapest first (ties: closest to target, earlier)."""
        cached = self._days_after.get(previous)
        if cached is not None:
            return cached
        weight = self.weights.interval_deviation_per_day
        target = self.window.target_days
        options = []
        for offset in self._offsets:
            day = previous + timedelta(days=offset)
            options.append((weight * abs(offset - target) + self.day_cost(day), day))
        options.sort(key=lambda o: o[0])  # stable, so the offset order breaks ties
        self._days_after[previous] = options
        return options

    def _provider_costs(self, lead: str) -> list[tuple[float, str]]:
        return sorted(
            ((self.provider_cost(pid, lead), pid) for pid in self.provider_ids),
            key=lambda pc: (pc[0], pc[1] != lead),
        )

    def _next_best(self, placed: list[Placement]) -> Placement | None:
        lead = placed[0].provider_id
        reference = placed[0].minute
        best: Placement | None = None
        best_cost = float("inf")
        providers = self._provider_costs(lead)
        for day_cost, day in self._candidate_days(placed[-1].day):
            if day_cost >= best_cost:
                break
            if not self.finder.clinic_open(day):
                continue
            for provider_cost, provider_id in providers:
                bound = day_cost + provider_cost
                if bound >= best_cost:
                    break
                placement = self.best_slot(day, provider_id, reference)
                if placement is None:
                    continue
                cost = bound + self.time_cost(placement.minute, reference)
                if cost < best_cost:
                    best, best_cost = placement, cost
        return best

    def _next_options(self, placed: list[Placement]) -> list[Placement]:
        """Every day's best placement for the next session, cheapest first (for backtracking)."""
        lead = placed[0].provider_id
        reference = placed[0].minute
        options: list[tuple[float, Placement]] = []
        providers = self._provider_costs(lead)
        for day_cost, day in self._candidate_days(placed[-1].day):
            if not self.finder.clinic_open(day):
                continue
            best_today: tuple[float, Placement] | None = None
            for provider_cost, provider_id in providers:
                placement = self.best_slot(day, provider_id, reference)
                if placement is None:
                    continue
                cost = day_cost + provider_cost + self.time_cost(placement.minute, reference)
                if best_today is None or cost < best_today[0]:
                    best_today = (cost, placement)
            if best_today is not None:
                options.append(best_today)
        options.sort(key=lambda o: (o[0], o[1].start))
        return [placement for _cost, placement in options]

    # -- explanation -----------------------------------------------------------------------

    def score(self, placements: list[Placement]) -> ScoreBreakdown:
        """The cost of a finished series, component by component (equals the search cost)."""
        w = self.weights
        first = placements[0]
        lead = first.provider_id
        target = self.window.target_days
        delay = (first.day - self.first_day).days
        deviation = sum(
            abs((b.day - a.day).days - target)
            for a, b in zip(placements, placements[1:], strict=False)
        )
        changes = sum(1 for p in placements if p.provider_id != lead)
        preferred = self.prefs.provider_id
        preferred_misses = sum(
            1 for p in placements if preferred is not None and p.provider_id != preferred
        )
        weekday_misses = sum(1 for p in placements if not self.prefs.likes_weekday(p.day.weekday()))
        time_misses = sum(1 for p in placements if not self.prefs.likes_minute(p.minute))
        drift = sum(abs(p.minute - first.minute) for p in placements[1:])
        return ScoreBreakdown(
            (
                ScoreComponent(
                    "start_delay",
                    delay,
                    "days",
                    w.start_delay_per_day,
                    w.start_delay_per_day * delay,
                    f"starts {delay} day(s) after the earliest possible date "
                    f"{day_words(self.first_day)}",
                ),
                ScoreComponent(
                    "interval_deviation",
                    deviation,
                    "days",
                    w.interval_deviation_per_day,
                    w.interval_deviation_per_day * deviation,
                    f"intervals differ from the {target}-day target by {deviation} day(s) in total",
                ),
                ScoreComponent(
                    "provider_changes",
                    changes,
                    "sessions",
                    w.provider_change_per_session,
                    w.provider_change_per_session * changes,
                    f"{changes} session(s) with a provider other than "
                    f"{provider_words(self.finder.state, lead)}",
                ),
                ScoreComponent(
                    "preferred_provider_misses",
                    preferred_misses,
                    "sessions",
                    w.preferred_provider_miss_per_session,
                    w.preferred_provider_miss_per_session * preferred_misses,
                    f"{preferred_misses} session(s) not with the preferred provider "
                    f"{provider_words(self.finder.state, preferred) if preferred else ''}",
                ),
                ScoreComponent(
                    "weekday_misses",
                    weekday_misses,
                    "sessions",
                    w.weekday_miss_per_session,
                    w.weekday_miss_per_session * weekday_misses,
                    f"{weekday_misses} session(s) on a day the patient did not prefer",
                ),
                ScoreComponent(
                    "time_window_misses",
                    time_misses,
                    "sessions",
                    w.time_window_miss_per_session,
                    w.time_window_miss_per_session * time_misses,
                    f"{time_misses} session(s) outside the patient's preferred times",
                ),
                ScoreComponent(
                    "time_drift",
                    drift,
                    "minutes",
                    w.time_drift_per_hour / 60,
                    w.time_drift_per_hour * drift / 60,
                    f"later sessions start {drift} minute(s) in total away from session 1's "
                    f"{first.minute // 60:02d}:{first.minute % 60:02d}",
                ),
            )
        )

    def completion_failure(self) -> SchedulingFailure:
        window = self.window
        if self.unplaceable_session:
            session, _count = self.unplaceable_session.most_common(1)[0]
            message = (
                f"First sessions are available, but session {session} could not be placed "
                f"{window.min_days}-{window.max_days} days after session {session - 1} "
                f"for any start tried"
            )
        else:
            message = (
                "First sessions are available, but no whole series was found within the search "
                "budget"
            )
        return SchedulingFailure(
            FailureCode.SERIES_DOES_NOT_FIT,
            message,
            tuple(
                f"session {n}: no place in its window after {count} start(s)"
                for n, count in sorted(self.unplaceable_session.items())
            ),
        )


def _describe_provider(request: SeriesRequest) -> str:
    kind = "licensed provider" if request.needs_licensed_provider else "provider"
    if request.provider_capabilities:
        kind += " with " + ", ".join(sorted(request.provider_capabilities))
    return kind


def _static_failure(
    request: SeriesRequest, state: ClinicState, finder: SlotFinder
) -> SchedulingFailure | None:
    """Reasons that hold for every day: nobody may treat, no room, no device, visit too long."""
    if not finder.providers:
        if request.needs_licensed_provider and not any(p.licensed for p in state.providers):
            message = (
                "No licensed provider on staff: the planned depth breaks the skin, which only a "
                "licensed medical professional may needle"
            )
        else:
            message = f"No {_describe_provider(request)} on staff"
        return SchedulingFailure(FailureCode.NO_ELIGIBLE_PROVIDER, message)
    if not finder.rooms:
        wanted = ", ".join(sorted(request.room_capabilities)) or "any"
        return SchedulingFailure(FailureCode.NO_SUITABLE_ROOM, f"No room with {wanted} facilities")
    for need in request.device_needs():
        if not devices_for(state, need):
            why = " (needed for PRP)" if need.kind is DeviceKind.CENTRIFUGE else ""
            return SchedulingFailure(
                FailureCode.NO_DEVICE, f"The clinic has no {need.kind.value}{why}"
            )
    longest = 0
    for provider in finder.providers:
        for weekday in range(7):
            for opening in state.clinic.opening_hours.windows_on(weekday):
                for working in provider.working_hours.windows_on(weekday):
                    overlap = min(opening.end_minute, working.end_minute) - max(
                        opening.start_minute, working.start_minute
                    )
                    longest = max(longest, overlap)
    if longest == 0:
        return SchedulingFailure(
            FailureCode.NO_SHARED_HOURS,
            f"No {_describe_provider(request)} works on any day or at any time the clinic is open",
        )
    if longest < request.visit_minutes:
        return SchedulingFailure(
            FailureCode.VISIT_TOO_LONG,
            f"A {request.visit_minutes}-minute visit is longer than any stretch in which the "
            f"clinic is open and a {_describe_provider(request)} works "
            f"(longest: {longest} minutes)",
        )
    return None


def _diagnose_first_session(
    request: SeriesRequest, finder: SlotFinder, first_day: date, last_day: date
) -> SchedulingFailure:
    """Count, day by day, what stopped session 1, and lead with the commonest reason."""
    reasons = Counter[str]()
    visit = finder.visit_seconds
    day = first_day
    while day <= last_day:
        if not finder.clinic_open(day):
            reasons["clinic closed"] += 1
        else:
            working = [
                p
                for p in finder.providers
                if any(w1 - w0 >= visit for _s, _e, w0, w1 in finder.windows(day, p.id))
            ]
            if not working:
                reasons[f"no {_describe_provider(request)} working"] += 1
            elif any(finder.provider_starts(day, p.id) for p in working):
                reasons["no suitable room or device free"] += 1
            elif all(_absent_on(p.absences, finder, day, p.id) for p in working):
                reasons[f"every {_describe_provider(request)} absent"] += 1
            else:
                reasons["fully booked"] += 1
        day += timedelta(days=1)
    span = f"{day_words(first_day)} and {day_words(last_day)}"
    if first_day > last_day:
        return SchedulingFailure(
            FailureCode.NO_FIRST_SESSION_SLOT,
            f"The latest start {day_words(last_day)} has already passed",
        )
    main = reasons.most_common(1)[0][0] if reasons else "no day searched"
    return SchedulingFailure(
        FailureCode.NO_FIRST_SESSION_SLOT,
        f"No {_describe_provider(request)} has a free {request.visit_minutes}-minute slot "
        f"(with room{' and devices' if request.device_needs() else ''}) between {span}; "
        f"mostly: {main}",
        tuple(f"{reason}: {count} day(s)" for reason, count in reasons.most_common()),
    )


def _absent_on(
    absences: tuple[TimeRange, ...], finder: SlotFinder, day: date, provider_id: str
) -> bool:
    windows = finder.windows(day, provider_id)
    for absence in absences:
        start, end = to_epoch(absence.start), to_epoch(absence.end)
        if any(start < w1 and w0 < end for _s, _e, w0, w1 in windows):
            return True
    return False
