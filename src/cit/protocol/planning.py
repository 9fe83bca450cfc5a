"""Planning a treatment series (CLINICAL.md sections 3, 4, 6 and 7).

:func:`plan` screens the patient first: a patient whose screening is not ``treat`` or
``treat_with_precautions`` gets no plan - :class:`PlanRefused` is raised, carrying the
screening, so callers show why. Otherwise the answer is a :class:`TreatmentPlan`: one
:class:`SeriesPlan` per group of goals whose interval windows overlap, each with its zones
and depths, who may needle, visit length, session dates, recovery, milestones,
maintenance and price.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cit.protocol.dates import add_months, age_on
from cit.protocol.knowledge import DepthRange, DowntimeBand, Indication, Knowledge, get_knowledge
from cit.protocol.model import Decision, Goal, Intake, Screening, most_severe
from cit.protocol.profiles import Profile, resolve_profile
from cit.protocol.screening import screen


class PlanningError(ValueError):
    """The planning request itself is wrong (no goals, an unknown indication or zone)."""


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
    the zone's. ``note`` says why when they do not overlap (the zone's range applies)."""

    min_mm: float
    max_mm: float
    indication_range: DepthRange
    zone_range: DepthRange
    note: str | None


@dataclass(frozen=True, slots=True)
class ZonePlan:
    indication: str
    zone: str
    depth: DepthPlan
    licensed_only: bool
    performer: str


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
    """Minutes of one visit: check-in, PRP blood draw, numbing, needling, aftercare."""

    check_in_minutes: int
    prp_blood_draw_minutes: int
    numbing_minutes: int
    needling_minutes: int
    aftercare_minutes: int
    needling_by_block: tuple[tuple[str, int], ...]
    equipment: tuple[str, ...]
    endpoint: str

    @property
    def total_minutes(self) -> int:
        return (
            self.check_in_minutes
            + self.prp_blood_draw_minutes
            + self.numbing_minutes
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
    """Downtime after each session at the deepest planned depth."""

    depth_mm: float
    downtime_days: tuple[int, int]
    note: str | None
    sources: tuple[str, ...]


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
class PriceEstimate:
    """Price of the series. ``per_session`` and ``series`` cover the priced blocks (None when
    none is priced); ``complete`` is false when ``unpriced_blocks`` are treated too."""

    currency: str
    per_session: tuple[float, float] | None
    series: tuple[float, float] | None
    complete: bool
    unpriced_blocks: tuple[str, ...]
    laser_alternative: tuple[float, float] | None
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SeriesPlan:
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

    @property
    def needs_centrifuge(self) -> bool:
        return "centrifuge" in self.visit.equipment


@dataclass(frozen=True, slots=True)
class TreatmentPlan:
    screening: Screening
    series: tuple[SeriesPlan, ...]
    notes: tuple[PlanNote, ...]
    price_total: tuple[float, float] | None  # None unless every series is fully priced
    on: date
    profile: str
    protocol_version: str


@dataclass(frozen=True, slots=True)
class _PlannedGoal:
    """A goal as planned: its indication after any upgrade, sessions and interval."""

    goal: Goal
    indication: Indication
    zones: tuple[str, ...]
    sessions: int
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
) -> TreatmentPlan:
    """Plan the series for ``goals`` (None: the intake's) with the first session on ``on``.

    The patient is screened for ``on`` first (with these goals' areas). Raises
    :class:`PlanRefused` (carrying the screening) unless it allows treatment once the
    findings of ``overridden_rules`` (recorded clinician overrides) are lifted, and
    :class:`PlanningError` for a request without goals or with unknown ids.
    """
    knowledge = knowledge or get_knowledge()
    resolved = resolve_profile(profile, knowledge)
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
    series = tuple(
        _plan_series(group, on, resolved, knowledge) for group in _group_by_interval(planned)
    )
    notes = [PlanNote(knowledge.rescreen.text, knowledge.rescreen.sources)]
    for finding in screening.findings:
        if finding.rule in overridden_rules:
            notes.append(PlanNote(f"Finding {finding.rule} overridden by a clinician.", ()))
    for finding in screening.findings:
        if finding.decision is Decision.TREAT_WITH_PRECAUTIONS:
            for action in finding.actions:
                notes.append(PlanNote(f"Precaution ({finding.rule}): {action}", finding.sources))
    price_total = None
    if all(s.price.complete for s in series):
        totals = [s.price.series for s in series if s.price.series is not None]
        price_total = (sum(t[0] for t in totals), sum(t[1] for t in totals))
    return TreatmentPlan(
        screening=screening,
        series=series,
        notes=tuple(notes),
        price_total=price_total,
        on=on,
        profile=resolved.name,
        protocol_version=knowledge.protocol_version,
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
    low, _, high = indication.interval_weeks
    interval = (low, settings.interval_target_weeks[indication.id], high)
    if goal.prp:
        prp = knowledge.prp
        sessions = min(max(sessions, prp.sessions_range[0]), prp.sessions_range[1])
        interval = (prp.interval_weeks, prp.interval_weeks, prp.interval_weeks)
        notes.append(
            PlanNote(
                f"With PRP: {sessions} sessions, {prp.interval_weeks} weeks apart.", prp.sources
            )
        )
    return _PlannedGoal(
        goal=goal,
        indication=indication,
        zones=knowledge.expand_areas(goal.areas),
        sessions=sessions,
        interval=interval,
        notes=tuple(notes),
    )


def _group_by_interval(goals: list[_PlannedGoal]) -> list[list[_PlannedGoal]]:
    """Goals whose interval windows overlap share a series (CLINICAL.md section 3).

    Greedy by the earliest window end: every remaining goal whose window starts by then
    overlaps it, so the group's common window is never empty, and the number of series is
    the smallest possible. Groups keep the goals' given order.
    """
    remaining = sorted(goals, key=lambda g: (g.interval[2], g.interval[0]))
    groups: list[list[_PlannedGoal]] = []
    while remaining:
        point = remaining[0].interval[2]
        group = [g for g in remaining if g.interval[0] <= point]
        remaining = [g for g in remaining if g.interval[0] > point]
        groups.append(sorted(group, key=goals.index))
    return sorted(groups, key=lambda group: goals.index(group[0]))


def _plan_series(
    group: list[_PlannedGoal], on: date, profile: Profile, knowledge: Knowledge
) -> SeriesPlan:
    settings = profile.settings
    low = max(g.interval[0] for g in group)
    high = min(g.interval[2] for g in group)
    target = min(max(max(g.interval[1] for g in group), low), high)
    interval = IntervalPlan(low, target, high)
    sessions = max(g.sessions for g in group)
    session_dates = tuple(on + timedelta(weeks=target * n) for n in range(sessions))
    prp = any(g.goal.prp for g in group)

    zones: list[ZonePlan] = []
    notes: list[PlanNote] = []
    for planned in group:
        for note in planned.notes:
            if note not in notes:
                notes.append(note)
        for zone_id in planned.zones:
            depth = _depth(planned.indication, zone_id, settings.zone_depth_mm[zone_id], knowledge)
            licensed = depth.max_mm > settings.skin_breaking_depth_mm
            performer = (
                knowledge.performers.licensed_text
                if licensed
                else knowledge.performers.unlicensed_text
            )
            zones.append(ZonePlan(planned.indication.id, zone_id, depth, licensed, performer))
            if depth.note:
                notes.append(PlanNote(depth.note, knowledge.zones[zone_id].sources))
    licensed_only = any(z.licensed_only for z in zones)
    if licensed_only:
        notes.append(
            PlanNote(
                f"Needling deeper than {settings.skin_breaking_depth_mm:g} mm "
                f"({settings.jurisdiction}): licensed medical professional only.",
                knowledge.performers.sources,
            )
        )

    visit = _visit(group, prp, profile, knowledge)
    adjuncts = [Adjunct("serum", knowledge.serum.text, knowledge.serum.sources)]
    if prp:
        adjuncts.append(Adjunct("prp", knowledge.prp.text, knowledge.prp.sources))
    deepest = max(z.depth.max_mm for z in zones)
    first, last = session_dates[0], session_dates[-1]
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
        price=_price(visit, sessions, prp, profile),
        notes=tuple(notes),
    )


