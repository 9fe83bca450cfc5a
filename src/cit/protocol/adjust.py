"""A clinician's adjustments to a proposed series, kept inside what the protocol allows.

The plan proposes sessions, an interval and a depth range per zone; the clinician may
change each goal's number of sessions (within its own range), the target interval
(within the series' window), the planned depth per zone (within its planned range) and
the first session's day. The series has as many visits as its longest goal. Works on the
stored (JSON) form of a series.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cit.protocol.intake_json import FieldError
from cit.protocol.knowledge import Knowledge, get_knowledge
from cit.protocol.planning import maintenance_after, milestone_dates, price_series
from cit.protocol.serialise import maintenance_to_dict, milestones_to_list, price_to_dict


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


def zone_key(zone: Mapping[str, Any]) -> str:
    return f"{zone['indication']}:{zone['zone']}"


def allowed_sessions(
    series: Mapping[str, Any], knowledge: Knowledge | None = None
) -> tuple[int, int]:
    """The range of session counts the goals that run the whole series allow (their own
    ranges, PRP's where they have PRP)."""
    goals = series.get("goals") or []
    if goals and all("sessions_range" in goal for goal in goals):
        longest = [goal for goal in goals if goal["sessions"] == series["sessions"]] or goals
        return (
            max(goal["sessions_range"][0] for goal in longest),
            min(goal["sessions_range"][1] for goal in longest),
        )
    knowledge = knowledge or get_knowledge()
    if series.get("prp"):
        return knowledge.prp.sessions_range
    ranges = [knowledge.indications[i].sessions_range for i in series["indications"]]
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def session_dates(first: date, sessions: int, interval_weeks: int) -> list[date]:
    return [first + timedelta(weeks=interval_weeks * number) for number in range(sessions)]


def adjust_series(
    series: Mapping[str, Any],
    adjustment: SeriesAdjustment,
    *,
    today: date,
    knowledge: Knowledge | None = None,
) -> tuple[dict[str, Any], list[FieldError]]:
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
    window = series["interval_weeks"]
    if not window["min"] <= adjustment.interval_target_weeks <= window["max"]:
        errors.append(
            FieldError(
                "interval_target_weeks",
                f"must be between {window['min']} and {window['max']} weeks for this series",
            )
        )
    if adjustment.first_session < today:
        errors.append(FieldError("first_session", f"must be today ({today}) or later"))
    zones = []
    for zone in series["zones"]:
        key = zone_key(zone)
        lowest, deepest = zone["depth_mm"]
        depth = adjustment.depths.get(key, deepest)
        if not lowest <= depth <= deepest:
            errors.append(
                FieldError(f"depth.{key}", f"must be between {lowest} and {deepest} mm here")
            )
        zones.append({**zone, "planned_depth_mm": depth})
    if errors:
        return dict(series), errors
    knowledge = knowledge or get_knowledge()
    days = session_dates(adjustment.first_session, visits, adjustment.interval_target_weeks)
    maintenance = series["maintenance"]
    price = dict(series["price"])
    goals = [dict(goal) for goal in series.get("goals", [])]
    if counts is not None:
        for goal, count in zip(goals, counts, strict=True):
            goal.update(sessions=count, last_session=days[count - 1].isoformat())
        for zone in zones:
            zone["sessions"] = max(
                count
                for goal, count in zip(goals, counts, strict=True)
                if zone["zone"] in knowledge.expand_areas(goal["areas"])
            )
    if counts is not None and "rates" in price:
        price = price_to_dict(
            price_series(
                [
                    (count, [(kind, block) for kind, block in goal["price_items"]])
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
    adjusted = dict(series)
    adjusted.update(
        sessions=visits,
        goals=goals,
        interval_weeks={**window, "target": adjustment.interval_target_weeks},
        session_dates=[day.isoformat() for day in days],
        zones=zones,
        # Dates that hang on the first or last session move with them.
        milestones=milestones_to_list(milestone_dates(days[0], days[-1], knowledge), knowledge),
        maintenance=maintenance_to_dict(
            maintenance_after(days[-1], maintenance["target_months"], knowledge), knowledge
        ),
        price=price,
    )
    return adjusted, []


def _goal_counts(
    series: Mapping[str, Any], adjustment: SeriesAdjustment, errors: list[FieldError]
) -> list[int] | None:
    """Each goal's adjusted count (None for a stored series without per-goal counts)."""
    goals = series.get("goals") or []
    if not goals or not all("sessions_range" in goal for goal in goals):
        return None
    counts = []
    for index, goal in enumerate(goals):
        low, high = goal["sessions_range"]
        if index in adjustment.goal_sessions:
            count, path = adjustment.goal_sessions[index], f"goals[{index}].sessions"
        elif goal["sessions"] == series["sessions"]:
            count, path = adjustment.sessions, "sessions"
        else:
            count, path = goal["sessions"], f"goals[{index}].sessions"
        if not low <= count <= high:
            what = "this series" if len(goals) == 1 else goal.get("planned_as", goal["indication"])
            message = f"must be between {low} and {high} for {what}".replace("_", " ")
            if all(error.path != path or error.message != message for error in errors):
                errors.append(FieldError(path, message))
        counts.append(count)
    return counts


def check_session_dates(dates: list[date], window: Mapping[str, int]) -> list[FieldError]:
    """Gaps between consecutive sessions that leave the series' interval window."""
    errors = []
    for number in range(1, len(dates)):
        gap_days = (dates[number] - dates[number - 1]).days
        if not window["min"] * 7 <= gap_days <= window["max"] * 7:
            errors.append(
                FieldError(
                    f"sessions[{number}]",
                    f"session {number + 1} is {gap_days} days after session {number}; "
                    f"the interval must be {window['min']}-{window['max']} weeks",
                )
            )
    return errors
