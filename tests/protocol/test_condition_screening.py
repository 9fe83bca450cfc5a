"""Conditions as EHRs and patients record them, screened against CLINICAL.md v2: each rule by
ICD-10-CM, by SNOMED CT and by name; what EHRs add (social findings, pregnancy findings,
wounds); and what CLINICAL.md does not classify. Every expectation is read off CLINICAL.md
section 2 (the rule table, 'Records from EHRs carry more than the questionnaire asks' and
'Condition codes')."""

from datetime import date
from typing import Any

import pytest

from cit.protocol.model import ClinicalStatus, CodeSystem, Coding, ConditionEntry, Decision

from .helpers import ON, condition, finding, rules, screened
from .test_condition_names import named

ACTIVE = ClinicalStatus.ACTIVE
RESOLVED = ClinicalStatus.RESOLVED


def ehr(snomed: str, display: str, **fields: Any) -> ConditionEntry:
    """A Condition as an EHR (Synthea, a FHIR server) sends it: the code and its display."""
    return ConditionEntry(codes=(Coding(CodeSystem.SNOMED, snomed),), text=display, **fields)


# -- the issue's examples: do_not_treat ------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "rule"),
    [
        (condition(snomed="90935002"), "bleeding-disorder"),  # haemophilia, code only
        (condition(snomed="28293008"), "bleeding-disorder"),  # haemophilia A, a descendant
        (condition(snomed="83901003"), "collagen-vascular"),  # Sjogren, code only
        (condition("Von Willebrand's"), "bleeding-disorder"),
        (condition("thrombocytopaenia"), "bleeding-disorder"),
        (condition("Factor VIII deficiency"), "bleeding-disorder"),
        (condition("keloidal scarring"), "keloid"),
        (condition("I get thick raised scars"), "keloid"),
        (condition(snomed="33659008"), "keloid"),
        (condition(icd="L94.1"), "collagen-vascular"),  # linear scleroderma
        (condition("Linear scleroderma"), "collagen-vascular"),
    ],
    ids=lambda value: str(value) if isinstance(value, str) else None,
)
def test_the_issue_examples_are_do_not_treat(entry: Any, rule: Any) -> None:
    result = screened(conditions=(entry,))
    assert rules(result) == {rule}
    assert result.decision is Decision.DO_NOT_TREAT
    assert result.unrecognised == ()


# -- the rules, each by ICD-10-CM, SNOMED CT and name ------------------------------------------


