"""CIT's protocol engine: the clinical rules of CLINICAL.md as data, and pure functions over them.

No Django, no database, no clock: every function takes the day as an argument. The knowledge
base (``knowledge/*.toml``) is loaded and validated once per process.

Entry points::

    screen(intake, on, profile)             -> Screening        (may we treat on `on`?)
    plan(intake, goals, on, profile)        -> TreatmentPlan    (raises PlanRefused)
    aftercare(session_date, day, profile)   -> AftercareDay
    expected_course(day, depth_mm)          -> CourseDay
    classify_diary(entry, day_after_session) -> DiaryClassification

    intake_from_dict(data, today=...)       -> Intake           (raises IntakeError)
    intake_json_schema()                    -> dict             (JSON Schema)
    screening_to_dict / plan_to_dict / ...  -> JSON-ready dicts

FHIR R4 bundles are read by :func:`cit.interop.fhir_intake.intake_from_fhir_bundle`.
"""

from cit.protocol.aftercare import (
    AftercareDay,
    CourseDay,
    DiaryClassification,
    DiaryLevel,
    aftercare,
    classify_diary,
    expected_course,
)
from cit.protocol.intake_json import (
    FieldError,
    IntakeError,
    diary_entry_from_dict,
    intake_from_dict,
    intake_json_schema,
)
from cit.protocol.knowledge import Knowledge, KnowledgeError, get_knowledge, load_knowledge
from cit.protocol.model import (
    AllergyEntry,
    AreaState,
    ClinicalStatus,
    CodeSystem,
    Coding,
    ConditionEntry,
    Decision,
    DiaryEntry,
    Fact,
    Finding,
    Goal,
    HistoryFlags,
    Intake,
    MedicationEntry,
    MedicationStatus,
    PainTrend,
    ProcedureEntry,
    ProcedureKind,
    Route,
    Screening,
    Sex,
    UnmappedFact,
    UnrecognisedItem,
)
from cit.protocol.planning import PlanningError, PlanRefused, SeriesPlan, TreatmentPlan, plan
from cit.protocol.profiles import (
    Profile,
    ProfileError,
    UnknownProfileError,
    available_profiles,
    load_profile,
)
from cit.protocol.screening import screen
from cit.protocol.serialise import (
    aftercare_to_dict,
    course_to_dict,
    diary_to_dict,
    intake_to_dict,
    plan_to_dict,
    screening_to_dict,
)


def protocol_version() -> str:
    """The version of the loaded knowledge base (``<version>+<content hash>``)."""
    return get_knowledge().protocol_version


__all__ = [
    "AftercareDay",
    "AllergyEntry",
    "AreaState",
    "ClinicalStatus",
    "CodeSystem",
    "Coding",
    "ConditionEntry",
    "CourseDay",
    "Decision",
    "DiaryClassification",
    "DiaryEntry",
    "DiaryLevel",
    "Fact",
    "FieldError",
    "Finding",
    "Goal",
    "HistoryFlags",
    "Intake",
    "IntakeError",
    "Knowledge",
    "KnowledgeError",
    "MedicationEntry",
    "MedicationStatus",
    "PainTrend",
    "PlanRefused",
    "PlanningError",
    "ProcedureEntry",
    "ProcedureKind",
    "Profile",
    "ProfileError",
    "Route",
    "Screening",
    "SeriesPlan",
    "Sex",
    "TreatmentPlan",
    "UnknownProfileError",
    "UnmappedFact",
    "UnrecognisedItem",
    "aftercare",
    "aftercare_to_dict",
    "available_profiles",
    "classify_diary",
    "course_to_dict",
    "diary_entry_from_dict",
    "diary_to_dict",
    "expected_course",
    "get_knowledge",
    "intake_from_dict",
    "intake_json_schema",
    "intake_to_dict",
    "load_knowledge",
    "load_profile",
    "plan",
    "plan_to_dict",
    "protocol_version",
    "screen",
    "screening_to_dict",
]
