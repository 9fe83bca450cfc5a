"""Typed read models of the decisions the clinic stores as JSON: the accepted plan and the
screening.

The stored form is :mod:`cit.protocol.serialise`'s (``series_to_dict``, ``screening_to_dict``).
The edge parses a row once (``from_dict``) and reads typed fields; ``to_dict`` gives the row
back unchanged. Rows written before a key existed still read: such a key is ``None`` here and
left out again by ``to_dict``; a typed field is never ``None`` for a stored value, so a stored
``null`` stays in ``extra`` with every key this module does not read (prices, notes, sources
...), kept as stored.

``schema_version`` is :data:`SCHEMA_VERSION` for what is written now; a row without one is
version 1 (the shape before versions were written, which version 1 reads).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from cit.protocol.dates import within_window
from cit.protocol.model import Decision

SCHEMA_VERSION = 1
_T = TypeVar("_T")
Json = dict[str, Any]


class StoredDataError(ValueError):
    """A stored decision does not have the shape this module reads."""


def _mapping(data: object, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise StoredDataError(f"{what} must be a JSON object, got {type(data).__name__}")
    return data


def _optional(data: Mapping[str, Any], key: str, read: Callable[[Any], _T]) -> _T | None:
    """The key's value read, or None when absent (or stored as null: kept in ``extra``)."""
    value = data.get(key)
    return None if value is None else read(value)


def _required(data: Mapping[str, Any], key: str, read: Callable[[Any], _T], what: str) -> _T:
    value = data.get(key)
    if value is None:
        raise StoredDataError(f"{what} has no {key!r}")
    return read(value)


def _extra(data: Mapping[str, Any], read: Sequence[str]) -> Json:
    """Every key not read into a typed field, and every read key stored as null."""
    return {k: v for k, v in data.items() if k not in read or v is None}


def _present(**values: Any) -> Json:
    return {key: value for key, value in values.items() if value is not None}


def _day(value: Any) -> date:
    return date.fromisoformat(str(value))


