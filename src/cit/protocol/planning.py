"""Planning a treatment series (CLINICAL.md sections 3, 4, 5, 6 and 7).

:func:`plan` screens the patient first: a patient whose screening is not ``treat`` or
``treat_with_precautions`` gets no plan - :class:`PlanRefused` is raised, carrying the
screening, so callers show why. A request the protocol cannot plan (an unknown indication or
area, an indication in a zone where it makes no sense) raises :class:`PlanningError` with the
reason. Otherwise the answer is a :class:`TreatmentPlan`: one :class:`SeriesPlan` per group of
goals that can share visits (their interval windows overlap), each goal keeping its own
number of sessions, each zone one depth per visit, with who may needle, visit length, session
dates, recovery, milestones, maintenance and price (what the clinic's list does not price is
named, and the rest totalled).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cit.protocol.dates import add_months, age_on
from cit.protocol.knowledge import (
    DepthRange,
    Indication,
    Knowledge,
    PriceList,
    get_knowledge,
)
from cit.protocol.model import Decision, Goal, Intake, Screening, most_severe
from cit.protocol.profiles import Profile, resolve_profile
from cit.protocol.screening import screen


class PlanningError(ValueError):
    """The planning request itself is wrong (no goals, an unknown indication or zone, an
    indication in a zone where it makes no sense): the message says why, for a 4xx or a
    form error."""


class PlanRefused(Exception):
    """No plan: the screening does not allow treatment. ``screening`` says why."""

    def __init__(self, screening: Screening):
        self.screening = screening
        super().__init__(f"no plan: screening decision is {screening.decision}")


@dataclass(frozen=True, slots=True)
class PlanNote:
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DepthPlan:
    """The needle depth for one indication in one zone: the indication's range clipped to
    the zone's. ``note`` says why when they do not overlap (a zone deeper than the
    indication: its lowest depth and no deeper; a shallower zone: the zone's range)."""

    min_mm: float
    max_mm: float
    indication_range: DepthRange
    zone_range: DepthRange
    note: str | None


@dataclass(frozen=True, slots=True)
class ZonePlan:
    """One zone of a series, needled at one depth per visit. ``indication`` is the goal whose
    range sets the depth (the deeper one where several goals treat the zone), ``indications``
    every goal's, and ``sessions`` the visits it is needled at (until its last goal's count
    is reached)."""

    indication: str
    zone: str
    depth: DepthPlan
    licensed_only: bool
    performer: str
    indications: tuple[str, ...] = ()
    sessions: int = 0


@dataclass(frozen=True, slots=True)
class GoalPlan:
    """One goal in its series: its indication as planned (after any upgrade), its own
    number of sessions (needled at the series' first ``sessions`` visits) within
    ``sessions_range``, its own interval window, and its last session."""

    goal: Goal
    indication: str
    sessions: int
    sessions_range: tuple[int, int]
    interval_weeks: tuple[int, int, int]
    last_session: date
    price_items: tuple[tuple[str, str], ...]  # (kind, block): what a visit of it is priced as


@dataclass(frozen=True, slots=True)
class IntervalPlan:
    """Weeks between consecutive sessions: never under ``min_weeks``, at most ``max_weeks``,
    aiming for ``target_weeks``."""

    min_weeks: int
    target_weeks: int
    max_weeks: int

    @property
    def min_days(self) -> int:
        return self.min_weeks * 7

    @property
    def target_days(self) -> int:
        return self.target_weeks * 7

    @property
    def max_days(self) -> int:
        return self.max_weeks * 7


@dataclass(frozen=True, slots=True)
class VisitPlan:
    """Minutes of one visit: check-in, PRP blood draw, numbing, needling, aftercare. The PRP
    spin runs during numbing: needling starts when both are over."""

    check_in_minutes: int
    prp_blood_draw_minutes: int
    numbing_minutes: int
    needling_minutes: int
    aftercare_minutes: int
    needling_by_block: tuple[tuple[str, int], ...]
    equipment: tuple[str, ...]
    endpoint: str
    prp_spin_minutes: int = 0

    @property
    def total_minutes(self) -> int:
        return (
            self.check_in_minutes
            + self.prp_blood_draw_minutes
            + max(self.numbing_minutes, self.prp_spin_minutes)
            + self.needling_minutes
            + self.aftercare_minutes
        )


