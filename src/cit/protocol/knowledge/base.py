"""The knowledge base as loaded: the vocabulary screening reads names and codes through,
and :class:`Knowledge`, everything the engine, planner and pages ask of the protocol."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cit.protocol.knowledge.entries import (
    AftercareInstruction,
    AllergenConcept,
    Block,
    ConditionConcept,
    CourseItem,
    DiarySchedule,
    DowntimeBand,
    DrugClass,
    DrugConcept,
    DrugSlot,
    EscalationSign,
    FlagRule,
    Indication,
    Milestone,
    Note,
    OutcomeDefaults,
    OutcomeTiming,
    Performers,
    PhotoView,
    PriceList,
    ProcedureConcept,
    PrpSpec,
    Rule,
    Scale,
    SettingDefaults,
    Source,
    VisitSpec,
    Washout,
    Zone,
)
from cit.protocol.model import (
    ProcedureKind,
    Route,
)
from cit.protocol.text import DrugIndex, PhraseIndex


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The lookup tables built from the knowledge base, by domain."""

    drug_names: DrugIndex[tuple[DrugSlot, ...]]
    drug_codes: Mapping[str, tuple[DrugSlot, ...]]  # ingredient and product RxCUIs
    drug_code_routes: Mapping[str, Route]  # a product RxCUI's route (rxnorm_products.toml)
    drug_words: Mapping[str, frozenset[str]]  # one-word names -> drug ids (spelling tolerance)
    medication_other: frozenset[str]  # real medicine names the knowledge base leaves unclassified
    medication_nothing: frozenset[str]
    route_words: PhraseIndex[Route]
    condition_names: PhraseIndex[ConditionConcept]
    condition_icd10: Mapping[str, ConditionConcept]
    condition_icd10_longest: int
    condition_snomed: Mapping[str, ConditionConcept]
    condition_nothing: frozenset[str]
    history_prefixes: tuple[tuple[str, ...], ...]
    history_suffixes: tuple[tuple[str, ...], ...]
    negations: tuple[tuple[str, ...], ...]
    family_prefixes: tuple[tuple[str, ...], ...]
    allergen_names: PhraseIndex[AllergenConcept]
    allergen_snomed: Mapping[str, AllergenConcept]
    procedure_names: PhraseIndex[ProcedureConcept]


@dataclass(frozen=True, slots=True)
class Knowledge:
    """The whole knowledge base, validated, with its lookup tables."""

    directory: Path
    protocol: str
    version: str
    content_hash: str
    sources: Mapping[str, Source]
    rules: Mapping[str, Rule]
    settings: SettingDefaults
    drug_classes: Mapping[str, DrugClass]
    washouts: Mapping[str, Washout]
    adjacent_blocks: Mapping[str, frozenset[str]]
    drugs: tuple[DrugConcept, ...]
    conditions: tuple[ConditionConcept, ...]
    allergens: tuple[AllergenConcept, ...]
    area_flags: Mapping[str, FlagRule]
    history_flags: Mapping[str, FlagRule]
    pregnancy_flag: FlagRule
    pregnancy_unknown_flag: FlagRule
    nursing_flag: FlagRule
    procedures: Mapping[ProcedureKind, ProcedureConcept]
    indications: Mapping[str, Indication]
    prp: PrpSpec
    serum: Note
    maintenance_interval_months: tuple[int, int]
    maintenance: Note
    rescreen: Note
    zones: Mapping[str, Zone]
    blocks: Mapping[str, Block]
    zone_aliases: Mapping[str, tuple[str, ...]]
    visit: VisitSpec
    performers: Performers
    aftercare: tuple[AftercareInstruction, ...]
    course: tuple[CourseItem, ...]
    downtime: tuple[DowntimeBand, ...]
    escalation: tuple[EscalationSign, ...]
    diary: DiarySchedule
    milestones: tuple[Milestone, ...]
    evidence: tuple[Note, ...]
    scales: Mapping[str, Scale]
    outcome_defaults: Mapping[str, OutcomeDefaults]
    outcome_timing: OutcomeTiming
    photo_views: Mapping[str, PhotoView]
    zone_photo_views: Mapping[str, tuple[str, ...]]
    prices: PriceList
    vocabulary: Vocabulary

    @property
    def protocol_version(self) -> str:
        """``<version>+<hash>``: the manifest version and a hash of every file's content."""
        return f"{self.version}+{self.content_hash}"

    def citation(self, key: str) -> str:
        return self.sources[key].citation

    def expand_areas(self, areas: Iterable[str]) -> tuple[str, ...]:
        """Zone ids for area names, aliases ("face") expanded, order kept, no repeats."""
        seen: dict[str, None] = {}
        for area in areas:
            for zone in self.zone_aliases.get(area, (area,)):
                seen.setdefault(zone, None)
        return tuple(seen)

    def near(self, area: str, treated: Iterable[str]) -> bool:
        """Whether ``area`` (a zone or an alias) is in or near the ``treated`` zones
        (CLINICAL.md v2): in one of them, in another zone of the same block, or in an
        adjacent block (intake_flags.toml [near])."""
        blocks = {self.zones[zone].block for zone in treated if zone in self.zones}
        treated_set = set(treated)
        for zone in self.expand_areas((area,)):
            if zone in treated_set:
                return True
            block = self.zones[zone].block if zone in self.zones else None
            if block is not None and (block in blocks or self.adjacent_blocks[block] & blocks):
                return True
        return False

    def is_area(self, name: str) -> bool:
        return name in self.zones or name in self.zone_aliases