def _number(value: Any) -> float:
    """A stored number as stored (an int stays an int, so the row reads back unchanged)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StoredDataError(f"expected a number, got {value!r}")
    return value


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value)


# ------------------------------------------------------------------------------- a series


@dataclass(frozen=True, slots=True)
class IntervalWeeks:
    """Weeks between consecutive sessions: never fewer than ``min`` or more than ``max``."""

    min: int
    target: int
    max: int

    @classmethod
    def from_dict(cls, data: object) -> IntervalWeeks:
        d = _mapping(data, "interval_weeks")
        return cls(int(d["min"]), int(d["target"]), int(d["max"]))

    def to_dict(self) -> Json:
        return {"min": self.min, "target": self.target, "max": self.max}

    def in_days(self) -> tuple[int, int, int]:
        """(min, target, max) in days, as scheduling counts them."""
        return self.min * 7, self.target * 7, self.max * 7

    def allows(self, gap_days: int) -> bool:
        """Whether sessions ``gap_days`` apart keep the window."""
        return within_window(gap_days, self.min * 7, self.max * 7)


@dataclass(frozen=True, slots=True)
class StoredZone:
    """A zone of a series: its depth range; the accepted plan adds the planned depth."""

    indication: str
    zone: str
    depth_mm: tuple[float, float]
    indications: tuple[str, ...] | None = None
    sessions: int | None = None
    planned_depth_mm: float | None = None
    extra: Json = field(default_factory=dict)

    _READ = ("indication", "zone", "depth_mm", "indications", "sessions", "planned_depth_mm")

    @property
    def key(self) -> str:
        """``<indication>:<zone>``, how an adjustment names the zone."""
        return f"{self.indication}:{self.zone}"

    @classmethod
    def from_dict(cls, data: object) -> StoredZone:
        d = _mapping(data, "zone")
        low, high = _required(d, "depth_mm", lambda v: [_number(x) for x in v], "zone")
        return cls(
            indication=_required(d, "indication", str, "zone"),
            zone=_required(d, "zone", str, "zone"),
            depth_mm=(low, high),
            indications=_optional(d, "indications", _strings),
            sessions=_optional(d, "sessions", int),
            planned_depth_mm=_optional(d, "planned_depth_mm", _number),
            extra=_extra(d, cls._READ),
        )

    def to_dict(self) -> Json:
        return {
            **self.extra,
            "indication": self.indication,
            "zone": self.zone,
            "depth_mm": list(self.depth_mm),
            **_present(
                indications=None if self.indications is None else list(self.indications),
                sessions=self.sessions,
                planned_depth_mm=self.planned_depth_mm,
            ),
        }


@dataclass(frozen=True, slots=True)
class StoredGoal:
    """A goal of a series; rows from before per-goal counts have no ``sessions`` etc."""

    indication: str
    areas: tuple[str, ...] | None = None
    planned_as: str | None = None
    sessions: int | None = None
    sessions_range: tuple[int, int] | None = None
    last_session: date | None = None
    price_items: tuple[tuple[str, str], ...] | None = None
    extra: Json = field(default_factory=dict)

    _READ = (
        "indication",
        "areas",
        "planned_as",
        "sessions",
        "sessions_range",
        "last_session",
        "price_items",
    )

    @classmethod
    def from_dict(cls, data: object) -> StoredGoal:
        d = _mapping(data, "goal")
        return cls(
            indication=_required(d, "indication", str, "goal"),
            areas=_optional(d, "areas", _strings),
            planned_as=_optional(d, "planned_as", str),
            sessions=_optional(d, "sessions", int),
            sessions_range=_optional(d, "sessions_range", lambda v: (int(v[0]), int(v[1]))),
            last_session=_optional(d, "last_session", _day),
            price_items=_optional(
                d, "price_items", lambda v: tuple((str(k), str(b)) for k, b in v)
            ),
            extra=_extra(d, cls._READ),
        )

    def to_dict(self) -> Json:
        return {
            **self.extra,
            "indication": self.indication,
            **_present(
                areas=None if self.areas is None else list(self.areas),
                planned_as=self.planned_as,
                sessions=self.sessions,
                sessions_range=None if self.sessions_range is None else list(self.sessions_range),
                last_session=None if self.last_session is None else self.last_session.isoformat(),
                price_items=(
                    None if self.price_items is None else [list(i) for i in self.price_items]
                ),
            ),
        }


@dataclass(frozen=True, slots=True)
class StoredVisit:
    """A visit of the series; only its length is read (the parts are for the page)."""

    total_minutes: int
    extra: Json = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: object) -> StoredVisit:
        d = _mapping(data, "visit")
        return cls(_required(d, "total_minutes", int, "visit"), _extra(d, ("total_minutes",)))

    def to_dict(self) -> Json:
        return {**self.extra, "total_minutes": self.total_minutes}


@dataclass(frozen=True, slots=True)
class StoredRecovery:
    downtime_days: tuple[int, ...] | None = None
    extra: Json = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: object) -> StoredRecovery:
        d = _mapping(data, "recovery")
        return cls(
            _optional(d, "downtime_days", lambda v: tuple(int(x) for x in v)),
            _extra(d, ("downtime_days",)),
        )

    def to_dict(self) -> Json:
        days = None if self.downtime_days is None else list(self.downtime_days)
        return {**self.extra, **_present(downtime_days=days)}


@dataclass(frozen=True, slots=True)
class StoredMilestone:
    """When a result is expected (stored as ``from``/``to``)."""

    text: str
    start: date | None = None
    end: date | None = None
    extra: Json = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: object) -> StoredMilestone:
        d = _mapping(data, "milestone")
        return cls(
            _required(d, "text", str, "milestone"),
            _optional(d, "from", _day),
            _optional(d, "to", _day),
            _extra(d, ("text", "from", "to")),
        )

    def to_dict(self) -> Json:
        return {
            **self.extra,
            "text": self.text,
            **_present(
                **{
                    "from": None if self.start is None else self.start.isoformat(),
                    "to": None if self.end is None else self.end.isoformat(),
                }
            ),
        }


@dataclass(frozen=True, slots=True)
class StoredMaintenance:
    """Maintenance after the series; rows from before it was planned have only its text."""

    interval_months: tuple[int, int] | None = None
    target_months: int | None = None
    first_date: date | None = None
    extra: Json = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: object) -> StoredMaintenance:
        d = _mapping(data, "maintenance")
        return cls(
            _optional(d, "interval_months", lambda v: (int(v[0]), int(v[-1]))),
            _optional(d, "target_months", int),
            _optional(d, "first_date", _day),
            _extra(d, ("interval_months", "target_months", "first_date")),
        )

    def to_dict(self) -> Json:
        return {
            **self.extra,
            **_present(
                interval_months=(
                    None if self.interval_months is None else list(self.interval_months)
                ),
                target_months=self.target_months,
                first_date=None if self.first_date is None else self.first_date.isoformat(),
            ),
        }


@dataclass(frozen=True, slots=True)
class Series:
    """One series of a proposed or accepted plan (``series_to_dict``'s form).

    ``price`` stays JSON: it is shown as stored and re-priced through
    :func:`cit.protocol.planning.price_series`.
    """

    indications: tuple[str, ...]
    sessions: int
    interval_weeks: IntervalWeeks
    session_dates: tuple[date, ...]
    zones: tuple[StoredZone, ...]
    visit: StoredVisit
    goals: tuple[StoredGoal, ...] | None = None
    licensed_only: bool | None = None
    prp: bool | None = None
    recovery: StoredRecovery | None = None
    milestones: tuple[StoredMilestone, ...] | None = None
    maintenance: StoredMaintenance | None = None
    price: Json | None = None
    extra: Json = field(default_factory=dict)

    _READ = (
        "indications",
        "sessions",
        "interval_weeks",
        "session_dates",
        "zones",
        "visit",
        "goals",
        "licensed_only",
        "prp",
        "recovery",
        "milestones",
        "maintenance",
        "price",
    )

    @property
    def needs_licensed_provider(self) -> bool:
        return bool(self.licensed_only)

    @property
    def needs_centrifuge(self) -> bool:
        return bool(self.prp)

    @classmethod
    def from_dict(cls, data: object) -> Series:
        d = _mapping(data, "series")
        return cls(
            indications=_required(d, "indications", _strings, "series"),
            sessions=_required(d, "sessions", int, "series"),
            interval_weeks=_required(d, "interval_weeks", IntervalWeeks.from_dict, "series"),
            session_dates=_required(d, "session_dates", lambda v: tuple(map(_day, v)), "series"),
            zones=_required(d, "zones", lambda v: tuple(map(StoredZone.from_dict, v)), "series"),
            visit=_required(d, "visit", StoredVisit.from_dict, "series"),
            goals=_optional(d, "goals", lambda v: tuple(map(StoredGoal.from_dict, v))),
            licensed_only=_optional(d, "licensed_only", bool),
            prp=_optional(d, "prp", bool),
            recovery=_optional(d, "recovery", StoredRecovery.from_dict),
            milestones=_optional(
                d, "milestones", lambda v: tuple(map(StoredMilestone.from_dict, v))
            ),
            maintenance=_optional(d, "maintenance", StoredMaintenance.from_dict),
            price=_optional(d, "price", lambda v: dict(_mapping(v, "price"))),
            extra=_extra(d, cls._READ),
        )

    def to_dict(self) -> Json:
        return {
            **self.extra,
            "indications": list(self.indications),
            "sessions": self.sessions,
            "interval_weeks": self.interval_weeks.to_dict(),
            "session_dates": [day.isoformat() for day in self.session_dates],
            "zones": [zone.to_dict() for zone in self.zones],
            "visit": self.visit.to_dict(),
            **_present(
                goals=None if self.goals is None else [goal.to_dict() for goal in self.goals],
                licensed_only=self.licensed_only,
                prp=self.prp,
                recovery=None if self.recovery is None else self.recovery.to_dict(),
                milestones=(
                    None if self.milestones is None else [m.to_dict() for m in self.milestones]
                ),
                maintenance=None if self.maintenance is None else self.maintenance.to_dict(),
                price=self.price,
            ),
        }


@dataclass(frozen=True, slots=True)
class AcceptedPlan:
    """The series as the clinician accepted them, and the plan's notes (in ``extra``)."""

    series: tuple[Series, ...]
    schema_version: int = SCHEMA_VERSION
    extra: Json = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: object) -> AcceptedPlan:
        d = _mapping(data, "accepted plan")
        version = d.get("schema_version", 1)
        if version != SCHEMA_VERSION:
            raise StoredDataError(f"accepted plan of schema version {version!r} is not readable")
        return cls(
            series=tuple(Series.from_dict(s) for s in d.get("series") or ()),
            schema_version=SCHEMA_VERSION,
            extra=_extra(d, ("series", "schema_version")),
        )

    def to_dict(self) -> Json:
        return {
            **self.extra,
            "series": [series.to_dict() for series in self.series],
            "schema_version": self.schema_version,
        }

    def series_at(self, index: int) -> Series:
        """Series ``index`` (from 0); LookupError when the plan has no such series."""
        if not 0 <= index < len(self.series):
            raise LookupError(f"The plan has no series {index + 1}.")
        return self.series[index]


