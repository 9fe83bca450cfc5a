"""The protocol knowledge base: the TOML files in this folder, read and validated once.

A typo in a rule file is a :class:`KnowledgeError` at start-up naming the file, the entry
and the field, never a wrong answer later (``cit check`` reports it in one line). Loading
also builds the lookup tables screening needs (names, codes), so the hot path is dictionary
look-ups only. Tests and tools load other directories with :func:`load_knowledge`.

Modules by job: ``reader`` (the TOML tables), ``entries`` (the value types), ``base`` (the
loaded :class:`Knowledge`), ``loading`` (reading and checking every file) and
``vocabulary`` (the screening lookup tables).
"""

from cit.protocol.knowledge.base import Knowledge, Vocabulary
from cit.protocol.knowledge.entries import (
    SCALAR_SETTINGS,
    AdverseEventType,
    AftercareInstruction,
    AllergenConcept,
    Block,
    ConditionConcept,
    CourseItem,
    DepthRange,
    DiarySchedule,
    DoseThreshold,
    DowntimeBand,
    DrugClass,
    DrugConcept,
    DrugSlot,
    EscalationSign,
    FlagRule,
    Indication,
    IndicationPrp,
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
    ScaleFactor,
    ScaleItem,
    SettingDefaults,
    Source,
    Upgrade,
    VisitSpec,
    Washout,
    Zone,
)
from cit.protocol.knowledge.loading import (
    KNOWLEDGE_DIR,
    get_knowledge,
    is_currency_code,
    load_knowledge,
)
from cit.protocol.knowledge.reader import KnowledgeError

__all__ = [
    "AdverseEventType",
    "AftercareInstruction",
    "AllergenConcept",
    "Block",
    "ConditionConcept",
    "CourseItem",
    "DepthRange",
    "DiarySchedule",
    "DoseThreshold",
    "DowntimeBand",
    "DrugClass",
    "DrugConcept",
    "DrugSlot",
    "EscalationSign",
    "FlagRule",
    "Indication",
    "IndicationPrp",
    "KNOWLEDGE_DIR",
    "Knowledge",
    "KnowledgeError",
    "Milestone",
    "Note",
    "OutcomeDefaults",
    "OutcomeTiming",
    "Performers",
    "PhotoView",
    "PriceList",
    "ProcedureConcept",
    "PrpSpec",
    "Rule",
    "SCALAR_SETTINGS",
    "Scale",
    "ScaleFactor",
    "ScaleItem",
    "SettingDefaults",
    "Source",
    "Upgrade",
    "VisitSpec",
    "Vocabulary",
    "Washout",
    "Zone",
    "get_knowledge",
    "is_currency_code",
    "load_knowledge",
]