@dataclass(frozen=True, slots=True)
class Adjunct:
    kind: str  # "serum" | "prp"
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Recovery:
    """Downtime after each session at the deepest planned depth. ``text`` is the line the
    plan and the aftercare handout both show; ``healed_by_day`` is 3 for the shallowest band
    only, else None."""

    depth_mm: float
    downtime_days: tuple[int, int]
    note: str | None
    sources: tuple[str, ...]
    healed_by_day: int | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class MilestoneDates:
    id: str
    text: str
    start: date
    end: date
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Maintenance:
    interval_months: tuple[int, int]
    target_months: int
    first_date: date
    window: tuple[date, date]
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PricePart:
    """One priced (or not priced) part of a series: a block needled alone (``block``), with
    PRP (``prp``) or single scars in it (``single_scar``); ``units`` is visits, or scar
    treatments for single scars. ``per_unit`` and ``total`` are None when not priced."""

    kind: str
    block: str
    label: str
    sessions: int
    units: int
    per_unit: tuple[float, float] | None
    total: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class PriceEstimate:
    """Price of the series in the clinic's currency. ``series`` totals the priced parts
    (None when none is); ``complete`` is false when some part is not priced, and
    ``unpriced_blocks`` / the note name it. ``per_session`` is the first (fullest) visit's
    priced parts. ``rates`` are the list's prices the parts used (None: not priced)."""

    currency: str
    per_session: tuple[float, float] | None
    series: tuple[float, float] | None
    complete: bool
    unpriced_blocks: tuple[str, ...]
    laser_alternative: tuple[float, float] | None
    note: str
    sources: tuple[str, ...]
    parts: tuple[PricePart, ...] = ()
    rates: tuple[tuple[str, tuple[float, float] | None], ...] = ()


@dataclass(frozen=True, slots=True)
class SeriesPlan:
    """Goals sharing visits. ``sessions`` is the number of visits (the longest goal's);
    ``goal_plans`` give each goal's own count; ``visit`` is the first (fullest) visit and
    ``visit_minutes`` every visit's length."""

    goals: tuple[Goal, ...]
    indications: tuple[str, ...]
    zones: tuple[ZonePlan, ...]
    sessions: int
    interval: IntervalPlan
    session_dates: tuple[date, ...]
    licensed_only: bool
    prp: bool
    adjuncts: tuple[Adjunct, ...]
    visit: VisitPlan
    recovery: Recovery
    milestones: tuple[MilestoneDates, ...]
    maintenance: Maintenance
    price: PriceEstimate
    notes: tuple[PlanNote, ...]
    goal_plans: tuple[GoalPlan, ...] = ()
    visit_minutes: tuple[int, ...] = ()

    @property
    def needs_centrifuge(self) -> bool:
        return "centrifuge" in self.visit.equipment


@dataclass(frozen=True, slots=True)
class TreatmentPlan:
    screening: Screening
    series: tuple[SeriesPlan, ...]
    notes: tuple[PlanNote, ...]
    price_total: tuple[float, float] | None  # the priced parts of every series; None: none
    on: date
    profile: str
    protocol_version: str
    price_complete: bool = True  # false when some part is not priced
    currency: str = ""


@dataclass(frozen=True, slots=True)
class _PlannedGoal:
    """A goal as planned: its indication after any upgrade, sessions and interval."""

    goal: Goal
    indication: Indication
    zones: tuple[str, ...]
    sessions: int
    sessions_range: tuple[int, int]
    interval: tuple[int, int, int]
    notes: tuple[PlanNote, ...]


