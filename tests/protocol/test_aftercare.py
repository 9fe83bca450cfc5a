"""Aftercare instructions by day after a session (day 0 = session day)."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cit.protocol.aftercare import aftercare

SESSION = date(2025, 3, 7)


def ids(day: int, profile: str | None = None) -> set[str]:
    return {i.id for i in aftercare(SESSION, day, profile).instructions}


def test_the_session_day() -> None:
    result = aftercare(SESSION, 0)
    assert result.date == SESSION
    assert ids(0) == {
        "ice", "gentle-care", "no-make-up", "no-exercise", "mineral-sunscreen", "no-actives",
        "no-retinoids", "no-sauna", "sun-protection",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("day", "present", "absent"),
    [
        (1, {"no-make-up", "no-exercise"}, {"ice", "mineral-make-up"}),
        (2, {"mineral-make-up"}, {"no-make-up", "no-exercise"}),
        (4, {"no-sauna", "mineral-sunscreen"}, set()),
        (5, {"mineral-sunscreen", "mineral-make-up"}, {"no-sauna"}),
        (6, {"mineral-make-up", "no-retinoids", "no-actives"}, {"no-sauna", "usual-care"}),
        (7, {"usual-care", "retinol", "sun-protection"}, {"mineral-make-up", "no-retinoids"}),
        (27, {"sun-protection"}, set()),
        (28, {"usual-care", "retinol"}, {"sun-protection"}),
    ],
)
def test_instructions_change_on_the_right_days(day: Any, present: Any, absent: Any) -> None:
    found = ids(day)
    assert present <= found
    assert not absent & found


def test_the_retinoid_pause_follows_the_profile(tmp_path: Path) -> None:
    import shutil

    from cit.protocol.knowledge import KNOWLEDGE_DIR, load_knowledge

    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    (copy / "profiles" / "long-pause.toml").write_text(
        'name = "long-pause"\ndescription = "x"\n[settings]\nretinoid_pause_days_after = 10\n',
        encoding="utf-8",
    )
    knowledge = load_knowledge(copy)
    day9 = {i.id for i in aftercare(SESSION, 9, "long-pause", knowledge=knowledge).instructions}
    day10 = {i.id for i in aftercare(SESSION, 10, "long-pause", knowledge=knowledge).instructions}
    assert "no-retinoids" in day9
    assert "retinol" not in day9
    assert "retinol" in day10
    assert "no-retinoids" not in day10


def test_every_instruction_has_sources() -> None:
    assert all(i.sources for i in aftercare(SESSION, 0).instructions)


def test_a_negative_day_is_an_error() -> None:
    with pytest.raises(ValueError):
        aftercare(SESSION, -1)
