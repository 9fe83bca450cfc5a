"""Recognising medicines, conditions and allergies: codes, names, brands, accents, strengths,
routes; and saying so when only part of a text is understood."""

from functools import cache
from typing import Any

import pytest

from cit.protocol.knowledge import get_knowledge
from cit.protocol.matching import Matcher
from cit.protocol.model import CodeSystem, Coding, Route
from cit.protocol.text import words


@cache
def matcher() -> Matcher:
    return Matcher(get_knowledge())


def drug_ids(
    name: str | None = None, rxnorm: tuple[str, ...] = (), route: Route | None = None
) -> tuple[list[str], tuple[str, ...]]:
    resolution = matcher().medication(tuple(rxnorm), name, route)
    return [match.concept.id for match in resolution.drugs], resolution.problems


def test_words_fold_case_and_accents_and_drop_punctuation() -> None:
    assert words("RÉTIN-A Micro 0.1%") == ("retin", "a", "micro", "0.1")
    assert words("Sjögren's") == ("sjogren", "s")
    assert words("20mg/5mL") == ("20", "mg", "5", "ml")


@pytest.mark.parametrize(
    ("name", "drug"),
    [
        ("Accutane", "isotretinoin-oral"),
        ("ACCUTANE 40MG CAPSULE", "isotretinoin-oral"),
        ("accutane", "isotretinoin-oral"),
        ("Roaccutane 20 mg soft capsules", "isotretinoin-oral"),
        ("Epuris", "isotretinoin-oral"),
        ("13-cis-retinoic acid", "isotretinoin-oral"),
        ("Eliquis 5 MG Oral Tablet", "apixaban"),
        ("Retin-A Micro 0.04% gel pump", "tretinoin"),
        ("RÉTIN-A", "tretinoin"),
        ("Toprol-XL 50 mg", "beta-blockers"),
        ("metoprolol succinate ER 25 mg tablet", "beta-blockers"),
        ("Humira Pen 40 mg/0.4 mL", "adalimumab"),
        ("Lantus SoloStar 100 units/mL", "insulin"),
        ("Bayer Aspirin 81 mg enteric coated", "aspirin"),
        ("paracétamol 500 mg", "paracetamol"),
        ("Nurofen", "ibuprofen"),
        ("Lustral", "ssris"),
        ("Clarityn", "antihistamines"),
    ],
)
def test_generic_and_brand_names_match_ignoring_case_accents_strength_and_form(
    name: Any, drug: Any
) -> None:
    ids, problems = drug_ids(name)
    assert ids == [drug]
    assert problems == ()


@pytest.mark.parametrize(
    ("code", "drug"),
    [
        ("6064", "isotretinoin-oral"),
        ("1364430", "apixaban"),
        ("11289", "warfarin"),
        ("1191", "aspirin"),
    ],
)
def test_rxnorm_ingredient_codes_match(code: Any, drug: Any) -> None:
    assert drug_ids(rxnorm=(code,)) == ([drug], ())


def test_an_unknown_code_with_a_known_name_is_recognised_by_the_name() -> None:
    # EHRs send clinical-drug codes (SCD/SBD) the knowledge base does not list.
    assert drug_ids("Eliquis 5 MG Oral Tablet", rxnorm=("1364447",)) == (["apixaban"], ())


def test_a_code_and_a_name_naming_different_medicines_is_a_problem() -> None:
    ids, problems = drug_ids("Lipitor", rxnorm=("6064",))
    assert set(ids) == {"isotretinoin-oral", "statins"}
    assert "different medicines" in problems[0]


def test_combination_brands_list_every_ingredient() -> None:
    assert drug_ids("Aggrenox")[0] == ["aspirin", "dipyridamole"]
    assert drug_ids("losartan/HCTZ 50-12.5 mg")[0] == ["arbs", "thiazides"]


def test_words_left_over_are_reported() -> None:
    ids, problems = drug_ids("Tylenol with codeine #3")
    assert ids == ["paracetamol"]
    assert problems == ("Partly recognised; not understood: 'codeine'.",)


def test_a_letter_that_changes_the_product_is_not_ignored() -> None:
    # Claritin-D contains pseudoephedrine, which the knowledge base does not classify.
    assert drug_ids("Claritin-D")[1]


@pytest.mark.parametrize(
    ("name", "route", "drug"),
    [
        ("hydrocortisone 1% cream", None, "hydrocortisone-local"),
        ("hydrocortisone 10 mg tablet", None, "hydrocortisone-systemic"),
        ("hydrocortisone", Route.INJECTION, "hydrocortisone-systemic"),
        ("Restasis eye drops", None, "cyclosporine-eye"),
        ("ciclosporin 0.1% eye drops", None, "cyclosporine-eye"),
        ("tacrolimus ointment", None, "tacrolimus-topical"),
        ("vitamin C serum", None, "skincare-actives"),
        ("vitamin C 1000 mg", None, "vitamin-c-oral"),
    ],
)
def test_the_route_decides_between_entries_of_the_same_name(
    name: Any, route: Any, drug: Any
) -> None:
    assert drug_ids(name, route=route) == ([drug], ())