# ---------------------------------------------------------------------------- a screening


@dataclass(frozen=True, slots=True)
class StoredFinding:
    """A finding as stored (``finding_to_dict``); facts and sources stay in ``extra``."""

    rule: str
    decision: Decision
    title: str | None = None
    extra: Json = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: object) -> StoredFinding:
        d = _mapping(data, "finding")
        return cls(
            _required(d, "rule", str, "finding"),
            _required(d, "decision", Decision, "finding"),
            _optional(d, "title", str),
            _extra(d, ("rule", "decision", "title")),
        )

    def to_dict(self) -> Json:
        return {
            **self.extra,
            "rule": self.rule,
            "decision": self.decision.value,
            **_present(title=self.title),
        }


@dataclass(frozen=True, slots=True)
class StoredScreening:
    """A screening as stored (``screening_to_dict``); ``until`` is None unless a defer ends
    on a known day."""

    decision: Decision
    findings: tuple[StoredFinding, ...]
    until: date | None = None
    schema_version: int = SCHEMA_VERSION
    extra: Json = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: object) -> StoredScreening:
        d = _mapping(data, "screening")
        version = d.get("schema_version", 1)
        if version != SCHEMA_VERSION:
            raise StoredDataError(f"screening of schema version {version!r} is not readable")
        return cls(
            decision=_required(d, "decision", Decision, "screening"),
            findings=tuple(StoredFinding.from_dict(f) for f in d.get("findings") or ()),
            until=_optional(d, "until", _day),
            schema_version=SCHEMA_VERSION,
            extra=_extra(d, ("decision", "findings", "until", "schema_version")),
        )

    def to_dict(self) -> Json:
        return {
            **self.extra,
            "decision": self.decision.value,
            "findings": [finding.to_dict() for finding in self.findings],
            **_present(until=None if self.until is None else self.until.isoformat()),
            "schema_version": self.schema_version,
        }

    def finding(self, rule: str) -> StoredFinding | None:
        return next((f for f in self.findings if f.rule == rule), None)

    @property
    def rules(self) -> list[str]:
        return [finding.rule for finding in self.findings]
