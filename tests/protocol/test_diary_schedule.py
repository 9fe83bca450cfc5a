"""The diary timetable after a session (CLINICAL.md section 5 and the issue): check-ins on
days 1, 2, 3, 5, 7 and 14, each missed a day after it is due, and a pigment check at 4-6
weeks for Fitzpatrick IV-VI only."""

import shutil
from pathlib import Path

import pytest

from cit.protocol.aftercare import CheckInKind, diary_check_ins
from cit.protocol.knowledge import KNOWLEDGE_DIR, KnowledgeError, load_knowledge


def test_fair_skin_gets_the_six_recovery_check_ins() -> None:
    due = diary_check_ins(2)
    assert [(c.day, c.late_after_day) for c in due] == [
        (1, 2), (2, 3), (3, 4), (5, 6), (7, 8), (14, 15)
    ]  # fmt: skip
    assert {c.kind for c in due} == {CheckInKind.RECOVERY}


@pytest.mark.parametrize("fitzpatrick", [4, 5, 6])
def test_darker_skin_also_gets_a_pigment_check_from_week_four_to_six(fitzpatrick: int) -> None:
    last = diary_check_ins(fitzpatrick)[-1]
    assert (last.day, last.kind, last.late_after_day) == (28, CheckInKind.PIGMENT, 42)


@pytest.mark.parametrize("fitzpatrick", [None, 1, 3])
def test_no_pigment_check_below_type_four_or_when_unknown(fitzpatrick: int | None) -> None:
    assert all(c.kind is CheckInKind.RECOVERY for c in diary_check_ins(fitzpatrick))


def test_the_days_come_from_the_knowledge_file(tmp_path: Path) -> None:
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    path = copy / "escalation.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[1, 2, 3, 5, 7, 14]", "[1, 4, 10]"), encoding="utf-8")
    knowledge = load_knowledge(copy)
    assert [c.day for c in diary_check_ins(1, knowledge=knowledge)] == [1, 4, 10]
    path.write_text(text.replace("[1, 2, 3, 5, 7, 14]", "[3, 1]"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="check_in_days"):
        load_knowledge(copy)


def test_response_clock_and_adverse_event_vocabulary_are_knowledge() -> None:
    diary = load_knowledge(KNOWLEDGE_DIR).diary
    assert diary.response_hours["urgent"] < diary.response_hours["contact_clinic"]
    ids = {event.id for event in diary.adverse_events}
    # CLINICAL.md names these adverse events (sections 1 and 5).
    assert {
        "infection", "herpes-outbreak", "allergic-reaction",
        "post-inflammatory-hyperpigmentation", "track-marks", "granuloma",
    } <= ids  # fmt: skip
