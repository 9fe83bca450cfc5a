"""Allergies: topical anaesthetics, session products, metals; others have no bearing."""

from typing import Any

import pytest

from cit.protocol.model import Decision

from .helpers import allergy, finding, rules, screened


@pytest.mark.parametrize(
    ("substance", "group"),
    [
        ("Lidocaine", "amide"),
        ("lignocaine", "amide"),
        ("EMLA cream", "amide"),
        ("prilocaine", "amide"),
        ("benzocaine", "ester"),
        ("Tetracaine", "ester"),
        ("amethocaine (Ametop)", "ester"),
    ],
)
def test_anaesthetic_allergy_treats_without_that_group(substance: Any, group: Any) -> None:
    result = screened(allergies=(allergy(substance),))
    found = finding(result, "anaesthetic-allergy")
    assert result.decision is Decision.TREAT_WITH_PRECAUTIONS
    assert found.actions[0] == "Shallow depths need no topical anaesthetic."
    assert f"No {group}-type topical anaesthetic" in found.actions[1]


def test_allergies_to_both_groups_list_both_actions_once() -> None:
    result = screened(allergies=(allergy("lidocaine"), allergy("benzocaine"), allergy("lidocaine")))
    assert len(finding(result, "anaesthetic-allergy").actions) == 3


@pytest.mark.parametrize(
    "substance", ["hyaluronic acid", "sodium hyaluronate", "copper peptides", "zinc oxide"]
)
def test_allergy_to_a_session_product_means_not_using_it(substance: Any) -> None:
    result = screened(allergies=(allergy(substance),))
    assert rules(result) == {"product-allergy"}
    assert result.decision is Decision.TREAT_WITH_PRECAUTIONS
    assert finding(result, "product-allergy").actions


@pytest.mark.parametrize("substance", ["nickel", "Stainless steel", "nickel sulfate"])
def test_metal_allergy_refers(substance: Any) -> None:
    result = screened(allergies=(allergy(substance),))
    assert rules(result) == {"metal-allergy"}
    assert result.decision is Decision.REFER


@pytest.mark.parametrize(
    "substance", ["Penicillin", "NKDA", "sulfa drugs", "peanuts", "codeine - nausea", "cat dander"]
)
def test_allergies_to_substances_not_used_in_a_session_have_no_bearing(substance: Any) -> None:
    assert screened(allergies=(allergy(substance),)).decision is Decision.TREAT


def test_a_latex_allergy_means_latex_free_gloves() -> None:
    result = screened(allergies=(allergy("latex"),))
    assert result.decision is Decision.TREAT_WITH_PRECAUTIONS
    assert finding(result, "latex-allergy").actions == ("Use latex-free gloves and products.",)


def test_an_unknown_allergy_goes_to_clinician_review() -> None:
    result = screened(allergies=(allergy("quaternium-15"),))
    assert result.decision is Decision.REFER
    assert result.unrecognised[0].path == "allergies[0]"
