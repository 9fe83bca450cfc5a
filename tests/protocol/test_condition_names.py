"""Condition names as patients and EHRs write them: spellings, accents, apostrophes, semantic
tags, lay phrases, and the qualifier, body-site and laterality words that do not change which
condition is meant (CLINICAL.md v2, section 2)."""

from functools import cache
from typing import Any

import pytest

from cit.protocol.knowledge import get_knowledge
from cit.protocol.matching import Matcher


@cache
def matcher() -> Matcher:
    return Matcher(get_knowledge())


def named(text: str) -> tuple[list[str], tuple[str, ...]]:
    resolution = matcher().condition((), text)
    return [concept.id for concept in resolution.concepts], resolution.problems


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("Osteoarthritis of right knee", "osteoarthritis"),
        ("Osteoarthritis of both knees", "osteoarthritis"),
        ("Essential hypertension, incidental", "hypertension"),
        ("Intractable migraine without aura", "migraine"),
        ("Psoriasis of left elbow", "psoriasis"),
        ("Eczema of hands and feet", "eczema"),
        ("Benign essential hypertension (disorder)", "hypertension"),
        ("Hypothyroidism (finding)", "hypothyroidism"),
        ("Vitiligo of upper limb", "vitiligo"),
    ],
)
def test_qualifier_site_and_laterality_words_do_not_change_the_concept(
    text: Any, concept: Any
) -> None:
    assert named(text) == ([concept], ())


@pytest.mark.parametrize(
    "text",
    ["Hypertensive heart disease", "Malignant hypertension", "Pulmonary hypertension"],
)
def test_words_that_do_change_the_condition_are_not_ignored(text: Any) -> None:
    assert named(text)[1], "a word that changes the condition must leave it for review"


def test_a_name_that_begins_with_a_negation_word_is_not_a_negated_statement() -> None:
    assert named("Not in labor force (finding)") == (["employment"], ())
    # A real negation says the condition is absent (CLINICAL.md v2 "Free text").
    assert named("Not obese") == ([], ())
