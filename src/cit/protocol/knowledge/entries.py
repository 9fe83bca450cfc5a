"""The value types of the knowledge base: rules, drugs, conditions, indications, zones,
aftercare, scales, views, prices and settings, each as read from its file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from cit.protocol.model import (
    Decision,
    ProcedureKind,
    Route,
)

# ---------------------------------------------------------------------------- value types

DepthRange = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    citation: str


@dataclass(frozen=True, slots=True)
class Rule:
    """One contraindication rule (``rules.toml``). ``actions`` and ``until_text`` are
    templates: :mod:`cit.protocol.profiles` fills in the clinic's settings."""

    id: str
    when: str
    decision: Decision
    until: str  # "none" | "resolved" | "window"
    until_text: str | None
    window_months: int | None
    window_setting: str | None
    scope: str  # "patient" | "area"
    medication: str  # "in_use" | "last_dose_window" | "pause"
    pause_setting: str | None  # "pause" rules: the setting with the days paused before
    elsewhere_rule: str | None  # area rules: the rule instead, when the place is elsewhere
    unplaced_rule: str | None  # area rules: the rule besides, when the place is not recorded
    age_range: tuple[int, int] | None  # [from, below) in completed years
    actions: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Washout:
    """How long a stopped medicine still counts as in use (``drugs.toml [washouts]``).
    ``days`` None: one dosing interval of the drug (biologics)."""

    id: str
    title: str
    days: int | None
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DrugClass:
    id: str
    kind: str  # "rule" | "none" | "review"
    title: str
    rule: str | None
    review: str | None
    washout: Washout | None  # the class's default; a drug may name its own


@dataclass(frozen=True, slots=True)
class DoseThreshold:
    """A drug in its class only above a daily amount (fish oil > 3 g/day): a stated daily
    amount at or below ``over`` makes it ``otherwise``; no amount stated keeps its class."""

    over: float
    unit: str
    units: Mapping[str, float]  # unit word -> factor to ``unit``
    otherwise: DrugConcept


@dataclass(frozen=True, slots=True)
class DrugConcept:
    id: str
    drug_class: DrugClass
    names: tuple[str, ...]
    brands: tuple[str, ...]
    rxnorm: tuple[str, ...]
    routes: frozenset[Route] | None  # None: any route
    default_route: bool
    sources: tuple[str, ...]
    washout: Washout | None = None  # None: the class's
    dosing_interval_days: int | None = None  # for a washout of one dosing interval
    threshold: DoseThreshold | None = None
    # Drugs whose generic name this drug's brand stands for in the same entry ("semaglutide
    # ... [Wegovy]" is the weight product, not the diabetes medicine).
    supersedes: frozenset[str] = frozenset()

    @property
    def effective_washout(self) -> Washout | None:
        return self.washout or self.drug_class.washout

    def covers(self, route: Route) -> bool:
        return self.routes is None or route in self.routes


# One ingredient of a product, as the knowledge base knows it: its entries by route.
DrugSlot = tuple[DrugConcept, ...]


@dataclass(frozen=True, slots=True)
class ConditionConcept:
    id: str
    title: str
    names: tuple[str, ...]
    icd10cm: tuple[str, ...]
    snomed: tuple[str, ...]
    icd10cm_displays: tuple[str, ...]  # the official display of each code, in the same order
    snomed_displays: tuple[str, ...]
    when_active: tuple[str, ...]
    when_history: tuple[str, ...]
    review: str | None
    review_when_history: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AllergenConcept:
    id: str
    title: str
    names: tuple[str, ...]
    snomed: tuple[str, ...]
    rule: str | None
    action: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FlagRule:
    """The rule a structured intake fact (an area flag, a history flag, pregnancy) triggers."""

    key: str
    rule: str
    text: str
    anywhere: bool


@dataclass(frozen=True, slots=True)
class ProcedureConcept:
    kind: ProcedureKind
    rule: str | None
    text: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Note:
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Upgrade:
    to: str
    min_age: int
    min_glogau: int