@pytest.mark.parametrize(
    ("entry", "rule", "decision"),
    [
        # collagen-vascular: do_not_treat, active or not
        (condition(icd="M35.00"), "collagen-vascular", Decision.DO_NOT_TREAT),
        (condition(icd="M35.1"), "collagen-vascular", Decision.DO_NOT_TREAT),
        (condition(snomed="89155008", status=RESOLVED), "collagen-vascular", Decision.DO_NOT_TREAT),
        (condition("Sjögren's syndrome"), "collagen-vascular", Decision.DO_NOT_TREAT),
        (condition("Mixed connective tissue disease"), "collagen-vascular", Decision.DO_NOT_TREAT),
        # autoimmune-other: refer
        (condition(icd="M05.79"), "autoimmune-other", Decision.REFER),
        (condition(icd="M35.3"), "autoimmune-other", Decision.REFER),
        (condition(icd="M31.6"), "autoimmune-other", Decision.REFER),
        (condition(icd="M35.2"), "autoimmune-other", Decision.REFER),
        (condition(icd="D68.61"), "autoimmune-other", Decision.REFER),
        (condition(snomed="65323003"), "autoimmune-other", Decision.REFER),
        (condition(snomed="310701003"), "autoimmune-other", Decision.REFER),
        (condition(snomed="26843008"), "autoimmune-other", Decision.REFER),
        (condition("Behçet's disease"), "autoimmune-other", Decision.REFER),
        (condition("Giant cell arteritis"), "autoimmune-other", Decision.REFER),
        (condition("Rheumatoid arthritis of both hands"), "autoimmune-other", Decision.REFER),
        # connective-tissue-heritable: refer
        (condition(icd="M35.7"), "connective-tissue-heritable", Decision.REFER),
        (condition(icd="Q79.62"), "connective-tissue-heritable", Decision.REFER),
        (condition(snomed="398114001"), "connective-tissue-heritable", Decision.REFER),
        (condition("Ehlers-Danlos syndrome"), "connective-tissue-heritable", Decision.REFER),
        (condition("Joint hypermobility syndrome"), "connective-tissue-heritable", Decision.REFER),
        # bleeding-disorder: do_not_treat; not the thrombophilias inside D65-D69
        (condition(icd="D66"), "bleeding-disorder", Decision.DO_NOT_TREAT),
        (condition(icd="D68.1"), "bleeding-disorder", Decision.DO_NOT_TREAT),
        (condition(icd="D68.311"), "bleeding-disorder", Decision.DO_NOT_TREAT),
        (condition(icd="D68.4"), "bleeding-disorder", Decision.DO_NOT_TREAT),
        (condition(icd="D69.3"), "bleeding-disorder", Decision.DO_NOT_TREAT),
        (condition(snomed="128105004"), "bleeding-disorder", Decision.DO_NOT_TREAT),
        (condition(snomed="302215000"), "bleeding-disorder", Decision.DO_NOT_TREAT),
        (condition("Haemophilia B"), "bleeding-disorder", Decision.DO_NOT_TREAT),
        (condition("Immune thrombocytopenic purpura"), "bleeding-disorder", Decision.DO_NOT_TREAT),
        (condition("bleeding disorder"), "bleeding-disorder", Decision.DO_NOT_TREAT),
        # thrombophilia: refer
        (condition(icd="D68.51"), "thrombophilia", Decision.REFER),
        (condition(icd="D68.59"), "thrombophilia", Decision.REFER),
        (condition(icd="D68.62"), "thrombophilia", Decision.REFER),
        (condition(icd="D68.69"), "thrombophilia", Decision.REFER),
        (condition(snomed="307091009"), "thrombophilia", Decision.REFER),
        (condition("Protein C deficiency"), "thrombophilia", Decision.REFER),
        (condition("Prothrombin gene mutation"), "thrombophilia", Decision.REFER),
        # drug-eruption: defer while active
        (condition(icd="L27.0"), "drug-eruption", Decision.DEFER),
        (condition(snomed="28926001", status=ACTIVE), "drug-eruption", Decision.DEFER),
        (condition("Fixed drug eruption"), "drug-eruption", Decision.DEFER),
        # diabetes: refer
        (ehr("44054006", "Diabetes mellitus type 2 (disorder)"), "diabetes", Decision.REFER),
        (ehr("127013003", "Disorder of kidney due to diabetes mellitus (disorder)"), "diabetes",
         Decision.REFER),
        # immunosuppression (HIV): refer
        (ehr("86406008", "Human immunodeficiency virus infection (disorder)"), "immunosuppression",
         Decision.REFER),
    ],
)  # fmt: skip
def test_each_rule_by_icd_snomed_and_name(entry: Any, rule: Any, decision: Any) -> None:
    result = screened(conditions=(entry,))
    assert rules(result) == {rule}
    assert result.decision is decision
    assert result.unrecognised == ()


def test_a_resolved_drug_eruption_has_no_screening_relevance() -> None:
    result = screened(conditions=(condition(icd="L27.1", status=RESOLVED),))
    assert result.decision is Decision.TREAT
    assert result.findings == ()
    assert result.unrecognised == ()


def test_cutaneous_lupus_by_code_is_collagen_vascular_and_chronic_skin() -> None:
    result = screened(conditions=(condition(icd="L93.1"),))
    assert rules(result) == {"collagen-vascular", "chronic-skin"}
    assert result.decision is Decision.DO_NOT_TREAT


