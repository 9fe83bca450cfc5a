"""Clinic profiles: a clinic's overrides of the configurable defaults.

A profile is ``knowledge/profiles/<name>.toml``::

    name = "us-az"
    description = "Arizona: estheticians may needle up to 0.5 mm."
    sources = ["S5"]

    [settings]
    skin_breaking_depth_mm = 0.5
    [settings.interval_target_weeks]
    rejuvenation = 3

``[settings]`` may hold the scalar settings of ``settings.toml`` and the tables
``interval_target_weeks`` and ``sessions`` (by indication), ``zone_depth_mm`` (by zone),
``needling_minutes`` (by block), ``washout_days`` (by washout of drugs.toml) and ``prices``.
Anything else is a :class:`ProfileError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from cit.protocol.knowledge import (
    SCALAR_SETTINGS,
    DepthRange,
    Knowledge,
    KnowledgeError,
    PriceList,
    get_knowledge,
    is_currency_code,
)
from cit.protocol.knowledge.reader import Table, read_toml

DEFAULT_PROFILE: Final = "default"


class ProfileError(KnowledgeError):
    """A profile file is malformed or overrides something that cannot be overridden."""


class UnknownProfileError(LookupError):
    """No profile of that name exists."""

    def __init__(self, name: str, available: tuple[str, ...]):
        self.name = name
        self.available = available
        super().__init__(f"unknown profile {name!r} (available: {', '.join(available)})")


@dataclass(frozen=True, slots=True)
class Settings:
    """Every configurable value, resolved: the defaults with the profile's overrides."""

    isotretinoin_window_months: int
    herpes_prophylaxis_start: str
    retinoid_pause_days_before: int
    retinoid_pause_days_after: int
    skin_breaking_depth_mm: float
    jurisdiction: str
    numbing_minutes: int
    maintenance_target_months: int
    supplement_stop_days_before: int
    topical_steroid_stop_days_before: int
    interval_target_weeks: Mapping[str, int]
    sessions: Mapping[str, int]
    zone_depth_mm: Mapping[str, DepthRange]
    needling_minutes: Mapping[str, int]
    washout_days: Mapping[str, int]
    prices: PriceList
    wording: Mapping[str, Mapping[str, str]]

    def scalar(self, name: str) -> Any:
        """A scalar setting by name (as in ``settings.toml``)."""
        if name not in SCALAR_SETTINGS:
            raise KeyError(name)
        return getattr(self, name)

    def placeholders(self) -> dict[str, str]:
        """The scalar settings as rule texts read them ({herpes_prophylaxis_start} ->
        "on the day of the session")."""
        values: dict[str, str] = {}
        for name in SCALAR_SETTINGS:
            value = getattr(self, name)
            wording = self.wording.get(name)
            if wording is not None:
                values[name] = wording[value]
            elif isinstance(value, float):
                values[name] = f"{value:g}"
            else:
                values[name] = str(value)
        return values


@dataclass(frozen=True, slots=True)
class Profile:
    """A named clinic profile. ``overrides`` lists what it changes, for display."""

    name: str
    description: str
    sources: tuple[str, ...]
    overrides: Mapping[str, Any]
    settings: Settings


_TABLE_SETTINGS: Final = (
    "interval_target_weeks",
    "sessions",
    "zone_depth_mm",
    "needling_minutes",
    "washout_days",
    "prices",
)

_profiles: dict[tuple[str, str, str], Profile] = {}


def available_profiles(knowledge: Knowledge | None = None) -> tuple[str, ...]:
    """Names of the profiles shipped in the knowledge base."""
    knowledge = knowledge or get_knowledge()
    return tuple(sorted(path.stem for path in (knowledge.directory / "profiles").glob("*.toml")))


def load_profile(name: str = DEFAULT_PROFILE, knowledge: Knowledge | None = None) -> Profile:
    """The profile ``name``, validated against ``knowledge`` (loaded once, then cached).

    Raises :class:`UnknownProfileError` for a name that does not exist and
    :class:`ProfileError` for a malformed profile.
    """
    knowledge = knowledge or get_knowledge()
    key = (str(knowledge.directory), knowledge.content_hash, name)
    profile = _profiles.get(key)
    if profile is None:
        available = available_profiles(knowledge)
        if name not in available:
            raise UnknownProfileError(name, available)
        profile = _read_profile(knowledge, name)
        _profiles[key] = profile
    return profile


