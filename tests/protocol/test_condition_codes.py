"""Condition codes: every ICD-10-CM prefix and SNOMED CT id the knowledge base lists is kept
with its official display, and the code and its display both resolve to the same concept
(CLINICAL.md v2, 'Records from EHRs carry more than the questionnaire asks')."""

import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cit.protocol.knowledge import KNOWLEDGE_DIR, KnowledgeError, get_knowledge, load_knowledge
from cit.protocol.matching import Matcher
from cit.protocol.model import CodeSystem, Coding


@cache
def matcher() -> Matcher:
    return Matcher(get_knowledge())


def listed_codes() -> list[Any]:
    rows = []
    for concept in get_knowledge().conditions:
        for system, codes, displays in (
            (CodeSystem.ICD10CM, concept.icd10cm, concept.icd10cm_displays),
            (CodeSystem.SNOMED, concept.snomed, concept.snomed_displays),
        ):
            for code, display in zip(codes, displays, strict=True):
                rows.append(pytest.param(system, code, display, concept.id, id=f"{system}-{code}"))
    return rows


LISTED = listed_codes()


def ids(resolution: Any) -> list[str]:
    return [concept.id for concept in resolution.concepts]


@pytest.mark.parametrize(("system", "code", "display", "concept"), LISTED)
def test_a_listed_code_resolves_to_its_concept(
    system: Any, code: Any, display: Any, concept: Any
) -> None:
    resolution = matcher().condition((Coding(system, code),), None)
    assert (ids(resolution), resolution.problems) == ([concept], ())
    assert display.strip()


@pytest.mark.parametrize(("system", "code", "display", "concept"), LISTED)
def test_its_official_display_resolves_by_name_to_the_same_concept(
    system: Any, code: Any, display: Any, concept: Any
) -> None:
    resolution = matcher().condition((), display)
    assert (ids(resolution), resolution.problems) == ([concept], ())


@pytest.mark.parametrize(("system", "code", "display", "concept"), LISTED)
def test_the_code_with_its_display_as_an_ehr_sends_it(
    system: Any, code: Any, display: Any, concept: Any
) -> None:
    resolution = matcher().condition((Coding(system, code),), display)
    assert (ids(resolution), resolution.problems) == ([concept], ())


# -- the file format: every code with its display, typos named ------------------------------


def load_error_after(tmp_path: Path, old: str, new: str) -> KnowledgeError:
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    path = copy / "conditions.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(copy)
    return caught.value


def test_a_code_without_its_display_is_an_error(tmp_path: Path) -> None:
    error = load_error_after(
        tmp_path, '{code = "L80", display = "Vitiligo"}', '{code = "L80", dispaly = "Vitiligo"}'
    )
    assert (error.file, error.entry, error.field) == (
        "conditions.toml",
        "condition 'vitiligo' icd10cm 'L80'",
        "display",
    )
    assert "missing (is 'dispaly' a typo for it?)" in str(error)


def test_a_bare_code_is_an_error(tmp_path: Path) -> None:
    error = load_error_after(tmp_path, '{code = "L80", display = "Vitiligo"}', '"L80"')
    assert (error.entry, error.field) == ("condition 'vitiligo'", "icd10cm")
    assert 'expected a list of {code = "...", display = "..."}' in str(error)


def test_a_malformed_snomed_id_is_an_error(tmp_path: Path) -> None:
    error = load_error_after(tmp_path, '{code = "56727007"', '{code = "5672700X"')
    assert (error.entry, error.field) == ("condition 'vitiligo' snomed '5672700X'", "code")
    assert "not a SNOMED CT id: '5672700X'" in str(error)