# -- no screening relevance: ordinary EHR patients pass -----------------------------------------

NO_RELEVANCE_CODES = [
    ("I10", "Essential (primary) hypertension"),
    ("E78.5", "Hyperlipidemia, unspecified"),
    ("E03.9", "Hypothyroidism, unspecified"),
    ("K21.9", "Gastro-esophageal reflux disease without esophagitis"),
    ("J45.909", "Unspecified asthma, uncomplicated"),
    ("J30.9", "Allergic rhinitis, unspecified"),
    ("F32.A", "Depression, unspecified"),
    ("F41.1", "Generalized anxiety disorder"),
    ("G43.909", "Migraine, unspecified, not intractable, without status migrainosus"),
    ("M17.11", "Unilateral primary osteoarthritis, right knee"),
    ("E66.9", "Obesity, unspecified"),
    ("E28.2", "Polycystic ovarian syndrome"),
    ("K58.9", "Irritable bowel syndrome without diarrhea"),
    ("F90.0", "Attention-deficit hyperactivity disorder, predominantly inattentive type"),
    ("M10.9", "Gout, unspecified"),
    ("M1A.9XX0", "Chronic gout, unspecified, without tophus (tophi)"),
    ("E05.90", "Thyrotoxicosis, unspecified without thyrotoxic crisis or storm"),
    ("E06.3", "Autoimmune thyroiditis"),
    ("L29.9", "Pruritus, unspecified"),
    ("Z68.25", "Body mass index [BMI] 25.0-25.9, adult"),
    ("L90.5", "Scar conditions and fibrosis of skin"),
]


@pytest.mark.parametrize(("code", "display"), NO_RELEVANCE_CODES)
def test_no_relevance_conditions_by_icd_code_give_treat(code: Any, display: Any) -> None:
    result = screened(conditions=(condition(icd=code),))
    assert result.decision is Decision.TREAT, result.unrecognised
    assert result.findings == ()


@pytest.mark.parametrize(
    ("display", "concept"),
    [
        ("Essential (primary) hypertension", "hypertension"),
        ("Gastro-esophageal reflux disease without esophagitis", "gord"),
        ("Hyperlipidemia, unspecified", "hyperlipidaemia"),
        ("Hypothyroidism, unspecified", "hypothyroidism"),
        ("Allergic rhinitis, unspecified", "allergic-rhinitis"),
        ("Generalized anxiety disorder", "anxiety"),
        ("Obesity, unspecified", "obesity"),
        ("Polycystic ovarian syndrome", "pcos"),
        ("Gout, unspecified", "gout"),
        ("Autoimmune thyroiditis", "hashimoto"),
        ("Pruritus, unspecified", "pruritus"),
        ("Type 2 diabetes mellitus without complications", "diabetes"),
        ("Migraine without aura, not intractable, without status migrainosus", "migraine"),
        (
            "Thyrotoxicosis with diffuse goiter without thyrotoxic crisis or storm",
            "hyperthyroidism",
        ),
        ("Attention-deficit hyperactivity disorder, predominantly inattentive type", "adhd"),
        ("Morbid (severe) obesity due to excess calories", "obesity"),
        ("Body mass index [BMI] 19.9 or less, adult", "bmi"),
        ("Idiopathic chronic gout, right shoulder, without tophus (tophi)", "gout"),
        ("Primary generalized (osteo)arthritis", "osteoarthritis"),
        ("Sunburn of second degree", "sunburn"),
    ],
)
def test_official_icd_descriptions_of_billable_codes_resolve_by_name(
    display: Any, concept: Any
) -> None:
    assert named(display) == ([concept], ())


