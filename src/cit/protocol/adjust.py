"""A clinician's adjustments to a proposed series, kept inside what the protocol allows.

The plan proposes sessions, an interval and a depth range per zone; the clinician may
change each goal's number of sessions (within its own range), the target interval
(within the series' window), the planned depth per zone (within its planned range) and
the first session's day. The series has as many visits as its longest goal. Works on the
typed series (:class:`cit.protocol.stored.Series`), as proposed and as stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from cit.protocol.intake_json import FieldError
from cit.protocol.knowledge import Knowledge, get_knowledge
from cit.protocol.planning import maintenance_after, milestone_dates, price_series
from cit.protocol.serialise import maintenance_to_dict, milestones_to_list, price_to_dict
from cit.protocol.stored import (
    IntervalWeeks,
    Series,
    StoredDataError,
    StoredGoal,
    StoredMaintenance,
    StoredMilestone,
)


@dataclass(frozen=True, slots=True)
class SeriesAdjustment:
    """``sessions`` is the count of the goals that run the whole series (the only goal of a
    one-goal series); ``goal_sessions`` (goal index -> count) sets any goal's own count."""

    sessions: int
    interval_target_weeks: int
    first_session: date
    # "<indication>:<zone>" -> planned depth in mm
    depths: Mapping[str, float] = field(default_factory=dict)
    goal_sessions: Mapping[int, int] = field(default_factory=dict)


def allowed_sessions(series: Series, knowledge: Knowledge | None = None) -> tuple[int, int]:
    """The range of session counts the goals that run the whole series allow (their own
    ranges, PRP's where they have PRP)."""
    ranged = _ranged_goals(series)
    if ranged:
        longest = [r for goal, r in ranged if goal.sessions == series.sessions] or [
            r for _, r in ranged
        ]
        return max(r[0] for r in longest), min(r[1] for r in longest)
    knowledge = knowledge or get_knowledge()
    if series.prp:
        return knowledge.prp.sessions_range
    ranges = [knowledge.indications[i].sessions_range for i in series.indications]
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def _ranged_goals(series: Series) -> list[tuple[StoredGoal, tuple[int, int]]]:
    """Each goal with its own session range; empty for a series stored without them."""
    goals = series.goals or ()
    ranged = [(goal, goal.sessions_range) for goal in goals if goal.sessions_range is not None]
    return [(goal, r) for goal, r in ranged if r is not None] if len(ranged) == len(goals) else []


def session_dates(first: date, sessions: int, interval_weeks: int) -> list[date]:
    return [first + timedelta(weeks=interval_weeks * number) for number in range(sessions)]


def adjust_series(
    series: Series,
    adjustment: SeriesAdjustment,
    *,
    today: date,
    knowledge: Knowledge | None = None,
) -> tuple[Series, list[FieldError]]:
    """The series with the adjustment applied, and every way it leaves the allowed ranges.

    When there are errors the returned series is the proposal unchanged.
    """
    errors: list[FieldError] = []
    counts = _goal_counts(series, adjustment, errors)
    if counts is None:
        low, high = allowed_sessions(series, knowledge)
        if not low <= adjustment.sessions <= high:
            errors.append(
                FieldError("sessions", f"must be between {low} and {high} for this series")
            )
    visits = max(counts) if counts else adjustment.sessions
    window = series.interval_weeks
    if not window.min <= adjustment.interval_target_weeks <= window.max:
        errors.append(
            FieldError(
                "interval_target_weeks",
                f"must be between {window.min} and {window.max} weeks for this series",
            )
        )
    if adjustment.first_session < today:
        errors.append(FieldError("first_session", f"must be today ({today}) or later"))
    zones = []
    for zone in series.zones:
        lowest, deepest = zone.depth_mm
        depth = adjustment.depths.get(zone.key, deepest)
        if not lowest <= depth <= deepest:
            errors.append(
                FieldError(f"depth.{zone.key}", f"must be between {lowest} and {deepest} mm here")
            )
        zones.append(replace(zone, planned_depth_mm=depth))
    if errors:
        return series, errors
    knowledge = knowledge or get_knowledge()
    days = session_dates(adjustment.first_session, visits, adjustment.interval_target_weeks)
    price = dict(series.price or {})
    goals = list(series.goals or ())
    if counts is not None:
        goals = [
            replace(goal, sessions=count, last_session=days[count - 1])
            for goal, count in zip(goals, counts, strict=True)
        ]
        zones = [
            replace(
                zone,
                sessions=max(
                    count
                    for goal, count in zip(goals, counts, strict=True)
                    if zone.zone in knowledge.expand_areas(goal.areas or ())
                ),
            )
            for zone in zones
        ]
    if counts is not None and "rates" in price:
        price = price_to_dict(
            price_series(
                [
                    (count, list(goal.price_items or ()))
                    for goal, count in zip(goals, counts, strict=True)
                ],
                {key: (tuple(rate) if rate else None) for key, rate in price["rates"].items()},
                knowledge,
                currency=price["currency"],
                laser_alternative=(
                    tuple(price["laser_alternative"]) if price["laser_alternative"] else None
                ),
                sources=tuple(source["key"] for source in price["sources"]),
            ),
            knowledge,
        )
    elif price.get("per_session") is not None:
        price["series"] = [amount * visits for amount in price["per_session"]]
    # Dates that hang on the first or last session move with them.
    milestones = milestones_to_list(milestone_dates(days[0], days[-1], knowledge), knowledge)
    maintenance = maintenance_after(days[-1], _target_months(series), knowledge)
    adjusted = replace(
        series,
        sessions=visits,
        goals=tuple(goals),
        interval_weeks=replace(window, target=adjustment.interval_target_weeks),
        session_dates=tuple(days),
        zones=tuple(zones),
        milestones=tuple(StoredMilestone.from_dict(m) for m in milestones),
        maintenance=StoredMaintenance.from_dict(maintenance_to_dict(maintenance, knowledge)),
        price=price,
    )
    return adjusted, []


def _target_months(series: Series) -> int:
    if series.maintenance is None or series.maintenance.target_months is None:
        raise StoredDataError("the series has no maintenance target to plan from")
    return series.maintenance.target_months


def _goal_counts(
    series: Series, adjustment: SeriesAdjustment, errors: list[FieldError]
) -> list[int] | None:
    """Each goal's adjusted count (None for a stored series without per-goal counts)."""
    ranged = _ranged_goals(series)
    if not ranged:
        return None
    counts = []
    for index, (goal, (low, high)) in enumerate(ranged):
        if index in adjustment.goal_sessions:
            count, path = adjustment.goal_sessions[index], f"goals[{index}].sessions"
        elif goal.sessions == series.sessions:
            count, path = adjustment.sessions, "sessions"
        else:
            count, path = goal.sessions or 0, f"goals[{index}].sessions"
        if not low <= count <= high:
            what = "this series" if len(ranged) == 1 else (goal.planned_as or goal.indication)
            message = f"must be between {low} and {high} for {what}".replace("_", " ")
            if all(error.path != path or error.message != message for error in errors):
                errors.append(FieldError(path, message))
        counts.append(count)
    return counts


def check_session_dates(dates: list[date], window: IntervalWeeks) -> list[FieldError]:
    """Gaps between consecutive sessions that leave the series' interval window."""
    errors = []
    for number in range(1, len(dates)):
        gap_days = (dates[number] - dates[number - 1]).days
        if not window.allows(gap_days):
            errors.append(
                FieldError(
                    f"sessions[{number}]",
                    f"session {number + 1} is {gap_days} days after session {number}; "
                    f"the interval must be {window.min}-{window.max} weeks",
                )
            )
    return errors
