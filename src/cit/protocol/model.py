"""Plain typed values of the protocol engine: the intake it reads and the screening it answers.

Everything is a frozen, slotted dataclass or a string enum: cheap to build, safe to share,
and free of Django. The Django layer (and the JSON / FHIR readers of this package) convert
into these; :func:`cit.protocol.screening.screen` and :func:`cit.protocol.planning.plan`
consume them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date


class Decision(enum.StrEnum):
    """A screening decision. Compare severities with :attr:`severity`, never with ``<``."""

    DO_NOT_TREAT = "do_not_treat"
    REFER = "refer"
    DEFER = "defer"
    TREAT_WITH_PRECAUTIONS = "treat_with_precautions"
    TREAT = "treat"

    @property
    def severity(self) -> int:
        """0 for ``treat`` up to 4 for ``do_not_treat``."""
        return _SEVERITY[self]

    @property
    def label(self) -> str:
        """The decision in plain words, for staff and patients."""
        return _LABELS[self]

    @property
    def allows_treatment(self) -> bool:
        """True for ``treat`` and ``treat_with_precautions``."""
        return self in (Decision.TREAT, Decision.TREAT_WITH_PRECAUTIONS)


_LABELS: dict[Decision, str] = {
    Decision.TREAT: "Treat",
    Decision.TREAT_WITH_PRECAUTIONS: "Treat with precautions",
    Decision.DEFER: "Defer",
    Decision.REFER: "Refer to a physician",
    Decision.DO_NOT_TREAT: "Do not treat",
}

_SEVERITY: dict[Decision, int] = {
    Decision.TREAT: 0,
    Decision.TREAT_WITH_PRECAUTIONS: 1,
    Decision.DEFER: 2,
    Decision.REFER: 3,
    Decision.DO_NOT_TREAT: 4,
}


def most_severe(decisions: tuple[Decision, ...] | list[Decision]) -> Decision:
    """The most severe of ``decisions``; ``treat`` when there are none."""
    worst = Decision.TREAT
    for decision in decisions:
        if _SEVERITY[decision] > _SEVERITY[worst]:
            worst = decision
    return worst


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class CodeSystem(enum.StrEnum):
    """Code systems an intake may use. ICD-10 (WHO) shares its prefixes with ICD-10-CM for
    every code the knowledge base lists, so both match the same prefixes."""

    ICD10CM = "icd10cm"
    ICD10 = "icd10"
    SNOMED = "snomed"
    RXNORM = "rxnorm"


class ClinicalStatus(enum.StrEnum):
    """FHIR Condition.clinicalStatus: the first three mean active, the others history."""

    ACTIVE = "active"
    RECURRENCE = "recurrence"
    RELAPSE = "relapse"
    INACTIVE = "inactive"
    REMISSION = "remission"
    RESOLVED = "resolved"

    @property
    def is_active(self) -> bool:
        return self in (ClinicalStatus.ACTIVE, ClinicalStatus.RECURRENCE, ClinicalStatus.RELAPSE)


class Route(enum.StrEnum):
    ORAL = "oral"
    TOPICAL = "topical"
    INJECTION = "injection"
    INHALED = "inhaled"
    NASAL = "nasal"
    OPHTHALMIC = "ophthalmic"
    TRANSDERMAL = "transdermal"
    OTHER = "other"


class MedicationStatus(enum.StrEnum):
    """How the record marks the medicine. ``stopped`` without an end or last-dose date: no
    longer taken, date unknown (CLINICAL.md v2: still counts as in use). No status at all is
    ``None`` on the entry: then a last dose means stopped on that day."""

    ACTIVE = "active"
    STOPPED = "stopped"


class ProcedureKind(enum.StrEnum):
    CHEMICAL_PEEL = "chemical_peel"
    MICRODERMABRASION = "microdermabrasion"
    LASER_RESURFACING = "laser_resurfacing"
    MICRONEEDLING = "microneedling"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Coding:
    system: CodeSystem
    code: str


ELSEWHERE = "elsewhere"
"""The site of a condition or area state that is on the body but in no treatment zone."""


@dataclass(frozen=True, slots=True)
class ConditionEntry:
    """A diagnosis or problem. ``status`` None: active unless ``resolved`` is on or before
    the screening day, or the text reads as history ("history of ..."). ``site``: a zone id
    or alias, :data:`ELSEWHERE`, or None when the record does not say where."""

    codes: tuple[Coding, ...] = ()
    text: str | None = None
    status: ClinicalStatus | None = None
    onset: date | None = None
    resolved: date | None = None
    site: str | None = None


@dataclass(frozen=True, slots=True)
class MedicationEntry:
    """A medicine as recorded. ``status`` None: the record gives none. Whether it is in use
    on a day is the screening's question (:mod:`cit.protocol.medication_use`)."""

    rxnorm: tuple[str, ...] = ()
    name: str | None = None
    route: Route | None = None
    status: MedicationStatus | None = None
    start: date | None = None
    end: date | None = None
    last_dose: date | None = None


@dataclass(frozen=True, slots=True)
class AllergyEntry:
    codes: tuple[Coding, ...] = ()
    substance: str | None = None
    reaction: str | None = None


@dataclass(frozen=True, slots=True)
class HistoryFlags:
    """The yes/no history questions of the intake form. ``healing_concern`` is staff's note
    of another chronic condition affecting healing (None: none flagged)."""

    cold_sores: bool = False
    keloids: bool = False
    healing_concern: str | None = None


@dataclass(frozen=True, slots=True)
class AreaState:
    """The current state of one zone of the body, as examined on the day."""

    zone: str
    active_infection: bool = False
    active_cold_sore: bool = False
    open_wound: bool = False
    sunburn: bool = False
    active_acne: bool = False
    active_eczema_flare: bool = False
    lesion: bool = False