SYNTHEA_FINDINGS = [
    ("160903007", "Full-time employment (finding)"),
    ("160904001", "Part-time employment (finding)"),
    ("741062008", "Not in labor force (finding)"),
    ("73438004", "Unemployed (finding)"),
    ("224299000", "Received higher education (finding)"),
    ("224295006", "Only received primary school education (finding)"),
    ("473461003", "Educated to high school level (finding)"),
    ("422650009", "Social isolation (finding)"),
    ("423315002", "Limited social contact (finding)"),
    ("266948004", "Has a criminal record (finding)"),
    ("424393004", "Reports of violence in the environment (finding)"),
    ("105531004", "Housing unsatisfactory (finding)"),
    ("32911000", "Homeless (finding)"),
    ("446654005", "Refugee (person)"),
    ("1187604002", "Serving in military service (finding)"),
    ("73595000", "Stress (finding)"),
    ("314529007", "Medication review due (situation)"),
    ("109570002", "Primary dental caries (disorder)"),
    ("278558000", "Dental filling lost (finding)"),
    ("162864005", "Body mass index 30+ - obesity (finding)"),
    ("162863004", "Body mass index 25-29 - overweight (finding)"),
    ("59621000", "Essential hypertension (disorder)"),
    ("55822004", "Hyperlipidemia (disorder)"),
    ("239873007", "Osteoarthritis of knee (disorder)"),
    ("233678006", "Childhood asthma (disorder)"),
    ("446096008", "Perennial allergic rhinitis (disorder)"),
    ("124171000119105", "Chronic intractable migraine without aura (disorder)"),
]


@pytest.mark.parametrize(("code", "display"), SYNTHEA_FINDINGS)
def test_social_and_ordinary_ehr_conditions_give_treat(code: Any, display: Any) -> None:
    for entry in (ehr(code, display, status=ACTIVE), condition(snomed=code), condition(display)):
        result = screened(conditions=(entry,))
        assert result.decision is Decision.TREAT, result.unrecognised
        assert result.findings == ()


def test_a_typical_synthea_patient_passes() -> None:
    result = screened(
        conditions=tuple(ehr(code, display, status=ACTIVE) for code, display in SYNTHEA_FINDINGS)
    )
    assert result.decision is Decision.TREAT
    assert result.findings == ()
    assert result.unrecognised == ()


# -- recognised but not classified by CLINICAL.md: a clinician reviews ----------------------


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (ehr("714628002", "Prediabetes (finding)"), "Prediabetes is not diabetes"),
        (condition(icd="R73.03"), "Prediabetes is not diabetes"),
        (ehr("271737000", "Anemia (disorder)"), "Anaemia"),
        (condition("Anaemia"), "Anaemia"),
        (ehr("66383009", "Gingivitis (disorder)"), "Gum inflammation"),
        (ehr("427898007", "Infection of tooth (disorder)"), "Gum inflammation"),
    ],
)
def test_conditions_clinical_md_does_not_classify_refer_with_the_reason(
    entry: Any, reason: Any
) -> None:
    result = screened(conditions=(entry,))
    assert result.decision is Decision.REFER
    assert rules(result) == {"clinician-review"}
    (item,) = result.unrecognised
    assert reason in item.reason


def test_prediabetes_is_not_the_diabetes_rule() -> None:
    assert "diabetes" not in rules(screened(conditions=(condition("Prediabetes"),)))


@pytest.mark.parametrize(
    ("code", "display"),
    [
        ("444814009", "Viral sinusitis (disorder)"),
        ("10509002", "Acute bronchitis (disorder)"),
        ("195662009", "Acute viral pharyngitis (disorder)"),
        ("65363002", "Otitis media (disorder)"),
        ("44465007", "Sprain of ankle (disorder)"),
        ("706893006", "Victim of intimate partner abuse (finding)"),
        ("361055000", "Misuses drugs (finding)"),
    ],
)
def test_what_clinical_md_does_not_list_stays_unrecognised(code: Any, display: Any) -> None:
    result = screened(conditions=(ehr(code, display, status=ACTIVE),))
    assert result.decision is Decision.REFER
    assert rules(result) == {"clinician-review"}
    assert {item.path for item in result.unrecognised} == {"conditions[0]"}


