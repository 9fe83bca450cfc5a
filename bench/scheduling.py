"""Benchmark of the scheduling core. Run: ``.venv/bin/python bench/scheduling.py``.

Prints, for a deterministic synthetic clinic with 10,000 booked sessions:

1. ``find_series`` latency (median, p95, max) over 200 requests: (a) against one
   ``ClinicState`` indexed once (a per-clinic cache; the one-off index build time is printed
   too) and (b) with a ``ClinicState`` built per request from the holds in its
   ``booking_horizon`` (no cache; the database query itself is not timed).
2. A clinic-wide re-plan after long provider absences hit ~500 series: the greedy sequential
   ``replan`` (baseline) and ``optimise_replan`` in the same run, with wall time, objectives
   (greedy, the neighbourhood search that improves it, CP-SAT's, the plan returned), the
   reported bound and its source (the Lagrangian relaxation, or CP-SAT's own),
   the wall time the bound took, the gap, CP-SAT's deterministic time and the CPU time (wall
   time alone says little on a shared host), the host's load average, and ratios against the
   baseline. ``--time-limit`` defaults to
   the production ``REPLAN_TIME_LIMIT_SECONDS`` (20 s).

Options: ``--seed``, ``--requests``, ``--appointments``, ``--affected``, ``--time-limit``,
``--workers`` (CP-SAT search workers; default: CP-SAT's own choice), ``--deterministic-time``
(CP-SAT's work budget; default: one unit per second of the limit), ``--log`` (CP-SAT's log),
``--rooms`` (room/device choices per start for moved sessions: the model's size),
``--no-search`` (skip the neighbourhood search: CP-SAT starts from the greedy plan).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time as clock
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cit.scheduling import (
    BookedSeries,
    BookedSession,
    CandidateLimits,
    Clinic,
    ClinicState,
    Device,
    DeviceKind,
    IntervalWindow,
    PatientPreferences,
    Provider,
    ProviderUnavailable,
    ResourceKind,
    Room,
    SeriesRequest,
    TimeRange,
    TimeWindow,
    WeeklyHours,
    booking_horizon,
    find_series,
    optimise_replan,
    replan,
)
from cit.scheduling.localtime import to_epoch, to_epoch_ceil
from cit.scheduling.neighbourhood import SearchBudget
from cit.scheduling.slots import SlotFinder

ZONE = "Europe/London"
PERIOD_START = date(2025, 1, 6)
PERIOD_DAYS = 52 * 7
BANK_HOLIDAYS = frozenset(
    {date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5), date(2025, 5, 26), date(2025, 8, 25)}
)


@dataclass(frozen=True)
class Indication:
    """A series shape from CLINICAL.md §3-4 (visit = check-in + numbing + needling + aftercare)."""

    name: str
    sessions: int
    window: IntervalWindow
    visit_minutes: int
    licensed_share: float
    prp: bool = False
    weight: float = 1.0


INDICATIONS = (
    Indication("rejuvenation", 4, IntervalWindow(14, 28, 42), 90, 0.7, weight=4),
    Indication("acne_scars", 6, IntervalWindow(28, 28, 42), 90, 1.0, weight=2),
    Indication("striae", 6, IntervalWindow(28, 28, 42), 90, 1.0, weight=1),
    Indication("melasma", 4, IntervalWindow(14, 14, 28), 75, 0.3, weight=2),
    Indication("alopecia", 12, IntervalWindow(7, 7, 14), 90, 1.0, weight=0.5),
    Indication("rejuvenation_prp", 4, IntervalWindow(28, 28, 42), 100, 1.0, prp=True, weight=1),
)


def build_resources(rng: random.Random) -> tuple[Clinic, list[Provider], list[Room], list[Device]]:
    clinic = Clinic(
        ZONE,
        WeeklyHours.from_mapping({d: ["08:00-20:00"] for d in range(5)} | {5: ["09:00-14:00"]}),
        closed_dates=BANK_HOLIDAYS,
    )
    shifts = [
        WeeklyHours.every(range(5), "08:00-16:30"),
        WeeklyHours.every(range(5), "11:30-20:00"),
        WeeklyHours.from_mapping(
            {
                1: ["09:00-18:00"],
                2: ["09:00-18:00"],
                3: ["09:00-18:00"],
                4: ["09:00-18:00"],
                5: ["09:00-14:00"],
            }
        ),
        WeeklyHours.every(range(4), "08:00-13:00", "13:30-19:00"),
    ]
    providers = []
    for n in range(16):
        licensed = n < 12
        vacation_start = PERIOD_START + timedelta(days=rng.randrange(PERIOD_DAYS - 14))
        absence = TimeRange(
            datetime.combine(vacation_start, time(0), ZoneInfo(ZONE)),
            datetime.combine(vacation_start + timedelta(days=5), time(0), ZoneInfo(ZONE)),
        )
        providers.append(
            Provider(
                f"p{n:02d}",
                licensed,
                shifts[n % len(shifts)],
                absences=(absence,),
                capabilities=frozenset({"prp", "scalp"} if licensed else set()),
            )
        )
    rooms = [Room(f"r{n:02d}") for n in range(12)]
    devices = (
        [Device(f"pen{n:02d}", DeviceKind.PEN) for n in range(14)]
        + [Device(f"roller{n}", DeviceKind.ROLLER) for n in range(3)]
        + [Device(f"centrifuge{n}", DeviceKind.CENTRIFUGE) for n in range(3)]
    )
    return clinic, providers, rooms, devices


def random_request(rng: random.Random, patient_id: str, earliest: date) -> SeriesRequest:
    indication = rng.choices(INDICATIONS, weights=[i.weight for i in INDICATIONS])[0]
    licensed = rng.random() < indication.licensed_share
    preferences = PatientPreferences()
    if rng.random() < 0.4:
        preferences = PatientPreferences(weekdays=frozenset(rng.sample(range(6), 2)))
    if rng.random() < 0.3:
        preferences = PatientPreferences(
            weekdays=preferences.weekdays,
            time_windows=(
                rng.choice([TimeWindow.parse("08:00-12:00"), TimeWindow.parse("16:00-20:00")]),
            ),
        )
    return SeriesRequest(
        patient_id=patient_id,
        sessions=indication.sessions,
        interval=indication.window,
        visit_minutes=indication.visit_minutes,
        needs_licensed_provider=licensed,
        earliest_start=earliest,
        needs_centrifuge=indication.prp,
        needling_device=DeviceKind.ROLLER if rng.random() < 0.1 else DeviceKind.PEN,
        provider_capabilities=frozenset({"scalp"})
        if indication.name == "alopecia"
        else frozenset(),
        preferences=preferences,
    )


def book_synthetic_series(
    rng: random.Random, empty: ClinicState, target_sessions: int
) -> list[BookedSeries]:
    """Fill the book with valid series, placed directly (fast) rather than via find_series:
    random start day, provider and time, then each next session near the target interval,
    same provider and time when free."""
    occupancy = empty.occupancy().copy()
    booked: list[BookedSeries] = []
    total = 0
    serial = 0
    while total < target_sessions:
        serial += 1
        patient = f"patient{serial:05d}"
        earliest = PERIOD_START + timedelta(days=rng.randrange(PERIOD_DAYS - 60))
        request = random_request(rng, patient, earliest)
        finder = SlotFinder(empty, occupancy, request)
        sessions: list[BookedSession] = []
        day = earliest
        provider = rng.choice(finder.providers).id
        minute: int | None = None
        for number in range(1, request.sessions + 1):
            placement = None
            for attempt in range(8):
                if number > 1:
                    w = request.interval
                    offset = w.target_days if attempt == 0 else rng.randint(w.min_days, w.max_days)
                    candidate_day = day + timedelta(days=offset)
                else:
                    candidate_day = day + timedelta(days=attempt * rng.randint(1, 3))
                who = provider if attempt < 4 else rng.choice(finder.providers).id
                starts = finder.provider_starts(candidate_day, who)
                if not starts:
                    continue
                if minute is not None and attempt < 2:
                    usual = minute
                    starts = sorted(starts, key=lambda s: abs(s[0] - usual))[:1]
                picked_minute, start = rng.choice(starts)
                placement = finder.place(candidate_day, picked_minute, start, who)
                if placement is not None:
                    break
            if placement is None:
                break
            day, minute = placement.day, placement.minute
            appointment = f"a{serial:05d}-{number:02d}"
            session = placement.to_session(number, finder.zone, appointment)
            for hold in session.holds(patient):
                occupancy.add(
                    hold.resource.key, to_epoch(hold.start), to_epoch_ceil(hold.end), appointment
                )
            sessions.append(session)
            # The finder caches free starts per day; drop it so the next session sees this one.
            finder = SlotFinder(empty, occupancy, request)
        if not sessions:
            continue
        if total + len(sessions) > target_sessions:
            sessions = sessions[: target_sessions - total]
        # A series cut short by a full book is stored with the sessions it got.
        trimmed = replace(request, sessions=len(sessions))
        booked.append(BookedSeries(f"s{serial:05d}", trimmed, tuple(sessions)))
        total += len(sessions)
    return booked


def candidate_limits(rooms: int) -> CandidateLimits:
    default = CandidateLimits()
    return CandidateLimits(
        standing=default.standing,
        displaced=replace(default.displaced, rooms=rooms),
        stranded=replace(default.stranded, rooms=rooms),
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20250106)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--appointments", type=int, default=10_000)
    parser.add_argument("--affected", type=int, default=500)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--deterministic-time", type=float, default=None)
    parser.add_argument("--log", action="store_true", help="print CP-SAT's search log")
    parser.add_argument(
        "--rooms",
        type=int,
        default=None,
        help="room/device choices per start and provider for moved sessions (model size)",
    )
    parser.add_argument(
        "--no-search",
        action="store_true",
        help="skip the neighbourhood search (CP-SAT starts from the greedy plan)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)

    clinic, providers, rooms, devices = build_resources(rng)
    empty = ClinicState(clinic, tuple(providers), tuple(rooms), tuple(devices))
    started = clock.perf_counter()
    series = book_synthetic_series(rng, empty, args.appointments)
    generated = clock.perf_counter() - started
    busy = tuple(
        hold
        for s in series
        for session in s.sessions
        for hold in session.holds(s.request.patient_id)
    )
    state = ClinicState(clinic, tuple(providers), tuple(rooms), tuple(devices), busy)
    started = clock.perf_counter()
    state.occupancy()
    index_ms = (clock.perf_counter() - started) * 1000
    n_sessions = sum(len(s.sessions) for s in series)
    print(f"clinic: {len(providers)} providers, {len(rooms)} rooms, {len(devices)} devices, {ZONE}")
    print(
        f"book:   {n_sessions} appointments in {len(series)} series ({len(busy)} resource holds), "
        f"generated in {generated:.1f} s; index built once in {index_ms:.0f} ms"
    )

    # -- find_series latency ----------------------------------------------------------------
    # (a) one ClinicState, indexed once, shared by every request (cache it per clinic);
    # (b) a ClinicState built per request from the holds within its booking_horizon (what a
    #     view would do after an indexed range query; the query itself is not timed here).
    zone = ZoneInfo(ZONE)
    by_start = sorted(busy, key=lambda h: to_epoch(h.start))
    hold_starts = [to_epoch(h.start) for h in by_start]
    shared: list[float] = []
    per_request: list[float] = []
    holds_loaded: list[int] = []
    outcomes: Counter[str] = Counter()
    for n in range(args.requests):
        earliest = PERIOD_START + timedelta(days=rng.randrange(120))
        request = random_request(rng, f"new{n:04d}", earliest)
        started = clock.perf_counter()
        result = find_series(request, state)
        shared.append((clock.perf_counter() - started) * 1000)
        outcomes["found" if result.failure is None else f"failed: {result.failure.code}"] += 1

        first, last = booking_horizon(request)
        # Holds last at most a visit, so starting a day early catches every overlap.
        low = to_epoch(datetime.combine(first - timedelta(days=1), time(0), zone))
        high = to_epoch(datetime.combine(last + timedelta(days=1), time(0), zone))
        # Other patients' own holds cannot clash with this request, so they are not loaded.
        window = [
            h
            for h in by_start[bisect_left(hold_starts, low) : bisect_left(hold_starts, high)]
            if h.resource.kind is not ResourceKind.PATIENT or h.resource.id == request.patient_id
        ]
        started = clock.perf_counter()
        own = ClinicState(clinic, tuple(providers), tuple(rooms), tuple(devices), tuple(window))
        again = find_series(request, own)
        per_request.append((clock.perf_counter() - started) * 1000)
        holds_loaded.append(len(window))
        assert again.proposals == result.proposals, "a horizon slice must not change the answer"
    print(
        f"\nfind_series x{args.requests} (shared index): median "
        f"{statistics.median(shared):.1f} ms, p95 {percentile(shared, 0.95):.1f} ms, "
        f"max {max(shared):.1f} ms  ({', '.join(f'{k}: {v}' for k, v in outcomes.most_common())})"
    )
    print(
        f"find_series x{args.requests} (state built per request from its horizon, median "
        f"{statistics.median(holds_loaded):.0f} holds): median "
        f"{statistics.median(per_request):.1f} ms, p95 {percentile(per_request, 0.95):.1f} ms, "
        f"max {max(per_request):.1f} ms"
    )

    # -- clinic-wide re-plan ---------------------------------------------------------------
    now = datetime.combine(PERIOD_START + timedelta(days=84), time(8), zone)
    # Summer leave: providers in turn take three weeks off, each starting a week after the
    # previous one, until the absences hit the wanted number of series.
    changes: list[ProviderUnavailable] = []
    affected: set[str] = set()
    for turn, provider in enumerate(providers):
        if len(affected) >= args.affected:
            break
        leave_start = now + timedelta(days=7 * (turn + 1))
        change = ProviderUnavailable(provider.id, leave_start, leave_start + timedelta(weeks=3))
        changes.append(change)
        affected.update(
            s.series_id
            for s in series
            if any(
                x.provider_id == provider.id and x.start >= now and change.overlaps(x)
                for x in s.sessions
            )
        )
    print(
        f"\nre-plan: {len(changes)} providers take 3 weeks' leave in turn from "
        f"{changes[0].start:%Y-%m-%d}: {len(affected)} series affected"
    )
    started = clock.perf_counter()
    greedy = replan(series, state, changes, now=now)
    greedy_seconds = clock.perf_counter() - started
    print(
        f"  greedy sequential replan: {greedy_seconds:6.2f} s  objective {greedy.objective:>8}  "
        f"moves {len(greedy.moves)}  series not kept whole {len(greedy.broken)}"
    )
    started = clock.perf_counter()
    report = optimise_replan(
        series,
        state,
        changes,
        now=now,
        time_limit_seconds=args.time_limit,
        workers=args.workers,
        deterministic_time_limit=args.deterministic_time,
        log_search=args.log,
        limits=None if args.rooms is None else candidate_limits(args.rooms),
        search_budget=SearchBudget(neighbourhood_sizes=()) if args.no_search else None,
    )
    solver_seconds = clock.perf_counter() - started
    cp_sat = "none" if report.objective is None else f"{report.objective:>8}"
    print(
        f"  optimise_replan:          {solver_seconds:6.2f} s  objective "
        f"{report.result.objective:>8}  moves {len(report.result.moves)}  series not kept "
        f"whole {len(report.broken)}"
    )
    search = report.search
    if search is not None:
        print(
            f"    neighbourhood search: objective {search.start_objective} (greedy) -> "
            f"{search.objective} in {search.seconds:.2f} s wall, {search.steps} steps "
            f"({search.improving_steps} improving), "
            f"{'budget spent' if search.complete else 'cut short by the time limit'}"
        )
    print(f"    CP-SAT objective {cp_sat}")
    gap = "n/a" if report.gap is None else f"{report.gap:.2%}"
    print(
        f"    status {report.status}; plan returned: objective {report.result.objective}; "
        f"bound {report.best_bound} ({report.bound_source}); gap {gap}"
    )
    print(
        f"    bounds: Lagrangian relaxation {report.relaxation_bound} "
        f"({report.relaxation_iterations} iterations, {report.relaxation_seconds:.2f} s wall), "
        f"CP-SAT {report.cp_sat_bound}"
    )
    presolve = (
        "did not finish" if report.presolve_seconds is None else f"{report.presolve_seconds:.2f} s"
    )
    print(
        f"    CP-SAT {report.cp_sat_seconds:.2f} s wall (presolve {presolve}), deterministic "
        f"time {report.deterministic_time:.2f}; bound, search and CP-SAT used "
        f"{report.cpu_seconds:.1f} CPU s (limit {args.time_limit:g} s wall); "
        f"whole call {report.wall_seconds:.2f} s"
    )
    print(
        f"    model: {report.series} series, {report.variable_sessions} variable sessions, "
        f"{report.candidates} candidates, {report.model_variables} booleans"
    )
    print(f"    load average (1, 5, 15 min) after the run: {os.getloadavg()}")
    if greedy.objective:
        print(
            f"    ratio vs greedy: objective x{report.result.objective / greedy.objective:.3f}, "
            f"time x{solver_seconds / max(greedy_seconds, 1e-9):.1f}"
        )


if __name__ == "__main__":
    main()