def test_a_route_the_entry_does_not_cover_is_a_problem() -> None:
    ids, problems = drug_ids("tretinoin", route=Route.ORAL)
    assert ids == []
    assert "oral route" in problems[0]


def test_an_ambiguous_name_without_a_route_is_a_problem_naming_the_alternatives() -> None:
    ids, problems = drug_ids("hydrocortisone")
    assert ids == []
    assert "Route not recorded" in problems[0]
    assert "systemic corticosteroid" in problems[0]


def test_nothing_entries_are_skipped() -> None:
    assert matcher().medication((), "None", None).nothing
    assert matcher().condition((), "No known medical conditions").nothing


def conditions_of(
    text: str | None = None, codes: tuple[Coding, ...] = ()
) -> tuple[list[str], tuple[str, ...], bool]:
    resolution = matcher().condition(tuple(codes), text)
    ids = [c.id for c in resolution.concepts]
    return ids, resolution.problems, bool(ids) and set(ids) <= resolution.history_ids


@pytest.mark.parametrize(
    ("code", "concept"),
    [
        ("L57.0", "actinic-keratosis"),
        ("L57.8", "photo-ageing"),
        ("l570", "actinic-keratosis"),
        ("D68.0", "von-willebrand"),
        ("D68.51", "thrombophilia"),
        ("O24.410", "diabetes-in-pregnancy"),
        ("O80", "pregnancy"),
        ("E11.65", "diabetes"),
    ],
)
def test_icd10cm_codes_match_by_their_longest_listed_prefix(code: Any, concept: Any) -> None:
    assert conditions_of(codes=(Coding(CodeSystem.ICD10CM, code),))[0] == [concept]


def test_snomed_codes_match_exactly() -> None:
    assert conditions_of(codes=(Coding(CodeSystem.SNOMED, "44054006"),))[0] == ["diabetes"]
    assert conditions_of(codes=(Coding(CodeSystem.SNOMED, "440540"),))[1]


def test_condition_names_match_with_qualifiers_ignored() -> None:
    assert conditions_of("Type 2 diabetes mellitus without complications") == (
        ["diabetes"],
        (),
        False,
    )
    assert conditions_of("Major depressive disorder, recurrent, in remission")[0] == ["depression"]


def test_history_of_marks_history() -> None:
    assert conditions_of("H/O cold sores") == (["herpes-simplex"], (), True)


def test_a_negated_statement_says_the_condition_is_absent() -> None:
    # CLINICAL.md v2: "no history of keloids" is absent, not active (and nothing to review).
    assert conditions_of("No history of keloids") == ([], (), False)
    assert conditions_of("denies cold sores") == ([], (), False)


def test_a_family_history_goes_to_review() -> None:
    assert "family history" in conditions_of("Family history of diabetes")[1][0]


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("had cold sores as a kid", "herpes-simplex"),
        ("Cold sores years ago", "herpes-simplex"),
        ("history of eczema", "eczema"),
        ("eczema, resolved", "eczema"),
        ("psoriasis in remission", "psoriasis"),
    ],
)
def test_history_cues_in_free_text_make_it_history(text: str, concept: str) -> None:
    assert conditions_of(text) == ([concept], (), True)


def test_each_clause_keeps_its_own_reading() -> None:
    ids, problems, _ = conditions_of("No keloids but eczema")
    assert ids == ["eczema"]
    assert not problems
    resolution = matcher().condition((), "had cold sores as a kid; psoriasis")
    assert resolution.history_ids == {"herpes-simplex"}


def test_a_known_code_makes_an_unusual_display_text_acceptable() -> None:
    assert conditions_of(
        "Elevated blood-pressure reading, essential", (Coding(CodeSystem.ICD10CM, "I10"),)
    ) == (
        ["hypertension"],
        (),
        False,
    )


def test_every_known_phrase_in_a_text_counts() -> None:
    assert set(conditions_of("Hypertension in pregnancy")[0]) == {"hypertension", "pregnancy"}


def test_allergy_codes_and_names() -> None:
    resolution = matcher().allergy((Coding(CodeSystem.SNOMED, "716186003"),), None)
    assert [c.id for c in resolution.concepts] == ["no-known-allergy"]
    assert [c.id for c in matcher().allergy((), "Penicillin - hives").concepts] == [
        "not-in-session"
    ]


def test_resolutions_are_memoised() -> None:
    first = matcher().medication((), "Accutane 20 mg", None)
    assert matcher().medication((), "Accutane 20 mg", None) is first