AREA_FLAGS: tuple[str, ...] = (
    "active_infection",
    "active_cold_sore",
    "open_wound",
    "sunburn",
    "active_acne",
    "active_eczema_flare",
    "lesion",
)
HISTORY_FLAGS: tuple[str, ...] = ("cold_sores", "keloids", "healing_concern")


@dataclass(frozen=True, slots=True)
class ProcedureEntry:
    """An earlier procedure. ``zone`` None: where is not recorded (assumed the areas to treat)."""

    kind: ProcedureKind
    date: date
    zone: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Goal:
    """What the patient wants treated: an indication id and zone ids of the knowledge base."""

    indication: str
    areas: tuple[str, ...]
    prp: bool = False
    single_scar: bool = False
    scar_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnmappedFact:
    """A statement the intake's source could not map onto this format (e.g. a FHIR pregnancy
    observation with an unknown value). Screening always lists it as unrecognised."""

    source: str
    text: str


@dataclass(frozen=True, slots=True)
class Intake:
    """Everything screening and planning know about a patient. ``pregnancy_unknown``: the
    patient answered "not sure" (or the record's pregnancy status has no value)."""

    birth_date: date
    sex: Sex = Sex.UNKNOWN
    fitzpatrick: int | None = None
    glogau: int | None = None
    pregnant: bool = False
    pregnancy_unknown: bool = False
    nursing: bool = False
    conditions: tuple[ConditionEntry, ...] = ()
    medications: tuple[MedicationEntry, ...] = ()
    allergies: tuple[AllergyEntry, ...] = ()
    history: HistoryFlags = field(default_factory=HistoryFlags)
    areas: tuple[AreaState, ...] = ()
    procedures: tuple[ProcedureEntry, ...] = ()
    goals: tuple[Goal, ...] = ()
    unmapped: tuple[UnmappedFact, ...] = ()


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Fact:
    """An intake fact behind a finding: where it is in the intake, and what it says."""

    path: str
    text: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that applies. ``until`` is the first day treatment is allowed again (defer
    rules with a computable window); ``until_condition`` says until what when it is not."""

    rule: str
    decision: Decision
    title: str
    until: date | None
    until_condition: str | None
    actions: tuple[str, ...]
    facts: tuple[Fact, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnrecognisedItem:
    """An intake item the knowledge base does not recognise, or recognises without a rule
    for it; a clinician must review it."""

    path: str
    text: str
    reason: str

    @property
    def where(self) -> str:
        """Where in the record the item is, in plain words ("Medicine 2")."""
        return where_in_intake(self.path)


_PATH_LABELS = {
    "conditions": "Condition",
    "medications": "Medicine",
    "allergies": "Allergy",
    "procedures": "Earlier procedure",
    "areas": "Skin area",
    "unmapped": "Record item",
}


def where_in_intake(path: str) -> str:
    """A plain label for an intake path: "medications[1]" -> "Medicine 2"."""
    head, _, rest = path.partition("[")
    label = _PATH_LABELS.get(head)
    if label is None:
        return head.replace("_", " ").replace(".", ": ").capitalize()
    number = rest.split("]", 1)[0]
    return f"{label} {int(number) + 1}" if number.isdigit() else label


@dataclass(frozen=True, slots=True)
class Screening:
    """The answer to "may this patient be treated on ``on``?".

    ``decision`` is the most severe finding's. ``until``: when the decision is ``defer``,
    the first day treatment is allowed (the latest of the defer dates), or None when some
    defer is indefinite - ``until_conditions`` then says until what.
    """

    decision: Decision
    until: date | None
    until_conditions: tuple[str, ...]
    findings: tuple[Finding, ...]
    unrecognised: tuple[UnrecognisedItem, ...]
    on: date
    profile: str
    protocol_version: str

    @property
    def actions(self) -> tuple[str, ...]:
        """Every action of every finding, in finding order, without repeats."""
        seen: dict[str, None] = {}
        for finding in self.findings:
            for action in finding.actions:
                seen.setdefault(action, None)
        return tuple(seen)


# ---------------------------------------------------------------------------- the diary


class PainTrend(enum.StrEnum):
    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


@dataclass(frozen=True, slots=True)
class DiaryEntry:
    """A patient's diary entry after a session. Scores: redness and swelling 0 (none) to
    3 (severe), pain 0-10. The yes/no signs are those CLINICAL.md escalates."""

    redness: int = 0
    swelling: int = 0
    pain: int = 0
    pain_trend: PainTrend = PainTrend.SAME
    fever: bool = False
    pus: bool = False
    blisters: bool = False
    hives: bool = False
    lip_eye_swelling: bool = False
    breathing_trouble: bool = False
    spreading_redness: bool = False
    pigment_change: bool = False
    track_marks: bool = False
    itchy_rash: bool = False
    acne_flare: bool = False
    bumps: bool = False

    def __post_init__(self) -> None:
        for name, top in (("redness", 3), ("swelling", 3), ("pain", 10)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
                raise ValueError(f"{name} must be a whole number from 0 to {top}, got {value!r}")


# Diary field -> its kind, for the escalation rules of the knowledge base.
DIARY_FIELDS: dict[str, type] = {
    "redness": int,
    "swelling": int,
    "pain": int,
    "pain_trend": str,
    **{
        name: bool
        for name in (
            "fever", "pus", "blisters", "hives", "lip_eye_swelling", "breathing_trouble",
            "spreading_redness", "pigment_change", "track_marks", "itchy_rash", "acne_flare",
            "bumps",
        )
    },
}  # fmt: skip
