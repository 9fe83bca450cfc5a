"""The shipped knowledge base: every rule of CLINICAL.md section 2, sourced, versioned."""

import re
from typing import Any

import pytest

from cit.protocol.knowledge import get_knowledge, load_knowledge
from cit.protocol.matching import Matcher
from cit.protocol.model import Decision

CLINICAL_RULES = {
    "infection-active": Decision.DEFER,
    "herpes-active": Decision.DEFER,
    "herpes-history": Decision.TREAT_WITH_PRECAUTIONS,
    "wound-open": Decision.DEFER,
    "sunburn": Decision.DEFER,
    "acne-active": Decision.DEFER,
    "eczema-psoriasis-active": Decision.DEFER,
    "eczema-psoriasis-history": Decision.REFER,
    "chronic-skin": Decision.REFER,
    "keloid": Decision.DO_NOT_TREAT,
    "collagen-vascular": Decision.DO_NOT_TREAT,
    "bleeding-disorder": Decision.DO_NOT_TREAT,
    "anticoagulant": Decision.REFER,
    "isotretinoin": Decision.DEFER,
    "immunosuppression": Decision.REFER,
    "diabetes": Decision.REFER,
    "pregnancy": Decision.DEFER,
    "nursing": Decision.DEFER,
    "chronic-condition": Decision.REFER,
    "lesion-in-area": Decision.REFER,
    "resurfacing-recent": Decision.DEFER,
    "retinoid-topical": Decision.TREAT_WITH_PRECAUTIONS,
    "anaesthetic-allergy": Decision.TREAT_WITH_PRECAUTIONS,
    "product-allergy": Decision.TREAT_WITH_PRECAUTIONS,
    "metal-allergy": Decision.REFER,
    "age-minor": Decision.REFER,
    "age-label": Decision.TREAT_WITH_PRECAUTIONS,
    # New or split in CLINICAL.md v2.
    "drug-eruption": Decision.DEFER,
    "autoimmune-other": Decision.REFER,
    "connective-tissue-heritable": Decision.REFER,
    "thrombophilia": Decision.REFER,
    "supplement-antiplatelet": Decision.TREAT_WITH_PRECAUTIONS,
    "topical-steroid-area": Decision.TREAT_WITH_PRECAUTIONS,
    "skincare-active": Decision.TREAT_WITH_PRECAUTIONS,
    "latex-allergy": Decision.TREAT_WITH_PRECAUTIONS,
    "pregnancy-unknown": Decision.DEFER,
    # The two decisions of rows whose place decides (infection elsewhere, wounds unplaced).
    "infection-elsewhere": Decision.REFER,
    "wound-elsewhere": Decision.REFER,
}


def test_every_rule_of_clinical_md_is_there_with_its_decision_and_sources() -> None:
    knowledge = get_knowledge()
    for rule_id, decision in CLINICAL_RULES.items():
        rule = knowledge.rules[rule_id]
        assert rule.decision is decision, rule_id
        assert rule.sources
        assert all(s in knowledge.sources for s in rule.sources)
    assert set(knowledge.rules) == {*CLINICAL_RULES, "clinician-review"}


def test_the_protocol_version_is_the_manifest_version_and_a_content_hash() -> None:
    assert re.fullmatch(r"2025\.1\+[0-9a-f]{10}", get_knowledge().protocol_version)


def test_the_knowledge_base_is_loaded_once() -> None:
    assert get_knowledge() is get_knowledge()


def test_loading_again_gives_the_same_version() -> None:
    assert load_knowledge().protocol_version == get_knowledge().protocol_version


def test_every_fact_carries_a_known_source() -> None:
    knowledge = get_knowledge()
    sourced: list[Any] = [
        *knowledge.drugs,
        *knowledge.conditions,
        *knowledge.allergens,
        *knowledge.zones.values(),
        *knowledge.indications.values(),
        *knowledge.aftercare,
        *knowledge.course,
        *knowledge.escalation,
        *knowledge.milestones,
        *knowledge.scales.values(),
    ]
    for item in sourced:
        assert item.sources, item
        assert all(source in knowledge.sources for source in item.sources), item