def plan(
    intake: Intake,
    goals: Sequence[Goal] | None,
    on: date,
    profile: Profile | str | None = None,
    *,
    knowledge: Knowledge | None = None,
    overridden_rules: Collection[str] = frozenset(),
    prices: PriceList | None = None,
) -> TreatmentPlan:
    """Plan the series for ``goals`` (None: the intake's) with the first session on ``on``.

    The patient is screened for ``on`` first (with these goals' areas). Raises
    :class:`PlanRefused` (carrying the screening) unless it allows treatment once the
    findings of ``overridden_rules`` (recorded clinician overrides) are lifted, and
    :class:`PlanningError` for a request without goals, with unknown ids or with an
    indication in a zone where it makes no sense. ``prices`` is the clinic's own price list
    (default: the profile's).
    """
    knowledge = knowledge or get_knowledge()
    resolved = resolve_profile(profile, knowledge)
    price_list = prices or resolved.settings.prices
    goal_list = tuple(intake.goals if goals is None else goals)
    if not goal_list:
        raise PlanningError("no goals to plan (give at least one indication and its areas)")
    _check_goals(goal_list, knowledge)
    screened_intake = dataclasses.replace(intake, goals=goal_list)
    screening = screen(screened_intake, on, resolved, knowledge=knowledge)
    remaining = [f.decision for f in screening.findings if f.rule not in overridden_rules]
    if not most_severe(remaining).allows_treatment:
        raise PlanRefused(screening)
    planned = [_plan_goal(goal, intake, on, resolved, knowledge) for goal in goal_list]
    caps = _depth_caps(planned)
    series = tuple(
        _plan_series(group, on, resolved, knowledge, caps, price_list)
        for group in _group_goals(planned)
    )
    notes = [PlanNote(knowledge.rescreen.text, knowledge.rescreen.sources)]
    notes.extend(_zones_in_several_series(series, knowledge))
    for finding in screening.findings:
        if finding.rule in overridden_rules:
            notes.append(PlanNote(f"Finding {finding.rule} overridden by a clinician.", ()))
    for finding in screening.findings:
        if finding.decision is Decision.TREAT_WITH_PRECAUTIONS:
            for action in finding.actions:
                notes.append(PlanNote(f"Precaution ({finding.rule}): {action}", finding.sources))
    totals = [s.price.series for s in series if s.price.series is not None]
    price_total = (sum(t[0] for t in totals), sum(t[1] for t in totals)) if totals else None
    return TreatmentPlan(
        screening=screening,
        series=series,
        notes=tuple(notes),
        price_total=price_total,
        on=on,
        profile=resolved.name,
        protocol_version=knowledge.protocol_version,
        price_complete=all(s.price.complete for s in series),
        currency=price_list.currency,
    )


def _check_goals(goals: Sequence[Goal], knowledge: Knowledge) -> None:
    for index, goal in enumerate(goals):
        indication = knowledge.indications.get(goal.indication)
        if indication is None:
            known = ", ".join(knowledge.indications)
            raise PlanningError(f"goals[{index}].indication: unknown {goal.indication!r} ({known})")
        if not goal.areas:
            raise PlanningError(f"goals[{index}].areas: at least one area is needed")
        for area in goal.areas:
            if not knowledge.is_area(area):
                raise PlanningError(f"goals[{index}].areas: unknown area {area!r}")
        for scar_type in goal.scar_types:
            if scar_type not in indication.scar_types:
                raise PlanningError(
                    f"goals[{index}].scar_types: {scar_type!r} is not a scar type "
                    f"of {goal.indication}"
                )
        problem = zone_problem(indication, knowledge.expand_areas(goal.areas), knowledge)
        if problem:
            raise PlanningError(f"goals[{index}].areas: {problem}")


def zone_problem(indication: Indication, zones: Sequence[str], knowledge: Knowledge) -> str | None:
    """Why ``indication`` cannot be planned in ``zones`` (CLINICAL.md section 3: alopecia is
    the scalp; striae are body areas, chest and neck; pigmentation and rejuvenation are face,
    neck, chest and hands; acne scars the face), or None when it can."""
    if indication.blocks is None:
        return None
    wrong = [zone for zone in zones if knowledge.zones[zone].block not in indication.blocks]
    if not wrong:
        return None
    shown = ", ".join(knowledge.zones[zone].title.lower() for zone in wrong)
    allowed = [knowledge.blocks[block].title.lower() for block in indication.blocks]
    where = allowed[0] if len(allowed) == 1 else f"{', '.join(allowed[:-1])} or {allowed[-1]}"
    return f"{indication.title} cannot be planned on the {shown}: it is treated on the {where} only"