def resolve_profile(profile: Profile | str | None, knowledge: Knowledge | None = None) -> Profile:
    """Accept a Profile, a profile name or None (the default profile)."""
    if isinstance(profile, Profile):
        return profile
    return load_profile(profile or DEFAULT_PROFILE, knowledge)


def _read_profile(knowledge: Knowledge, name: str) -> Profile:
    file = f"profiles/{name}.toml"
    try:
        table, _ = read_toml(knowledge.directory / "profiles", f"{name}.toml")
    except KnowledgeError as error:
        raise ProfileError(file, error.detail) from error
    table = Table(file, None, table.data)
    declared = table.text("name")
    if declared != name:
        raise ProfileError(file, f"name {declared!r} does not match the file name", None, "name")
    description = table.text("description")
    sources = table.texts("sources", ())
    for source in sources:
        if source not in knowledge.sources:
            raise ProfileError(file, f"unknown source {source!r}", None, "sources")
    settings_table = table.optional_table("settings", "[settings]")
    overrides = dict(settings_table.data) if settings_table else {}
    try:
        settings = _resolve_settings(knowledge, settings_table)
        if settings_table:
            settings_table.done()
        table.done()
    except KnowledgeError as error:
        raise ProfileError(error.file, error.detail, error.entry, error.field) from error
    return Profile(name, description, sources, overrides, settings)


def default_settings(knowledge: Knowledge) -> Settings:
    """The settings with no profile applied."""
    return _resolve_settings(knowledge, None)


def _resolve_settings(knowledge: Knowledge, table: Table | None) -> Settings:
    values = dict(knowledge.settings.values)
    if table is not None:
        for key in list(table.data):
            if key in _TABLE_SETTINGS:
                continue
            if key not in SCALAR_SETTINGS:
                raise table.error(key, "unknown setting (not overridable)")
            kind, check, described = SCALAR_SETTINGS[key]
            value = (
                table.number(key)
                if kind is float
                else (table.integer(key) if kind is int else table.text(key))
            )
            if not check(value):
                raise table.error(key, f"out of range ({described})")
            values[key] = value

    intervals = {i.id: i.interval_weeks[1] for i in knowledge.indications.values()}
    sessions = {i.id: i.sessions for i in knowledge.indications.values()}
    depths = {z.id: z.depth_mm for z in knowledge.zones.values()}
    minutes = {b.id: b.needling_minutes for b in knowledge.blocks.values()}
    washouts = {w.id: w.days for w in knowledge.washouts.values() if w.days is not None}
    prices = knowledge.prices
    if table is not None:
        for sub in _sub_tables(table, "washout_days"):
            for washout, _ in sub.items():
                _known(sub, knowledge.washouts, washout)
                days = sub.integer(washout)
                if not 0 <= days <= 365:
                    raise sub.error(washout, f"{days} days is outside 0-365")
                washouts[washout] = days
        for sub in _sub_tables(table, "interval_target_weeks"):
            for indication, _ in sub.items():
                low, _, high = _known(sub, knowledge.indications, indication).interval_weeks
                weeks = sub.integer(indication)
                if not low <= weeks <= high:
                    raise sub.error(
                        indication, f"{weeks} weeks is outside the interval {low}-{high}"
                    )
                intervals[indication] = weeks
        for sub in _sub_tables(table, "sessions"):
            for indication, _ in sub.items():
                low, high = _known(sub, knowledge.indications, indication).sessions_range
                count = sub.integer(indication)
                if not low <= count <= high:
                    raise sub.error(
                        indication, f"{count} sessions is outside the range {low}-{high}"
                    )
                sessions[indication] = count
        for sub in _sub_tables(table, "zone_depth_mm"):
            for zone, _ in sub.items():
                _known(sub, knowledge.zones, zone)
                low, high = sub.numbers(zone, 2)
                if not 0 < low <= high <= 3.0:
                    raise sub.error(zone, f"needs 0 < min <= max <= 3.0 mm, got [{low}, {high}]")
                depths[zone] = (low, high)
        for sub in _sub_tables(table, "needling_minutes"):
            for block, _ in sub.items():
                _known(sub, knowledge.blocks, block)
                value = sub.integer(block)
                if value <= 0:
                    raise sub.error(block, "must be positive")
                minutes[block] = value
        for sub in _sub_tables(table, "prices"):
            prices = _override_prices(sub, prices, knowledge)
    return Settings(
        isotretinoin_window_months=values["isotretinoin_window_months"],
        herpes_prophylaxis_start=values["herpes_prophylaxis_start"],
        retinoid_pause_days_before=values["retinoid_pause_days_before"],
        retinoid_pause_days_after=values["retinoid_pause_days_after"],
        skin_breaking_depth_mm=values["skin_breaking_depth_mm"],
        jurisdiction=values["jurisdiction"],
        numbing_minutes=values["numbing_minutes"],
        maintenance_target_months=_check_maintenance(
            values["maintenance_target_months"], knowledge, table
        ),
        supplement_stop_days_before=values["supplement_stop_days_before"],
        topical_steroid_stop_days_before=values["topical_steroid_stop_days_before"],
        interval_target_weeks=intervals,
        sessions=sessions,
        zone_depth_mm=depths,
        needling_minutes=minutes,
        washout_days=washouts,
        prices=prices,
        wording=knowledge.settings.wording,
    )