def _depth(
    indication: Indication, zone_id: str, zone_range: DepthRange, knowledge: Knowledge
) -> DepthPlan:
    low = max(indication.depth_mm[0], zone_range[0])
    high = min(indication.depth_mm[1], zone_range[1])
    if low <= high:
        return DepthPlan(low, high, indication.depth_mm, zone_range, None)
    zone = knowledge.zones[zone_id]
    note = (
        f"{zone.title}: the {indication.title.lower()} range {_mm(indication.depth_mm)} does not "
        f"overlap the zone's range {_mm(zone_range)}; the zone's range applies."
    )
    return DepthPlan(zone_range[0], zone_range[1], indication.depth_mm, zone_range, note)


def _mm(depth: DepthRange) -> str:
    return f"{depth[0]:g}-{depth[1]:g} mm"


def _visit(
    group: list[_PlannedGoal], prp: bool, profile: Profile, knowledge: Knowledge
) -> VisitPlan:
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
    )


def recovery_for_depth(depth_mm: float, knowledge: Knowledge | None = None) -> Recovery:
    """Downtime after a session needled to ``depth_mm`` (CLINICAL.md section 5). A depth
    between the published bands gets the next deeper band, and the note says so."""
    knowledge = knowledge or get_knowledge()
    bands = sorted(knowledge.downtime, key=_band_floor)
    for band in bands:
        low, high = band.min_depth_mm, band.max_depth_mm
        if (low is None or depth_mm >= low) and (high is None or depth_mm <= high):
            return Recovery(depth_mm, band.days, None, band.sources)
    for band in bands:
        if band.min_depth_mm is not None and depth_mm < band.min_depth_mm:
            note = (
                f"No published downtime for {depth_mm:g} mm; the next deeper band "
                f"(from {band.min_depth_mm:g} mm) is shown."
            )
            return Recovery(depth_mm, band.days, note, band.sources)
    band = bands[-1]
    note = f"{depth_mm:g} mm is deeper than any published band; the deepest band is shown."
    return Recovery(depth_mm, band.days, note, band.sources)