def _plan_goal(
    goal: Goal, intake: Intake, on: date, profile: Profile, knowledge: Knowledge
) -> _PlannedGoal:
    settings = profile.settings
    indication = knowledge.indications[goal.indication]
    notes: list[PlanNote] = []
    upgrade = indication.upgrade
    if upgrade is not None:
        age = age_on(intake.birth_date, on)
        glogau = intake.glogau or 0
        if age >= upgrade.min_age or glogau >= upgrade.min_glogau:
            target = knowledge.indications[upgrade.to]
            reason = f"age {age}" if age >= upgrade.min_age else f"Glogau {glogau}"
            notes.append(PlanNote(f"Planned as {target.title.lower()} ({reason}).", target.sources))
            indication = target
    for note in indication.notes:
        notes.append(PlanNote(note.text, note.sources))
    poor = [t for t in goal.scar_types if t in indication.poor_response_scar_types]
    if poor:
        shown = ", ".join(t.replace("_", "-") for t in poor)
        notes.append(
            PlanNote(
                f"This patient's scars include {shown} scars, which respond little: expect "
                "limited improvement of those.",
                indication.notes[0].sources if indication.notes else indication.sources,
            )
        )
    sessions = settings.sessions[indication.id]
    sessions_range = indication.sessions_range
    low, _, high = indication.interval_weeks
    interval = (low, settings.interval_target_weeks[indication.id], high)
    if goal.prp:
        own = indication.prp
        if own is not None:
            sessions_range, interval, sources = own.sessions_range, own.interval_weeks, own.sources
            if own.sessions is not None:
                sessions = own.sessions
        else:
            prp = knowledge.prp
            sessions_range, interval, sources = prp.sessions_range, prp.interval_weeks, prp.sources
        sessions = min(max(sessions, sessions_range[0]), sessions_range[1])
        notes.append(
            PlanNote(
                f"{indication.title} with PRP: {sessions} sessions "
                f"({sessions_range[0]}-{sessions_range[1]}), {interval[1]} weeks apart "
                f"({interval[0]}-{interval[2]}).",
                sources,
            )
        )
    return _PlannedGoal(
        goal=goal,
        indication=indication,
        zones=knowledge.expand_areas(goal.areas),
        sessions=sessions,
        sessions_range=sessions_range,
        interval=interval,
        notes=tuple(notes),
    )


def _depth_caps(planned: Sequence[_PlannedGoal]) -> dict[str, tuple[float, _PlannedGoal]]:
    """Zones no goal of the plan may needle deeper than a limit one of its goals sets
    (melasma/pigmentation: 0.5 mm). The limit follows the skin, so it holds for every goal
    and every series treating that zone."""
    caps: dict[str, tuple[float, _PlannedGoal]] = {}
    for goal in planned:
        limit = goal.indication.max_depth_mm
        if limit is None:
            continue
        for zone in goal.zones:
            if zone not in caps or limit < caps[zone][0]:
                caps[zone] = (limit, goal)
    return caps


def _group_goals(goals: list[_PlannedGoal]) -> list[list[_PlannedGoal]]:
    """Goals share a series only if their interval windows overlap and the shared series
    gives each goal a session count within its own range (CLINICAL.md section 3). Each goal
    keeps its own count, needled at the shared visits until it is reached, so the second
    condition holds whenever the series has as many visits as its longest goal; it is
    checked all the same.

    Greedy by the earliest window end: every remaining goal whose window starts by then
    overlaps it, so the group's common window is never empty, and the number of series is
    the smallest possible. Groups keep the goals' given order.
    """
    remaining = sorted(goals, key=lambda g: (g.interval[2], g.interval[0]))
    groups: list[list[_PlannedGoal]] = []
    while remaining:
        point = remaining[0].interval[2]
        group = [g for g in remaining if g.interval[0] <= point]
        visits = max(g.sessions for g in group)
        group = [g for g in group if _count_fits(g, visits)] or group[:1]
        remaining = [g for g in remaining if g not in group]
        groups.append(sorted(group, key=goals.index))
    return sorted(groups, key=lambda group: goals.index(group[0]))


def _count_fits(goal: _PlannedGoal, visits: int) -> bool:
    low, high = goal.sessions_range
    return low <= goal.sessions <= high and goal.sessions <= visits