# CLINICAL.md's examples of each class, with their brands: all must be recognised.
CLINICAL_EXAMPLES = {
    "isotretinoin": [
        "isotretinoin",
        "Accutane",
        "Absorica",
        "Amnesteem",
        "Claravis",
        "Myorisan",
        "Zenatane",
        "Roaccutane",
        "Epuris",
    ],
    "anticoagulant": [
        "warfarin",
        "Coumadin",
        "Jantoven",
        "apixaban",
        "Eliquis",
        "rivaroxaban",
        "Xarelto",
        "dabigatran",
        "Pradaxa",
        "edoxaban",
        "Savaysa",
        "Lixiana",
        "heparin",
        "enoxaparin",
        "Lovenox",
        "dalteparin",
        "Fragmin",
        "fondaparinux",
        "Arixtra",
    ],
    "antiplatelet": [
        "aspirin",
        "aspirin 81 mg",
        "clopidogrel",
        "Plavix",
        "prasugrel",
        "Effient",
        "ticagrelor",
        "Brilinta",
        "dipyridamole",
        "Persantine",
        "Aggrenox",
        "cilostazol",
    ],
    "immunosuppressant": [
        "methotrexate",
        "Trexall",
        "Otrexup",
        "Rasuvo",
        "azathioprine",
        "Imuran",
        "cyclosporine 100 mg capsule",
        "Neoral",
        "Sandimmune",
        "Gengraf",
        "tacrolimus capsule",
        "Prograf",
        "Envarsus",
        "mycophenolate",
        "CellCept",
        "Myfortic",
        "sirolimus",
        "Rapamune",
        "leflunomide",
        "Arava",
    ],
    "biologic": [
        "adalimumab",
        "Humira",
        "etanercept",
        "Enbrel",
        "infliximab",
        "Remicade",
        "ustekinumab",
        "Stelara",
        "secukinumab",
        "Cosentyx",
        "rituximab",
        "Rituxan",
    ],
    "jak_inhibitor": [
        "tofacitinib",
        "Xeljanz",
        "baricitinib",
        "Olumiant",
        "upadacitinib",
        "Rinvoq",
    ],
    "systemic_corticosteroid": [
        "prednisone",
        "prednisolone",
        "methylprednisolone",
        "Medrol",
        "dexamethasone",
    ],
    "chemotherapy": [
        "cyclophosphamide",
        "fluorouracil injection",
        "capecitabine",
        "Xeloda",
        "cisplatin",
        "carboplatin",
    ],
    "diabetes": [
        "insulin",
        "metformin",
        "Glucophage",
        "glipizide",
        "glyburide",
        "glimepiride",
        "sitagliptin",
        "Januvia",
        "empagliflozin",
        "Jardiance",
        "dapagliflozin",
        "Farxiga",
        "Ozempic",
        "Victoza",
        "Trulicity",
        "Mounjaro",
    ],
    "topical_retinoid": [
        "tretinoin",
        "Retin-A",
        "Renova",
        "adapalene",
        "Differin",
        "tazarotene",
        "Tazorac",
        "trifarotene",
        "Aklief",
        "retinol",
    ],
}


@pytest.mark.parametrize(
    ("drug_class", "name"),
    [(drug_class, name) for drug_class, names in CLINICAL_EXAMPLES.items() for name in names],
)
def test_clinical_md_drug_examples_are_in_their_class(drug_class: Any, name: Any) -> None:
    resolution = Matcher(get_knowledge()).medication((), name, None)
    assert resolution.problems == ()
    assert {match.concept.drug_class.id for match in resolution.drugs} <= {
        drug_class,
        "antiplatelet",
    }
    assert drug_class in {match.concept.drug_class.id for match in resolution.drugs}


@pytest.mark.parametrize(
    ("code", "drug_class"),
    [
        ("6064", "isotretinoin"),
        ("11289", "anticoagulant"),
        ("1191", "antiplatelet"),
        ("32968", "antiplatelet"),
        ("6851", "immunosuppressant"),
        ("1256", "immunosuppressant"),
        ("3008", "immunosuppressant"),
        ("42316", "immunosuppressant"),
        ("7145", "immunosuppressant"),
        ("35302", "immunosuppressant"),
        ("121191", "biologic"),
        ("3002", "chemotherapy"),
        ("4492", "chemotherapy"),
        ("194000", "chemotherapy"),
        ("2555", "chemotherapy"),
        ("40048", "chemotherapy"),
    ],
)
def test_clinical_md_rxnorm_codes(code: Any, drug_class: Any) -> None:
    (match,) = Matcher(get_knowledge()).medication((code,), None, None).drugs
    assert match.concept.drug_class.id == drug_class


def test_the_drug_lists_go_well_beyond_the_examples() -> None:
    knowledge = get_knowledge()
    brands = sum(len(drug.brands) for drug in knowledge.drugs)
    names = sum(len(drug.names) for drug in knowledge.drugs)
    assert brands > 500
    assert names > 250


def test_outcome_scales_and_reconstructed_flag() -> None:
    scales = get_knowledge().scales
    assert scales["goodman-baron-quantitative"].verified is False
    assert scales["goodman-baron-quantitative"].maximum == 84
    assert [g for g, _ in scales["gais-clinician"].grades] == [1, 2, 3, 4, 5]
