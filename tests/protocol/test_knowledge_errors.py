"""A broken knowledge file is a clear start-up error naming the file, the entry and the field."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cit.protocol.knowledge import KNOWLEDGE_DIR, KnowledgeError, load_knowledge

Edit = Callable[[str, str, str], Path]


@pytest.fixture
def edit(tmp_path: Path) -> Edit:
    """Copy the knowledge base; edit(file, old, new) replaces text in one file of the copy."""
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)

    def change(file: str, old: str, new: str) -> Path:
        path = copy / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return copy

    return change


def load_error(directory: Path) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return caught.value


def test_an_unchanged_copy_loads(edit: Edit) -> None:
    assert load_knowledge(edit("manifest.toml", "", "")).rules


def test_a_misspelt_field_names_the_file_the_rule_and_the_field(edit: Edit) -> None:
    before = 'when = "Nickel or stainless-steel allergy"\ndecision'
    after = 'when = "Nickel or stainless-steel allergy"\ndecison'
    error = load_error(edit("rules.toml", before, after))
    assert (error.file, error.entry, error.field) == (
        "rules.toml",
        "rule 'metal-allergy'",
        "decision",
    )
    assert str(error) == (
        "rules.toml: rule 'metal-allergy': field 'decision': missing (is 'decison' a typo for it?)"
    )


def test_an_unknown_extra_field_is_rejected(edit: Edit) -> None:
    error = load_error(edit("rules.toml", 'id = "sunburn"\n', 'id = "sunburn"\nseverity = 3\n'))
    assert str(error) == "rules.toml: rule 'sunburn': field 'severity': unknown field (a typo?)"


def test_an_unknown_decision_value(edit: Edit) -> None:
    error = load_error(edit("rules.toml", 'decision = "do_not_treat"', 'decision = "never"'))
    assert error.entry == "rule 'keloid'"
    assert error.field == "decision"
    assert "unknown value 'never'" in str(error)


def test_an_unknown_source_key(edit: Edit) -> None:
    error = load_error(edit("drugs.toml", 'sources = ["RXN", "BNF"]', 'sources = ["RXN", "BNFX"]'))
    assert error.file == "drugs.toml"
    assert error.field == "sources"
    assert "unknown source 'BNFX'" in str(error)


def test_a_condition_pointing_at_an_unknown_rule(edit: Edit) -> None:
    error = load_error(
        edit("conditions.toml", 'when_active = ["keloid"]', 'when_active = ["keloids"]')
    )
    assert str(error) == (
        "conditions.toml: condition 'keloid': field 'when_active': unknown rule 'keloids' "
        "(not in rules.toml)"
    )


def test_one_brand_for_two_drugs_is_rejected(edit: Edit) -> None:
    error = load_error(
        edit("drugs.toml", 'brands = ["Xarelto"]', 'brands = ["Xarelto", "Eliquis"]')
    )
    assert error.file == "drugs.toml"
    assert error.field == "routes"
    assert "'eliquis' is shared" in str(error)


def test_one_icd_code_for_two_conditions_is_rejected(edit: Edit) -> None:
    error = load_error(
        edit(
            "conditions.toml",
            '{code = "L80", display = "Vitiligo"},',
            '{code = "L80", display = "Vitiligo"}, {code = "I10", display = "x"},',
        )
    )
    assert (error.file, error.entry, error.field) == (
        "conditions.toml",
        "condition 'hypertension'",
        "icd10cm",
    )
    assert "'I10' is already used by vitiligo" in str(error)


def test_invalid_toml(edit: Edit) -> None:
    error = load_error(edit("zones.toml", "[[zone]]", "[[zone"))
    assert error.file == "zones.toml"
    assert "is not valid TOML" in str(error)


def test_a_missing_file(edit: Edit) -> None:
    directory = edit("manifest.toml", "", "")
    (directory / "sources.toml").unlink()
    assert str(load_error(directory)).startswith("sources.toml: cannot be read")


def test_a_rule_nothing_triggers(edit: Edit) -> None:
    directory = edit("allergens.toml", 'rule = "metal-allergy"', 'rule = ""')
    assert str(load_error(directory)) == "rules.toml: rule 'metal-allergy': is triggered by nothing"


def test_sessions_outside_their_range(edit: Edit) -> None:
    error = load_error(edit("indications.toml", "sessions = 12\n", "sessions = 13\n"))
    assert (error.entry, error.field) == ("indication 'alopecia'", "sessions")


def test_an_unknown_placeholder_in_an_action(edit: Edit) -> None:
    error = load_error(edit("rules.toml", "{herpes_prophylaxis_start}", "{herpes_start}"))
    assert (error.entry, error.field) == ("rule 'herpes-history'", "actions")


def test_a_diary_field_that_does_not_exist(edit: Edit) -> None:
    error = load_error(edit("escalation.toml", 'field = "fever"', 'field = "temperature"'))
    assert (error.file, error.entry, error.field) == ("escalation.toml", "sign 'fever'", "field")


def test_the_version_changes_with_the_content(edit: Edit) -> None:
    original = load_knowledge(edit("manifest.toml", "", "")).protocol_version
    changed = load_knowledge(edit("visit.toml", "check_in_minutes = 15", "check_in_minutes = 20"))
    assert changed.protocol_version != original


def test_an_unknown_washout_names_the_drug(edit: Edit) -> None:
    error = load_error(edit("drugs.toml", 'washout = "prasugrel"', 'washout = "prasugrell"'))
    assert (error.file, error.entry, error.field) == ("drugs.toml", "drug 'prasugrel'", "washout")
    assert "unknown washout 'prasugrell'" in str(error)


def test_a_washout_needs_days_or_a_dosing_interval(edit: Edit) -> None:
    error = load_error(edit("drugs.toml", 'title = "prasugrel"\ndays = 7', 'title = "prasugrel"'))
    assert (error.entry, error.field) == ("washout 'prasugrel'", "days")


def test_a_pause_rule_needs_its_setting(edit: Edit) -> None:
    before = 'pause_setting = "supplement_stop_days_before"\n'
    error = load_error(edit("rules.toml", before, ""))
    assert (error.entry, error.field) == ("rule 'supplement-antiplatelet'", "pause_setting")


def test_an_elsewhere_rule_must_exist(edit: Edit) -> None:
    before = 'elsewhere_rule = "infection-elsewhere"'
    error = load_error(edit("rules.toml", before, 'elsewhere_rule = "infection-elswhere"'))
    assert (error.entry, error.field) == ("rule 'infection-active'", "elsewhere_rule")


def test_near_blocks_must_be_known(edit: Edit) -> None:
    before = '["neck", "chest"]]'
    error = load_error(edit("intake_flags.toml", before, '["neck", "chestt"]]'))
    assert (error.file, error.entry, error.field) == (
        "intake_flags.toml",
        "[near]",
        "adjacent_blocks",
    )
    assert "unknown block 'chestt'" in str(error)
