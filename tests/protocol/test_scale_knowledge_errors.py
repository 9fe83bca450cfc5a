"""A broken scales.toml is a clear start-up error: a stated maximum the items do not add up
to, a default naming an unknown scale or indication, a minimal important change without
its source."""

from __future__ import annotations

from tests.protocol.test_knowledge_errors import Edit, edit, load_error  # noqa: F401


def test_maximum_must_match_the_items(edit: Edit) -> None:  # noqa: F811
    error = load_error(edit("scales.toml", "maximum = 24\n", "maximum = 25\n"))
    assert (error.file, error.entry, error.field) == ("scales.toml", "scale 'mmasi'", "maximum")
    assert "add up to 24" in error.detail


def test_default_with_unknown_scale(edit: Edit) -> None:  # noqa: F811
    before = 'full = ["mmasi"]'
    error = load_error(edit("scales.toml", before, 'full = ["masi"]'))
    assert error.field == "full"
    assert "'masi'" in error.detail


def test_default_with_unknown_indication(edit: Edit) -> None:  # noqa: F811
    error = load_error(edit("scales.toml", 'indications = ["striae"]', 'indications = ["warts"]'))
    assert error.field == "indications"
    assert "'warts'" in error.detail


def test_minimal_important_change_needs_a_source(edit: Edit) -> None:  # noqa: F811
    before = 'short = "mMASI"\n'
    error = load_error(edit("scales.toml", before, before + "minimal_important_change = 2\n"))
    assert (error.entry, error.field) == ("scale 'mmasi'", "mic_sources")


def test_factor_needs_a_label_per_value(edit: Edit) -> None:  # noqa: F811
    before = '[4, "Severe"]] },'
    error = load_error(edit("scales.toml", before, "] },"))
    assert error.field == "grades"