# -- pregnancy findings and complications --------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        ehr("72892002", "Normal pregnancy (finding)", status=ACTIVE),
        ehr("47200007", "High risk pregnancy (finding)", status=ACTIVE),
        ehr("47200007", "Non-low risk pregnancy", status=ACTIVE),
        ehr("398254007", "Pre-eclampsia (disorder)", status=ACTIVE),
        condition(icd="O09.90"),
        condition(icd="O26.891"),
        condition(icd="Z33.1"),
        condition(icd="Z3A.20"),
        condition("Currently pregnant"),
    ],
)
def test_pregnancy_findings_and_complications_defer(entry: Any) -> None:
    result = screened(conditions=(entry,))
    assert rules(result) == {"pregnancy"}
    assert result.decision is Decision.DEFER
    assert result.until is None


def test_a_pregnancy_that_is_over_has_no_bearing() -> None:
    entry = ehr(
        "72892002", "Normal pregnancy (finding)", onset=date(2023, 5, 1), resolved=date(2024, 1, 20)
    )
    result = screened(conditions=(entry,))
    assert result.decision is Decision.TREAT


def test_an_active_miscarriage_is_pregnancy() -> None:
    entry = ehr("19169002", "Miscarriage in first trimester (disorder)", onset=ON, status=ACTIVE)
    result = screened(conditions=(entry,))
    assert rules(result) == {"pregnancy"}
    assert result.decision is Decision.DEFER


@pytest.mark.parametrize(
    "entry",
    [
        ehr("19169002", "Miscarriage in first trimester (disorder)", status=RESOLVED),
        condition(icd="O03.9", status=RESOLVED),
        ehr("161744009", "Past pregnancy history of miscarriage (situation)", status=ACTIVE),
        condition("History of miscarriage"),
    ],
)
def test_a_past_miscarriage_is_a_clinicians_date_check(entry: Any) -> None:
    # CLINICAL.md: a miscarriage within the last 6 weeks is pregnancy; the screening cannot
    # date it yet, so it refers rather than let a recent one pass.
    result = screened(conditions=(entry,))
    assert result.decision is Decision.REFER
    assert "6 weeks" in result.unrecognised[0].reason


# -- wounds, lacerations and burns ---------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        ehr("283371005", "Laceration of forearm (disorder)", status=ACTIVE),
        ehr("403191005", "Second degree burn (disorder)", status=ACTIVE),
        ehr("125643001", "Open wound (disorder)", status=ACTIVE),
        condition(icd="S51.811A"),
        condition(icd="T21.21XA"),
        condition("Burn of skin"),
        condition("Graze on the left forearm"),
    ],
)
def test_an_active_wound_or_burn_without_a_place_refers(entry: Any) -> None:
    result = screened(conditions=(entry,))
    assert "wound-open" in rules(result)
    assert result.decision is Decision.REFER
    assert result.unrecognised == ()


def test_a_facial_laceration_on_the_face_defers_until_healed() -> None:
    entry = ConditionEntry(
        codes=(Coding(CodeSystem.SNOMED, "370247008"),),
        text="Facial laceration (disorder)",
        status=ACTIVE,
        site="face",
    )
    result = screened(conditions=(entry,))
    assert rules(result) == {"wound-open"}
    assert result.decision is Decision.DEFER
    assert finding(result, "wound-open").until is None


def test_a_healed_laceration_has_no_bearing() -> None:
    entry = ehr(
        "284549007",
        "Laceration of hand (disorder)",
        onset=date(2020, 2, 1),
        resolved=date(2020, 2, 20),
    )
    assert screened(conditions=(entry,)).decision is Decision.TREAT


def test_a_thyroid_storm_written_out_is_left_for_review() -> None:
    # E05 is of no relevance by code (CLINICAL.md lists E05 whole); the words of a crisis are
    # not names, so a text-only thyroid storm still goes to a clinician.
    assert named("Thyrotoxicosis with diffuse goiter with thyrotoxic crisis or storm")[1]