@dataclass(frozen=True, slots=True)
class IndicationPrp:
    """An indication's own series with PRP (alopecia [YEP21]); ``sessions`` None: the
    indication's default clipped to ``sessions_range``."""

    sessions: int | None
    sessions_range: tuple[int, int]
    interval_weeks: tuple[int, int, int]  # min, target, max
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Indication:
    id: str
    title: str
    sessions: int
    sessions_range: tuple[int, int]
    interval_weeks: tuple[int, int, int]  # min, target, max
    depth_mm: DepthRange
    upgrade: Upgrade | None
    scar_types: tuple[str, ...]
    poor_response_scar_types: tuple[str, ...]
    notes: tuple[Note, ...]
    sources: tuple[str, ...]
    blocks: tuple[str, ...] | None = None  # where it may be treated; None: anywhere
    max_depth_mm: float | None = None  # never deeper in a zone it is treated in
    max_depth_note: Note | None = None
    prp: IndicationPrp | None = None  # its own series with PRP, else PrpSpec's


@dataclass(frozen=True, slots=True)
class PrpSpec:
    sessions_range: tuple[int, int]
    interval_weeks: tuple[int, int, int]  # min, target, max
    equipment: tuple[str, ...]
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Zone:
    id: str
    title: str
    block: str
    depth_mm: DepthRange
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Block:
    id: str
    title: str
    needling_minutes: int
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VisitSpec:
    check_in_minutes: int
    aftercare_minutes: int
    single_scar_minutes: int
    prp_blood_draw_minutes: int
    prp_spin_minutes: int
    endpoint: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Performers:
    licensed: tuple[str, ...]
    unlicensed: tuple[str, ...]
    licensed_text: str
    unlicensed_text: str
    home_device_max_depth_mm: float
    home_device_text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AftercareInstruction:
    """Applies on days ``from_day``..``to_day`` (None: open-ended); ``from_setting`` /
    ``to_setting`` take the bound from a profile setting (plus ``to_offset``)."""

    id: str
    from_day: int
    to_day: int | None
    from_setting: str | None
    to_setting: str | None
    to_offset: int
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CourseItem:
    """Expected on days ``from_day``..``to_day``; ``to_day`` None: through the downtime.
    ``shallowest_band_only``: said only for a depth in the shallowest downtime band."""

    id: str
    from_day: int
    to_day: int | None
    text: str
    sources: tuple[str, ...]
    shallowest_band_only: bool = False