def _plan_series(
    group: list[_PlannedGoal],
    on: date,
    profile: Profile,
    knowledge: Knowledge,
    caps: Mapping[str, tuple[float, _PlannedGoal]],
    prices: PriceList,
) -> SeriesPlan:
    settings = profile.settings
    low = max(g.interval[0] for g in group)
    high = min(g.interval[2] for g in group)
    target = min(max(max(g.interval[1] for g in group), low), high)
    interval = IntervalPlan(low, target, high)
    sessions = max(g.sessions for g in group)
    session_dates = tuple(on + timedelta(weeks=target * n) for n in range(sessions))
    prp = any(g.goal.prp for g in group)

    notes: list[PlanNote] = []

    def add(note: PlanNote) -> None:
        if note not in notes:
            notes.append(note)

    for planned in group:
        for note in planned.notes:
            add(note)
    if len(group) > 1 and len({g.sessions for g in group}) > 1:
        counts = ", ".join(f"{_short(g.indication.id)} {g.sessions}" for g in group)
        add(
            PlanNote(
                f"Shared visits every {target} weeks; each goal keeps its own number of "
                f"sessions and is needled at the first visits until it is reached ({counts}).",
                ("POLICY",),
            )
        )

    zones = [
        _zone_plan(zone_id, group, settings.zone_depth_mm[zone_id], profile, knowledge, caps, add)
        for zone_id in dict.fromkeys(zone for planned in group for zone in planned.zones)
    ]
    licensed_only = any(z.licensed_only for z in zones)
    if licensed_only:
        add(
            PlanNote(
                f"Needling deeper than {settings.skin_breaking_depth_mm:g} mm "
                f"({settings.jurisdiction}): licensed medical professional only.",
                knowledge.performers.sources,
            )
        )

    visit = _visit(group, profile, knowledge)
    visit_minutes = tuple(
        _visit([g for g in group if g.sessions > number], profile, knowledge).total_minutes
        for number in range(sessions)
    )
    if prp:
        add(
            PlanNote(
                f"PRP: a {visit.prp_blood_draw_minutes}-minute blood draw before numbing; the "
                f"{knowledge.visit.prp_spin_minutes}-minute spin runs during numbing and needs a "
                f"centrifuge.",
                knowledge.visit.sources,
            )
        )
    adjuncts = [Adjunct("serum", knowledge.serum.text, knowledge.serum.sources)]
    if prp:
        adjuncts.append(Adjunct("prp", knowledge.prp.text, knowledge.prp.sources))
    deepest = max(z.depth.max_mm for z in zones)
    first, last = session_dates[0], session_dates[-1]
    goal_plans = tuple(
        GoalPlan(
            goal=g.goal,
            indication=g.indication.id,
            sessions=g.sessions,
            sessions_range=g.sessions_range,
            interval_weeks=g.interval,
            last_session=session_dates[g.sessions - 1],
            price_items=_price_items(g, knowledge),
        )
        for g in group
    )
    return SeriesPlan(
        goals=tuple(g.goal for g in group),
        indications=tuple(dict.fromkeys(g.indication.id for g in group)),
        zones=tuple(zones),
        sessions=sessions,
        interval=interval,
        session_dates=session_dates,
        licensed_only=licensed_only,
        prp=prp,
        adjuncts=tuple(adjuncts),
        visit=visit,
        recovery=recovery_for_depth(deepest, knowledge),
        milestones=tuple(milestone_dates(first, last, knowledge)),
        maintenance=maintenance_after(last, settings.maintenance_target_months, knowledge),
        price=price_series([(gp.sessions, gp.price_items) for gp in goal_plans], prices, knowledge),
        notes=tuple(notes),
        goal_plans=goal_plans,
        visit_minutes=visit_minutes,
    )


def _zone_plan(
    zone_id: str,
    group: Sequence[_PlannedGoal],
    zone_range: DepthRange,
    profile: Profile,
    knowledge: Knowledge,
    caps: Mapping[str, tuple[float, _PlannedGoal]],
    add: Callable[[PlanNote], None],
) -> ZonePlan:
    """One depth per visit for the zone: the deeper goal's range where the zone allows it,
    never deeper than a limit a goal on this zone sets (melasma/pigmentation 0.5 mm)."""
    zone = knowledge.zones[zone_id]
    here = [g for g in group if zone_id in g.zones]
    depths = [(g, _depth(g.indication, zone_id, zone_range, knowledge)) for g in here]
    governing, depth = max(depths, key=lambda pair: (pair[1].max_mm, pair[1].min_mm))
    if depth.note:
        add(PlanNote(depth.note, zone.sources))
    indications = tuple(dict.fromkeys(g.indication.id for g in here))
    cap = caps.get(zone_id)
    if cap is not None and depth.max_mm > cap[0]:
        limit, capping = cap
        reason = capping.indication.max_depth_note
        low = max(zone_range[0], min(depth.min_mm, limit))
        if low > limit:
            raise PlanningError(
                f"{zone.title}: {_short(capping.indication.id)} is never needled deeper "
                f"than {limit:g} mm, but the zone's shallowest depth is {zone_range[0]:g} mm; "
                "the zone cannot be planned"
            )
        others = [i for i in indications if i != capping.indication.id]
        text = (
            f"{zone.title}: {_short(capping.indication.id)} is treated here, so the zone is "
            f"needled at one depth per visit, never deeper than {limit:g} mm"
        )
        if others:
            text += (
                f"; the {_and(_short(i) for i in others)} there get {_mm((low, limit))}, below "
                f"their range {_mm(depth.indication_range)}: expect less improvement there; "
                "clinician to review"
            )
        add(PlanNote(text + ".", reason.sources if reason else capping.indication.sources))
        if reason:
            add(PlanNote(reason.text, reason.sources))
        depth = DepthPlan(low, limit, depth.indication_range, zone_range, depth.note)
    elif len(indications) > 1:
        add(
            PlanNote(
                f"{zone.title}: one depth per visit for {_and(_short(i) for i in indications)}: "
                f"the deeper range, {_mm((depth.min_mm, depth.max_mm))} "
                f"({_short(governing.indication.id)}).",
                ("POLICY",),
            )
        )
    settings = profile.settings
    licensed = depth.max_mm > settings.skin_breaking_depth_mm
    performer = (
        knowledge.performers.licensed_text if licensed else knowledge.performers.unlicensed_text
    )
    return ZonePlan(
        indication=governing.indication.id,
        zone=zone_id,
        depth=depth,
        licensed_only=licensed,
        performer=performer,
        indications=indications,
        sessions=max(g.sessions for g in here),
    )


