"""Outcome scales: scoring a rating and when ratings are due (CLINICAL.md section 6).

Pure: the scales and the schedule come from ``scales.toml``; dates are passed in.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from cit.protocol.dates import add_months
from cit.protocol.knowledge import Knowledge, Scale, get_knowledge

VALUE = "value"  # the one input of a grade or number scale


class ScoreError(ValueError):
    """A rating that does not fit its scale; ``problems`` maps each input to what is wrong."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{key}: {text}" for key, text in self.problems.items()))


def input_keys(scale: Scale) -> tuple[str, ...]:
    """The inputs a rating of ``scale`` takes: ``value``; an item id (points, sum); or
    ``<item>.<factor>`` (weighted)."""
    if scale.kind in ("grade", "number"):
        return (VALUE,)
    if scale.kind == "weighted":
        return tuple(f"{item.id}.{factor.id}" for item in scale.items for factor in scale.factors)
    return tuple(item.id for item in scale.items)


def _allowed(scale: Scale, key: str) -> tuple[Decimal, Decimal, Decimal, tuple[int, ...] | None]:
    """(minimum, maximum, step, allowed whole values or None) of one input."""
    if scale.kind == "grade":
        values = tuple(value for value, _ in scale.grades)
        return Decimal(values[0]), Decimal(values[-1]), Decimal(1), values
    if scale.kind == "number":
        return _dec(scale.minimum), _dec(scale.maximum), _dec(scale.step), None
    if scale.kind == "points":
        item = next(item for item in scale.items if item.id == key)
        return Decimal(0), Decimal(len(item.points)), Decimal(1), None
    if scale.kind == "weighted":
        factor_id = key.split(".", 1)[1]
        factor = next(factor for factor in scale.factors if factor.id == factor_id)
        return Decimal(0), Decimal(factor.maximum), Decimal(1), None
    item = next(item for item in scale.items if item.id == key)
    return _dec(item.minimum), _dec(item.maximum), Decimal(1), None


def _dec(number: float) -> Decimal:
    # Through str: 0.3 is the decimal 0.3, not the binary float nearest to it.
    return Decimal(str(number))


def score(scale: Scale, values: Mapping[str, object]) -> Decimal:
    """The total of a rating. Every input of :func:`input_keys` is required and must lie in
    its range (whole grades and bands; a number on its ``step``); anything else is refused
    with a :class:`ScoreError` naming each bad input.

    - grade, number: the value itself;
    - points (Goodman & Baron quantitative): each item's band 0..n scores its points for
      that band (band 0: none of that scar type, 0 points); the total is their sum;
    - weighted (mMASI, ECCA): the sum over items of weight x the product of its factors;
    - sum (a clinic's own instrument): the sum of the items.
    """
    keys = input_keys(scale)
    problems: dict[str, str] = {}
    for extra in sorted(set(values) - set(keys)):
        problems[extra] = "not part of this scale"
    parsed: dict[str, Decimal] = {}
    for key in keys:
        raw = values.get(key)
        if raw is None or raw == "":
            problems[key] = "required"
            continue
        try:
            if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
                raise ValueError
            number = _dec(raw) if isinstance(raw, float) else Decimal(str(raw).strip())
            if not number.is_finite():
                raise ValueError
        except (ArithmeticError, ValueError):
            problems[key] = "enter a number"
            continue
        low, high, step, allowed = _allowed(scale, key)
        if number < low or number > high:
            problems[key] = f"must be between {low} and {high}"
        elif allowed is not None and number not in allowed:
            problems[key] = "not one of the scale's grades"
        elif (number - low) % step != 0:
            problems[key] = f"must be in steps of {step}"
        else:
            parsed[key] = number
    if problems:
        raise ScoreError(problems)
    if scale.kind in ("grade", "number"):
        return parsed[VALUE]
    if scale.kind == "points":
        return sum(
            (
                Decimal(item.points[int(parsed[item.id]) - 1]) if parsed[item.id] else Decimal(0)
                for item in scale.items
            ),
            Decimal(0),
        )
    if scale.kind == "weighted":
        total = Decimal(0)
        for item in scale.items:
            product = _dec(item.weight)
            for factor in scale.factors:
                product *= parsed[f"{item.id}.{factor.id}"]
            total += product
        return total
    return sum((parsed[item.id] for item in scale.items), Decimal(0))


def grade_label(scale: Scale, total: Decimal) -> str:
    """The label of a grade scale's value ("Much improved"), else the number as written."""
    for value, label in scale.grades:
        if scale.kind == "grade" and Decimal(value) == total:
            return label
    text = f"{total.normalize():f}"
    return f"{text} {scale.unit}".strip()


# ------------------------------------------------------------------------------ schedule


@dataclass(frozen=True, slots=True)
class SeriesDates:
    """One series of an accepted plan: its indications and its sessions' dates."""

    indications: tuple[str, ...]
    session_dates: tuple[datetime.date, ...]


