"""JSON-ready results: the CLI/API shape of a screening and of a plan."""

import json
from datetime import date

from cit.protocol import aftercare, classify_diary, expected_course
from cit.protocol.model import DiaryEntry, Goal, Intake
from cit.protocol.planning import plan
from cit.protocol.serialise import (
    aftercare_to_dict,
    course_to_dict,
    diary_to_dict,
    plan_to_dict,
    screening_to_dict,
)

from .helpers import area, med, screened


def test_the_screening_shape() -> None:
    result = screened(medications=(med("Accutane", last_dose=date(2024, 6, 30)), med("gabapentin")))
    data = screening_to_dict(result)
    assert list(data) == [
        "decision",
        "until",
        "findings",
        "unrecognised",
        "protocol_version",
        "profile",
    ]
    assert data["decision"] == "refer"
    assert data["until"] is None
    isotretinoin = next(f for f in data["findings"] if f["rule"] == "isotretinoin")
    assert isotretinoin["until"] == "2025-06-30"
    assert isotretinoin["facts"] == [
        {"path": "medications[0]", "text": "Accutane (oral isotretinoin), last dose 2024-06-30"}
    ]
    assert isotretinoin["sources"][0]["key"] == "S2"
    assert "citation" in isotretinoin["sources"][0]
    assert data["unrecognised"] == [
        {
            "path": "medications[1]",
            "where": "Medicine 2",
            "text": "gabapentin",
            "reason": "Not in the knowledge base ('gabapentin').",
        }
    ]
    assert json.loads(json.dumps(data)) == data


def test_an_indefinite_defer_keeps_its_condition_in_the_finding() -> None:
    data = screening_to_dict(screened(areas=(area("cheeks", sunburn=True),)))
    assert data["decision"] == "defer"
    assert data["until"] is None
    assert data["findings"][0]["until_condition"] == "until the sunburn has healed"


def test_the_plan_shape() -> None:
    result = plan(
        Intake(birth_date=date(1985, 1, 1), goals=(Goal("rejuvenation", ("face",)),)),
        None,
        date(2025, 1, 6),
    )
    data = plan_to_dict(result)
    assert set(data) == {
        "on",
        "series",
        "price_total",
        "price_complete",
        "currency",
        "notes",
        "screening",
        "protocol_version",
        "profile",
    }
    series = data["series"][0]
    assert series["sessions"] == 4
    assert series["interval_weeks"] == {"min": 2, "target": 4, "max": 6}
    assert series["visit"]["total_minutes"] == 90
    assert series["price"]["series"] == [1000, 1600]
    assert data["currency"] == "USD"
    assert data["price_complete"] is True
    assert series["goals"][0]["sessions"] == 4
    assert series["goals"][0]["sessions_range"] == [3, 6]
    assert series["session_dates"][0] == "2025-01-06"
    assert data["screening"]["decision"] == "treat"
    assert json.loads(json.dumps(data)) == data


def test_aftercare_course_and_diary_dicts() -> None:
    assert aftercare_to_dict(aftercare(date(2025, 1, 1), 0))["date"] == "2025-01-01"
    assert course_to_dict(expected_course(1, 1.0))["downtime_days"] == [4, 5]
    assert diary_to_dict(classify_diary(DiaryEntry(fever=True), 1))["level"] == "urgent"