def _short(indication_id: str) -> str:
    """An indication's short name for notes ("acne scars")."""
    return indication_id.replace("_", " ")


def _and(items: Iterable[str]) -> str:
    shown = list(items)
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _zones_in_several_series(series: Sequence[SeriesPlan], knowledge: Knowledge) -> list[PlanNote]:
    """A zone needled in two series (goals that cannot share visits): say so."""
    seen: dict[str, int] = {}
    notes = []
    for index, one in enumerate(series):
        for zone in one.zones:
            if zone.zone in seen and seen[zone.zone] != index:
                notes.append(
                    PlanNote(
                        f"{knowledge.zones[zone.zone].title} is needled in series "
                        f"{seen[zone.zone] + 1} and {index + 1}: where visits fall close "
                        "together, needle it once, at the deeper depth; clinician to review "
                        "the timing.",
                        ("POLICY",),
                    )
                )
            seen.setdefault(zone.zone, index)
    return notes


def _depth(
    indication: Indication, zone_id: str, zone_range: DepthRange, knowledge: Knowledge
) -> DepthPlan:
    low = max(indication.depth_mm[0], zone_range[0])
    high = min(indication.depth_mm[1], zone_range[1])
    if low <= high:
        return DepthPlan(low, high, indication.depth_mm, zone_range, None)
    zone = knowledge.zones[zone_id]
    what = (
        f"{zone.title}: the {indication.title.lower()} range {_mm(indication.depth_mm)} does "
        f"not overlap the zone's range {_mm(zone_range)}"
    )
    if zone_range[0] > indication.depth_mm[1]:
        note = (
            f"{what}; the zone is deeper than the indication needs, so it is planned at the "
            f"zone's lowest depth, {zone_range[0]:g} mm, and no deeper."
        )
        return DepthPlan(zone_range[0], zone_range[0], indication.depth_mm, zone_range, note)
    note = f"{what}; the zone allows no deeper, so the zone's range applies."
    return DepthPlan(zone_range[0], zone_range[1], indication.depth_mm, zone_range, note)


def _mm(depth: DepthRange) -> str:
    if depth[0] == depth[1]:
        return f"{depth[0]:g} mm"
    return f"{depth[0]:g}-{depth[1]:g} mm"


def _visit(group: Sequence[_PlannedGoal], profile: Profile, knowledge: Knowledge) -> VisitPlan:
    """Needling time per block, once per visit; a block only single scars are treated in
    takes the single-scar time per scar goal."""
    visit = knowledge.visit
    by_block: dict[str, int] = {}
    whole_blocks: set[str] = set()
    for planned in group:
        blocks = dict.fromkeys(knowledge.zones[zone].block for zone in planned.zones)
        for block in blocks:
            if planned.goal.single_scar:
                by_block[block] = by_block.get(block, 0) + visit.single_scar_minutes
            else:
                whole_blocks.add(block)
                by_block.setdefault(block, 0)
    for block in by_block:
        if block in whole_blocks:
            by_block[block] = profile.settings.needling_minutes[block]
    prp = any(g.goal.prp for g in group)
    equipment = knowledge.prp.equipment if prp else ()
    return VisitPlan(
        check_in_minutes=visit.check_in_minutes,
        prp_blood_draw_minutes=visit.prp_blood_draw_minutes if prp else 0,
        numbing_minutes=profile.settings.numbing_minutes,
        needling_minutes=sum(by_block.values()),
        aftercare_minutes=visit.aftercare_minutes,
        needling_by_block=tuple(by_block.items()),
        equipment=tuple(equipment),
        endpoint=visit.endpoint,
        prp_spin_minutes=visit.prp_spin_minutes if prp else 0,
    )