@dataclass(frozen=True, slots=True)
class DueAssessment:
    """Scales due on a day: ``occasion`` is "baseline" (the first session, before needling),
    "session" (a quick grade at a later session, ``session_number`` >= 2) or "follow_up"
    (the full set ``months_after`` the last session). ``window_days`` either side counts."""

    on: datetime.date
    occasion: str
    scales: tuple[str, ...]
    window_days: int
    session_number: int | None = None
    months_after: int | None = None


def default_scales(
    indications: Iterable[str], sex: str | None, knowledge: Knowledge | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(full, quick) scale ids for the indications, in order, without repeats; a scale kept
    for one sex only (Norwood, Ludwig) is left out for the other (kept when sex is unknown)."""
    knowledge = knowledge or get_knowledge()
    full: dict[str, None] = {}
    quick: dict[str, None] = {}
    for indication in indications:
        defaults = knowledge.outcome_defaults.get(indication)
        if defaults is None:
            continue
        for target, ids in ((full, defaults.full), (quick, defaults.quick)):
            for scale_id in ids:
                scale_sex = knowledge.scales[scale_id].sex
                if sex is None or scale_sex is None or scale_sex == sex:
                    target.setdefault(scale_id, None)
    return tuple(full), tuple(quick)


def outcome_schedule(
    series: Sequence[SeriesDates], sex: str | None = None, knowledge: Knowledge | None = None
) -> tuple[DueAssessment, ...]:
    """When each scale is due for a plan, in date order: per series, the full set's ``state``
    scales at its first session (a change scale such as GAIS has nothing to compare at
    baseline), its quick scales at each later session, and the full set 1 and 3 months
    after its last session. Series whose assessments fall on the same day and occasion are
    merged into one."""
    knowledge = knowledge or get_knowledge()
    timing = knowledge.outcome_timing
    merged: dict[tuple[datetime.date, str, int | None, int | None], dict[str, None]] = {}
    for one in series:
        dates = sorted(one.session_dates)
        full, quick = default_scales(one.indications, sex, knowledge)
        if not dates or not full:
            continue
        baseline = tuple(s for s in full if knowledge.scales[s].measures == "state")
        entries: list[tuple[tuple[datetime.date, str, int | None, int | None], tuple[str, ...]]]
        entries = [((dates[0], "baseline", 1, None), baseline)]
        entries += [
            ((day, "session", number, None), quick) for number, day in enumerate(dates[1:], start=2)
        ]
        entries += [
            ((add_months(dates[-1], months), "follow_up", None, months), full)
            for months in timing.after_last_session_months
        ]
        for key, ids in entries:
            if ids:
                bucket = merged.setdefault(key, {})
                for scale_id in ids:
                    bucket.setdefault(scale_id, None)
    order = {"baseline": 0, "session": 1, "follow_up": 2}
    return tuple(
        DueAssessment(
            on=on,
            occasion=occasion,
            scales=tuple(ids),
            window_days=(
                timing.follow_up_window_days
                if occasion == "follow_up"
                else timing.session_window_days
            ),
            session_number=number if occasion != "follow_up" else None,
            months_after=months,
        )
        for (on, occasion, number, months), ids in sorted(
            merged.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])
        )
    )


@dataclass(frozen=True, slots=True)
class DueScale:
    """One scale of one due assessment and where it stands on ``today``: "done" (a rating
    within the window), "due" (inside the window, not rated), "missed" (the window has
    passed) or "upcoming"."""

    assessment: DueAssessment
    scale: str
    state: str
    rated_on: datetime.date | None = None


def due_status(
    schedule: Sequence[DueAssessment],
    ratings: Iterable[tuple[str, datetime.date]],
    today: datetime.date,
) -> tuple[DueScale, ...]:
    """Match the recorded ratings (scale id, date) to the schedule: each rating counts for
    at most one due scale, the nearest in date among those whose window holds it."""
    unused: dict[str, list[datetime.date]] = {}
    for scale_id, rated_on in ratings:
        unused.setdefault(scale_id, []).append(rated_on)
    result: list[DueScale] = []
    for assessment in schedule:
        window = datetime.timedelta(days=assessment.window_days)
        for scale_id in assessment.scales:
            candidates = [
                day for day in unused.get(scale_id, []) if abs(day - assessment.on) <= window
            ]
            if candidates:
                chosen = min(candidates, key=lambda day: (abs(day - assessment.on), day))
                unused[scale_id].remove(chosen)
                result.append(DueScale(assessment, scale_id, "done", chosen))
            elif today > assessment.on + window:
                result.append(DueScale(assessment, scale_id, "missed"))
            elif today >= assessment.on - window:
                result.append(DueScale(assessment, scale_id, "due"))
            else:
                result.append(DueScale(assessment, scale_id, "upcoming"))
    return tuple(result)
