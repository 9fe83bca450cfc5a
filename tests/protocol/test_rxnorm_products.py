"""RxNorm clinical and branded drug codes (knowledge/rxnorm_products.toml): EHRs code medicines
with the product's RxCUI, not the ingredient's (CLINICAL.md v2 section 2). The table maps each
code to its ingredients, records the published value set it came from, and keeps an unknown
code unrecognised."""

import shutil
import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from cit.protocol.knowledge import KNOWLEDGE_DIR, KnowledgeError, get_knowledge, load_knowledge
from cit.protocol.matching import Matcher
from cit.protocol.model import Decision

from .helpers import med, rules, screened


@cache
def matcher() -> Matcher:
    return Matcher(get_knowledge())


@cache
def table() -> dict[str, dict[str, object]]:
    with (KNOWLEDGE_DIR / "rxnorm_products.toml").open("rb") as file:
        data: dict[str, dict[str, object]] = tomllib.load(file)
    return data


def code_classes(*codes: str) -> set[str]:
    resolution = matcher().medication(codes, None, None)
    assert resolution.problems == (), resolution.problems
    return {match.concept.drug_class.id for match in resolution.drugs}


# Codes and displays as the value sets list them (RxNorm SCD/SBD/GPCK).
@pytest.mark.parametrize(
    ("code", "drug_class"),
    [
        ("855332", "anticoagulant"),  # warfarin sodium 5 MG Oral Tablet
        ("1364445", "anticoagulant"),  # apixaban 5 MG Oral Tablet
        ("854228", "anticoagulant"),  # 0.3 ML enoxaparin sodium 100 MG/ML Prefilled Syringe
        ("243670", "antiplatelet"),  # aspirin 81 MG Oral Tablet
        ("309362", "antiplatelet"),  # clopidogrel 75 MG Oral Tablet
        ("197844", "isotretinoin"),  # isotretinoin 20 MG Oral Capsule
        ("308725", "oral_retinoid"),  # bexarotene 75 MG Oral Capsule
        ("105585", "immunosuppressant"),  # methotrexate 2.5 MG Oral Tablet
        ("352334", "biologic"),  # 0.8 ML adalimumab 50 MG/ML Injection [Humira]
        ("2048566", "jak_inhibitor"),  # tofacitinib 10 MG Oral Tablet
        ("312615", "systemic_corticosteroid"),  # prednisone 20 MG Oral Tablet
        ("860975", "diabetes"),  # 24 HR metformin hydrochloride 500 MG ER Oral Tablet
        ("861007", "diabetes"),  # metformin hydrochloride 500 MG Oral Tablet
        ("847232", "diabetes"),  # 3 ML insulin glargine 100 UNT/ML Pen Injector [Lantus]
        ("1991309", "diabetes"),  # semaglutide Pen Injector [Ozempic]
        ("1653600", "glp1_weight"),  # liraglutide Pen Injector [Saxenda]
        ("314076", "ace_inhibitor"),  # lisinopril 10 MG Oral Tablet
        ("197361", "calcium_channel_blocker"),  # amlodipine 5 MG Oral Tablet
        ("617310", "statin"),  # atorvastatin 20 MG Oral Tablet
        ("979492", "arb"),  # losartan potassium 50 MG Oral Tablet
        ("198051", "ppi"),  # omeprazole 20 MG Delayed Release Oral Capsule
        ("312941", "ssri"),  # sertraline 50 MG Oral Tablet
        ("745679", "bronchodilator"),  # 200 ACTUAT albuterol 0.09 MG/ACTUAT MDI
        ("1649988", "oral_tetracycline"),  # doxycycline hyclate 100 MG Oral Capsule
        ("311681", "review_systemic_antibiotic"),  # metronidazole 500 MG Oral Tablet
    ],
)
def test_product_codes_map_to_their_ingredients_class(code: str, drug_class: str) -> None:
    assert code_classes(code) == {drug_class}


def test_a_combination_product_code_maps_to_every_ingredient() -> None:
    assert code_classes("1811631") == {"antiplatelet", "ppi"}  # aspirin 81 / omeprazole 40
    assert code_classes("979468") == {"arb", "thiazide"}  # HCTZ 12.5 / losartan 50
    assert code_classes("259081") == {"antiplatelet"}  # aspirin 25 / dipyridamole 200 ER