def recovery_for_depth(depth_mm: float, knowledge: Knowledge | None = None) -> Recovery:
    """Downtime after a session needled to ``depth_mm`` (CLINICAL.md section 5): <= 0.5 mm
    2-3 days, > 0.5 to <= 1.5 mm 4-5 days, > 1.5 mm 6-7 days. A depth between the bands of the
    source's chart takes the deeper band, and the note says so. "Largely healed by day 3"
    belongs to the shallowest band only."""
    knowledge = knowledge or get_knowledge()
    bands = knowledge.downtime
    index = next(
        i
        for i, band in enumerate(bands)
        if (band.above_mm is None or depth_mm > band.above_mm)
        and (band.max_mm is None or depth_mm <= band.max_mm)
    )
    band = bands[index]
    published_low, published_high = band.published_mm
    note = None
    if depth_mm < published_low and index > 0:
        note = (
            f"The depth chart gives no downtime for {depth_mm:g} mm (between its bands); the "
            f"next deeper band ({_mm(band.published_mm)}) is shown."
        )
    elif depth_mm > published_high and index == len(bands) - 1:
        note = f"{depth_mm:g} mm is deeper than the depth chart goes; its deepest band is shown."
    healed = _healed_by_day(knowledge) if index == 0 else None
    low, high = band.days
    text = f"About {low}-{high} days of downtime after each session (needled to {depth_mm:g} mm)"
    text += f"; largely healed by day {healed}." if healed is not None else "."
    return Recovery(depth_mm, band.days, note, band.sources, healed, text)


def _healed_by_day(knowledge: Knowledge) -> int | None:
    for item in knowledge.course:
        if item.shallowest_band_only:
            return item.from_day
    return None


def milestone_dates(first: date, last: date, knowledge: Knowledge) -> list[MilestoneDates]:
    """The result milestones of a series whose sessions run from ``first`` to ``last``."""
    result = []
    for milestone in knowledge.milestones:
        anchor = first if milestone.anchor == "first_session" else last
        start, end = (_offset(anchor, amount, milestone.unit) for amount in milestone.offset)
        result.append(MilestoneDates(milestone.id, milestone.text, start, end, milestone.sources))
    return result


def _offset(anchor: date, amount: int, unit: str) -> date:
    if unit == "months":
        return add_months(anchor, amount)
    return anchor + timedelta(weeks=amount) if unit == "weeks" else anchor + timedelta(days=amount)


def maintenance_after(last: date, target_months: int, knowledge: Knowledge) -> Maintenance:
    """Maintenance sessions after a series whose last session is on ``last``."""
    low, high = knowledge.maintenance_interval_months
    return Maintenance(
        interval_months=(low, high),
        target_months=target_months,
        first_date=add_months(last, target_months),
        window=(add_months(last, low), add_months(last, high)),
        text=knowledge.maintenance.text,
        sources=knowledge.maintenance.sources,
    )


# ---------------------------------------------------------------------------- prices

PRICE_KINDS = ("prp", "block", "single_scar")  # a block's kinds in one visit, first wins


def _price_items(goal: _PlannedGoal, knowledge: Knowledge) -> tuple[tuple[str, str], ...]:
    """What one visit of ``goal`` is priced as: per block, with PRP, alone, or single scars."""
    blocks = dict.fromkeys(knowledge.zones[zone].block for zone in goal.zones)
    kind = "single_scar" if goal.goal.single_scar else ("prp" if goal.goal.prp else "block")
    return tuple((kind, block) for block in blocks)


def price_rate(kind: str, block: str, prices: PriceList) -> tuple[float, float] | None:
    """The list's price of one unit: a block's session alone or with PRP, or one single scar
    (the same in every block). None: the list has no price for it."""
    if kind == "prp":
        return prices.prp_per_session.get(block)
    if kind == "block":
        return prices.per_session.get(block)
    return prices.single_scar