def _band_floor(band: DowntimeBand) -> float:
    return band.min_depth_mm if band.min_depth_mm is not None else 0.0


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


def _price(visit: VisitPlan, sessions: int, prp: bool, profile: Profile) -> PriceEstimate:
    prices = profile.settings.prices
    blocks = [block for block, _ in visit.needling_by_block]
    laser = prices.laser_alternative if "face" in blocks else None
    if prp:
        per_session: tuple[float, float] | None = prices.prp_per_session
        unpriced: list[str] = []
        note = "Micro-needling with PRP, per session."
    else:
        priced = [prices.per_session[b] for b in blocks if b in prices.per_session]
        unpriced = [b for b in blocks if b not in prices.per_session]
        per_session = (sum(p[0] for p in priced), sum(p[1] for p in priced)) if priced else None
        note = "Per-session prices of the treated blocks."
        if unpriced:
            note += f" Not in the price list: {', '.join(unpriced)}."
    if laser is not None:
        note += " Laser resurfacing shown for comparison."
    series = (per_session[0] * sessions, per_session[1] * sessions) if per_session else None
    return PriceEstimate(
        currency=prices.currency,
        per_session=per_session,
        series=series,
        complete=series is not None and not unpriced,
        unpriced_blocks=tuple(unpriced),
        laser_alternative=laser,
        note=note,
        sources=prices.sources,
    )