def _check_maintenance(months: int, knowledge: Knowledge, table: Table | None) -> int:
    low, high = knowledge.maintenance_interval_months
    if not low <= months <= high:
        message = f"{months} is outside the maintenance interval {low}-{high} months"
        if table is not None and table.has("maintenance_target_months"):
            raise table.error("maintenance_target_months", message)
        raise KnowledgeError("settings.toml", message, "[defaults]", "maintenance_target_months")
    return months


def _sub_tables(table: Table, key: str) -> list[Table]:
    sub = table.optional_table(key, f"[settings.{key}]")
    return [sub] if sub is not None else []


def _known(table: Table, known: Mapping[str, Any], key: str) -> Any:
    if key not in known:
        raise table.error(key, f"unknown id (expected one of {', '.join(sorted(known))})")
    return known[key]


def prices_from_mapping(
    data: Mapping[str, Any],
    knowledge: Knowledge | None = None,
    base: PriceList | None = None,
    *,
    where: str = "price list",
) -> PriceList:
    """A clinic's own price list (as stored by the clinic app) over ``base`` (default: the
    knowledge base's demo list): the same keys as a profile's ``[settings.prices]``. Raises
    :class:`ProfileError` naming the field for anything malformed."""
    knowledge = knowledge or get_knowledge()
    try:
        return _override_prices(Table(where, None, dict(data)), base or knowledge.prices, knowledge)
    except KnowledgeError as error:
        raise ProfileError(error.file, error.detail, error.entry, error.field) from error


def _override_prices(table: Table, prices: PriceList, knowledge: Knowledge) -> PriceList:
    """``[settings.prices]``: ``currency``, ``typical_sessions``, ``laser_alternative``,
    ``single_scar`` (a range, or ``false`` for none) and the per-block tables ``per_session``
    and ``prp_per_session`` (each block a range, or ``false`` to take its price away)."""

    def price_range(key: str, default: tuple[float, float] | None) -> tuple[float, float] | None:
        if not table.has(key):
            return default
        if table._get(key, None) is False:
            return None
        low, high = table.numbers(key, 2)
        if not 0 <= low <= high:
            raise table.error(key, f"needs 0 <= low <= high, got [{low}, {high}]")
        return (low, high)

    def by_block(
        key: str, base: Mapping[str, tuple[float, float]]
    ) -> dict[str, tuple[float, float]]:
        result = dict(base)
        sub = table.optional_table(key, f"[settings.prices.{key}]")
        if sub is None:
            return result
        for block, value in sub.items():
            _known(sub, knowledge.blocks, block)
            if value is False:
                result.pop(block, None)
                continue
            low, high = sub.numbers(block, 2)
            if not 0 <= low <= high:
                raise sub.error(block, f"needs 0 <= low <= high, got [{low}, {high}]")
            result[block] = (low, high)
        return result

    typical = table.integers("typical_sessions", 2, prices.typical_sessions)
    currency = table.text("currency", prices.currency)
    if not is_currency_code(currency):
        raise table.error("currency", "needs a three-letter ISO 4217 code such as USD or EUR")
    result = PriceList(
        currency=currency,
        typical_sessions=(typical[0], typical[1]),
        laser_alternative=price_range("laser_alternative", prices.laser_alternative),
        prp_per_session=by_block("prp_per_session", prices.prp_per_session),
        per_session=by_block("per_session", prices.per_session),
        sources=prices.sources,
        single_scar=price_range("single_scar", prices.single_scar),
    )
    table.done()
    return result