def rate_key(kind: str, block: str) -> str:
    return "single_scar" if kind == "single_scar" else f"{kind}:{block}"


def price_series(
    goals: Sequence[tuple[int, Sequence[tuple[str, str]]]],
    prices: PriceList | Mapping[str, tuple[float, float] | None],
    knowledge: Knowledge | None = None,
    *,
    currency: str | None = None,
    laser_alternative: tuple[float, float] | None = None,
    sources: tuple[str, ...] = (),
) -> PriceEstimate:
    """The price of a series whose goals have these session counts and price items.

    Visit by visit, each block treated is priced once: with PRP if a goal still running
    needles it with PRP, else alone if one needles it whole, else per single scar. What the
    list does not price is "not priced" (named) and the rest totalled; a single scar is
    never priced as the block it lies in. ``prices`` is a price list, or the rates of a
    stored plan (by :func:`rate_key`) with ``currency``, ``laser_alternative`` and
    ``sources``.
    """
    knowledge = knowledge or get_knowledge()
    if isinstance(prices, PriceList):
        price_list = prices

        def rate(kind: str, block: str) -> tuple[float, float] | None:
            return price_rate(kind, block, price_list)

        currency = prices.currency
        laser_alternative = prices.laser_alternative
        sources = prices.sources
    else:
        stored = prices

        def rate(kind: str, block: str) -> tuple[float, float] | None:
            return stored.get(rate_key(kind, block))

    visits = max((count for count, _ in goals), default=0)
    # (kind, block) -> [visits, units]
    counted: dict[tuple[str, str], list[int]] = {}
    first_visit: list[tuple[str, str, int]] = []
    for number in range(visits):
        kinds: dict[str, dict[str, int]] = {}
        for count, items in goals:
            if count > number:
                for kind, block in items:
                    by_kind = kinds.setdefault(block, {})
                    by_kind[kind] = by_kind.get(kind, 0) + 1
        for block, by_kind in kinds.items():
            kind = next(k for k in PRICE_KINDS if k in by_kind)
            units = by_kind[kind] if kind == "single_scar" else 1
            entry = counted.setdefault((kind, block), [0, 0])
            entry[0] += 1
            entry[1] += units
            if number == 0:
                first_visit.append((kind, block, units))
    parts = []
    for (kind, block), (sessions, units) in counted.items():
        per_unit = rate(kind, block)
        total = (per_unit[0] * units, per_unit[1] * units) if per_unit else None
        parts.append(
            PricePart(
                kind, block, _part_label(kind, block, knowledge), sessions, units, per_unit, total
            )
        )
    priced = [part.total for part in parts if part.total is not None]
    series = (sum(t[0] for t in priced), sum(t[1] for t in priced)) if priced else None
    first = [
        (r[0] * units, r[1] * units)
        for kind, block, units in first_visit
        if (r := rate(kind, block)) is not None
    ]
    per_session = (sum(p[0] for p in first), sum(p[1] for p in first)) if first else None
    unpriced = [part for part in parts if part.total is None]
    face_plan = any(kind != "single_scar" and block == "face" for kind, block in counted)
    laser = laser_alternative if face_plan else None
    note = "Per-session prices of the clinic's price list, totalled over the sessions."
    if unpriced:
        shown = "; ".join(
            f"{part.label} ({part.units} "
            f"{'treatments' if part.kind == 'single_scar' else 'sessions'})"
            for part in unpriced
        )
        note += f" Not priced: {shown}. The total covers the rest."
    if laser is not None:
        note += " Laser resurfacing shown for comparison."
    rates = tuple((rate_key(kind, block), rate(kind, block)) for kind, block in counted)
    return PriceEstimate(
        currency=currency or "",
        per_session=per_session,
        series=series,
        complete=not unpriced,
        unpriced_blocks=tuple(dict.fromkeys(part.block for part in unpriced)),
        laser_alternative=laser,
        note=note,
        sources=sources,
        parts=tuple(parts),
        rates=tuple(dict(rates).items()),
    )


def _part_label(kind: str, block: str, knowledge: Knowledge) -> str:
    title = knowledge.blocks[block].title.lower()
    if kind == "prp":
        return f"{title} with PRP"
    if kind == "single_scar":
        return f"single scar on the {title}"
    return title