def test_an_unknown_code_stays_unrecognised() -> None:
    resolution = matcher().medication(("99999999",), None, None)
    assert resolution.drugs == ()
    assert resolution.problems == ("RxNorm code 99999999 is not in the knowledge base.",)
    # A product with an ingredient the knowledge base does not classify is not listed:
    # 1049221 is "acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet".
    assert "1049221" not in table()["product"]


def test_a_product_code_alone_screens_like_its_name() -> None:
    assert screened(medications=(med(rxnorm=("855332",)),)).decision is Decision.REFER
    assert rules(screened(medications=(med(rxnorm=("197844",)),))) == {"isotretinoin"}
    ordinary = screened(
        medications=tuple(med(rxnorm=(code,)) for code in ("314076", "617310", "198051"))
    )
    assert ordinary.decision is Decision.TREAT
    assert ordinary.unrecognised == ()


def test_every_code_names_its_published_sources() -> None:
    data = table()
    sources = data["source"]
    assert sources
    for key, source in sources.items():
        assert isinstance(source, dict)
        assert source["title"], key
        assert source["publisher"], key
        assert source["location"], key
        if "VSAC" in str(source["publisher"]):
            assert str(source["oid"]).startswith("2.16.840.1."), key
            assert source["version"], key
    for code, product in data["product"].items():
        assert code.isdigit()
        assert isinstance(product, dict), code
        assert product["sources"], code
        assert set(product["sources"]) <= set(sources), code  # type: ignore[arg-type]


def test_the_table_covers_every_risky_class_from_value_sets() -> None:
    vocabulary = get_knowledge().vocabulary
    counts: dict[str, int] = {}
    for code in table()["product"]:
        for slot in vocabulary.drug_codes[code]:
            for drug_class in {concept.drug_class.id for concept in slot}:
                counts[drug_class] = counts.get(drug_class, 0) + 1
    for drug_class in (
        "anticoagulant",
        "antiplatelet",
        "immunosuppressant",
        "biologic",
        "jak_inhibitor",
        "systemic_corticosteroid",
        "chemotherapy",
        "diabetes",
        "isotretinoin",
    ):
        assert counts.get(drug_class, 0) >= 5, drug_class
    assert sum(counts.values()) > 5000


Edit = Callable[[str, str], Path]


@pytest.fixture
def edit(tmp_path: Path) -> Edit:
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)

    def change(old: str, new: str) -> Path:
        path = copy / "rxnorm_products.toml"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return copy

    return change


def load_error(directory: Path) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return caught.value


def test_an_ingredient_drugs_toml_does_not_know_is_rejected(edit: Edit) -> None:
    error = load_error(
        edit(
            '855332 = { ingredients = ["warfarin"]', '855332 = { ingredients = ["warfarine sodium"]'
        )
    )
    assert (error.file, error.entry, error.field) == (
        "rxnorm_products.toml",
        "product 855332",
        "ingredients",
    )
    assert "unknown ingredient 'warfarine sodium'" in str(error)


def test_a_route_the_ingredient_does_not_cover_is_rejected(edit: Edit) -> None:
    error = load_error(
        edit(
            '197844 = { ingredients = ["isotretinoin"], route = "oral"',
            '197844 = { ingredients = ["tretinoin"], route = "oral"',
        )
    )
    assert error.entry == "product 197844"
    assert error.field == "route"


def test_a_code_that_is_not_digits_or_an_unknown_source_is_rejected(edit: Edit) -> None:
    error = load_error(edit("855332 = {", "85533X = {"))
    assert error.entry == "product 85533X"
    assert "digits" in str(error)


def test_an_unknown_source_key_is_rejected(edit: Edit) -> None:
    error = load_error(edit('sources = ["', 'sources = ["nowhere", "'))
    assert error.field == "sources"
    assert "unknown source 'nowhere'" in str(error)


def test_a_source_without_its_title_is_rejected(edit: Edit) -> None:
    error = load_error(edit('title = "', 'titel = "'))
    assert error.file == "rxnorm_products.toml"
    assert error.field == "title"