@dataclass(frozen=True, slots=True)
class DowntimeBand:
    """Depths above ``above_mm`` (None: from 0) up to and including ``max_mm`` (None: no
    end); ``published_mm`` is the range the source's chart itself gives."""

    above_mm: float | None
    max_mm: float | None
    published_mm: tuple[float, float]
    days: tuple[int, int]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EscalationSign:
    id: str
    level: str  # "urgent" | "contact_clinic"
    field: str
    test: str  # "true" | "at_least" | "equals"
    value: int | str | None
    after_day: int | None
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AdverseEventType:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class DiarySchedule:
    """When the recovery diary asks after a session, and how fast the clinic answers."""

    check_in_days: tuple[int, ...]
    late_after_days: int
    send_hour: int
    pigment_check_weeks: tuple[int, int]
    pigment_check_from_fitzpatrick: int
    response_hours: Mapping[str, int]  # diary level -> hours to acknowledge an alert
    adverse_events: tuple[AdverseEventType, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Milestone:
    id: str
    anchor: str  # "first_session" | "last_session"
    unit: str  # "days" | "weeks" | "months"
    offset: tuple[int, int]
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScaleItem:
    """One part of a composite scale: a scar sub-type (points per band), a region or scar
    type (weight x factors), or a licensed instrument's item (its own range)."""

    id: str
    label: str
    points: tuple[int, ...] = ()  # kind "points": points for bands 1..n (band 0 scores 0)
    bands: tuple[str, ...] = ()  # kind "points": labels of bands 1..n
    weight: float = 1.0  # kind "weighted"
    minimum: float = 0  # kind "sum"
    maximum: float = 0  # kind "sum"


@dataclass(frozen=True, slots=True)
class ScaleFactor:
    """A graded factor every item of a ``weighted`` scale is rated on (mMASI area 0-6)."""

    id: str
    label: str
    maximum: int
    grades: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class Scale:
    """An outcome scale (CLINICAL.md section 6); how a rating is totalled is in
    :func:`cit.protocol.outcomes.score`."""

    id: str
    title: str
    short: str
    kind: str  # "grade" | "number" | "points" | "weighted" | "sum"
    rater: str  # "clinician" | "patient"
    measures: str  # "state" | "change"
    better: str | None  # "lower" | "higher" | None (a classification)
    grades: tuple[tuple[int, str], ...]
    items: tuple[ScaleItem, ...]
    factors: tuple[ScaleFactor, ...]
    minimum: float
    maximum: float
    step: float
    unit: str
    sex: str | None
    minimal_important_change: float | None
    verified: bool
    sources: tuple[str, ...]
    mic_sources: tuple[str, ...] = ()
    question: str = ""  # a patient-rated scale's question to the patient


@dataclass(frozen=True, slots=True)
class OutcomeDefaults:
    """The scales an indication's plan calls for: ``full`` at baseline and follow-up,
    ``quick`` at each later session."""

    indication: str
    full: tuple[str, ...]
    quick: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OutcomeTiming:
    after_last_session_months: tuple[int, ...]
    session_window_days: int
    follow_up_window_days: int
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PhotoView:
    """A standard clinical photograph view (CLINICAL.md section 6), e.g. the 45° oblique."""

    id: str
    title: str
    instruction: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PriceList:
    """A clinic's prices. Whatever has no price here is "not priced" in a plan."""

    currency: str
    typical_sessions: tuple[int, int]
    laser_alternative: tuple[float, float] | None
    prp_per_session: Mapping[str, tuple[float, float]]  # by block, PRP included
    per_session: Mapping[str, tuple[float, float]]  # by block
    sources: tuple[str, ...]
    single_scar: tuple[float, float] | None = None  # per scar and session


@dataclass(frozen=True, slots=True)
class SettingDefaults:
    """The profile-configurable scalars of ``settings.toml`` and how they read in text."""

    values: Mapping[str, Any]
    sources: Mapping[str, tuple[str, ...]]
    wording: Mapping[str, Mapping[str, str]]


# The scalar settings a profile may override: name -> (type, check, description of the check).
SCALAR_SETTINGS: Final[dict[str, tuple[type, Callable[[Any], bool], str]]] = {
    "isotretinoin_window_months": (int, lambda v: 1 <= v <= 36, "1 to 36"),
    "herpes_prophylaxis_start": (
        str,
        lambda v: v in ("day_of", "day_before"),
        "day_of or day_before",
    ),
    "retinoid_pause_days_before": (int, lambda v: 0 <= v <= 30, "0 to 30"),
    "retinoid_pause_days_after": (int, lambda v: 1 <= v <= 30, "1 to 30"),
    "skin_breaking_depth_mm": (float, lambda v: 0.0 <= v <= 3.0, "0 to 3.0"),
    "jurisdiction": (str, lambda v: bool(v.strip()), "not empty"),
    "numbing_minutes": (int, lambda v: 0 <= v <= 60, "0 to 60"),
    "maintenance_target_months": (int, lambda v: 1 <= v <= 24, "1 to 24"),
    "supplement_stop_days_before": (int, lambda v: 0 <= v <= 30, "0 to 30"),
    "topical_steroid_stop_days_before": (int, lambda v: 0 <= v <= 30, "0 to 30"),
}

DECISIONS = tuple(d.value for d in Decision if d is not Decision.TREAT)
ROUTES = tuple(r.value for r in Route)
