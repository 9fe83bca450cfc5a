"""The intake JSON parser: every bad field named by its path; impossible input rejected."""

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cit.protocol.intake_json import IntakeError, intake_from_dict
from cit.protocol.model import (
    ClinicalStatus,
    CodeSystem,
    Coding,
    Goal,
    MedicationStatus,
    ProcedureKind,
    Route,
    Sex,
)
from cit.protocol.serialise import intake_to_dict

TODAY = date(2025, 3, 15)

FULL = {
    "birth_date": "1990-05-01",
    "sex": "female",
    "fitzpatrick": 4,
    "glogau": 2,
    "pregnant": False,
    "nursing": False,
    "conditions": [
        {
            "system": "icd10cm",
            "code": "L70.0",
            "text": "Acne vulgaris",
            "status": "resolved",
            "onset": "2005-01-01",
            "resolved": "2010-06-01",
        },
        {"codes": [{"system": "snomed", "code": "38341003"}, {"system": "icd10cm", "code": "I10"}]},
        {"text": "Migraine"},
    ],
    "medications": [
        {
            "rxnorm": "6064",
            "name": "Accutane 20 mg",
            "route": "oral",
            "status": "stopped",
            "start": "2023-01-01",
            "end": "2023-07-01",
            "last_dose": "2023-06-30",
        },
        {"rxnorm": ["83367", "617310"], "name": "Lipitor"},
    ],
    "allergies": [
        {"substance": "penicillin", "reaction": "hives"},
        {"system": "snomed", "code": "716186003"},
    ],
    "history": {"cold_sores": True, "keloids": False, "healing_concern": None},
    "areas": [{"zone": "cheeks", "active_acne": True}, {"zone": "face", "sunburn": False}],
    "procedures": [
        {"kind": "chemical_peel", "date": "2025-02-01", "zone": "cheeks"},
        {"kind": "other", "date": "2024-01-01", "text": "Botox"},
    ],
    "goals": [
        {"indication": "acne_scars", "areas": ["cheeks"], "prp": True, "scar_types": ["rolling"]}
    ],
    "unmapped": [{"source": "form", "text": "illegible answer"}],
}


def errors_of(data: Any, today: date = TODAY) -> list[str]:
    with pytest.raises(IntakeError) as caught:
        intake_from_dict(data, today=today)
    return [str(error) for error in caught.value.errors]


def test_a_full_intake_parses() -> None:
    intake = intake_from_dict(FULL, today=TODAY)
    assert intake.birth_date == date(1990, 5, 1)
    assert intake.sex is Sex.FEMALE
    assert intake.fitzpatrick == 4
    assert intake.glogau == 2
    assert intake.conditions[0].codes == (Coding(CodeSystem.ICD10CM, "L70.0"),)
    assert intake.conditions[0].status is ClinicalStatus.RESOLVED
    assert len(intake.conditions[1].codes) == 2
    medication = intake.medications[0]
    assert medication.rxnorm == ("6064",)
    assert medication.route is Route.ORAL
    assert medication.status is MedicationStatus.STOPPED
    assert (medication.last_dose or medication.end) == date(2023, 6, 30)
    assert intake.medications[1].rxnorm == ("83367", "617310")
    assert intake.history.cold_sores
    assert not intake.history.keloids
    assert intake.areas[0].active_acne
    assert intake.procedures[1].kind is ProcedureKind.OTHER
    assert intake.goals == (Goal("acne_scars", ("cheeks",), prp=True, scar_types=("rolling",)),)
    assert intake.unmapped[0].text == "illegible answer"


def test_the_minimal_intake_is_a_birth_date() -> None:
    assert intake_from_dict({"birth_date": "2000-01-01"}).conditions == ()


def test_the_round_trip_through_intake_to_dict_is_lossless() -> None:
    intake = intake_from_dict(FULL, today=TODAY)
    assert intake_from_dict(intake_to_dict(intake), today=TODAY) == intake


def test_a_bad_date_names_its_path() -> None:
    data = {
        "birth_date": "1990-01-01",
        "medications": [{"name": "a"}, {"name": "b"}, {"name": "c", "last_dose": "yesterday"}],
    }
    assert errors_of(data) == [
        "medications[2].last_dose: not a date 'yesterday' (expected YYYY-MM-DD)"
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, ["birth_date: missing"]),
        ([], ["expected an object, got a list"]),
        ({"birth_date": "2031-01-01"}, ["birth_date: is in the future (2031-01-01)"]),
        ({"birth_date": "1880-01-01"}, ["birth_date: is more than 130 years ago (1880-01-01)"]),
        (
            {"birth_date": "01/02/1990"},
            ["birth_date: not a date '01/02/1990' (expected YYYY-MM-DD)"],
        ),
        ({"birth_date": 19900101}, ["birth_date: expected a date (YYYY-MM-DD), got a number"]),
        (
            {"birth_date": "1990-01-01", "sex": "F"},
            ["sex: unknown value 'F' (expected one of female, male, other, unknown)"],
        ),
        (
            {"birth_date": "1990-01-01", "pregnant": "no"},
            ["pregnant: expected true or false, got text"],
        ),
        (
            {"birth_date": "1990-01-01", "fitzpatrick": 7},
            ["fitzpatrick: must be from 1 to 6, got 7"],
        ),
        (
            {"birth_date": "1990-01-01", "fitzpatrick": "III"},
            ["fitzpatrick: expected a whole number, got text"],
        ),
        ({"birth_date": "1990-01-01", "weight": 60}, ["weight: unknown field"]),
        (
            {"birth_date": "1990-01-01", "medications": {"name": "x"}},
            ["medications: expected a list, got an object"],
        ),
        (
            {"birth_date": "1990-01-01", "medications": ["aspirin"]},
            ["medications[0]: expected an object, got text"],
        ),
        (
            {"birth_date": "1990-01-01", "medications": [{}]},
            ["medications[0]: needs a name or an RxNorm code"],
        ),
        (
            {
                "birth_date": "1990-01-01",
                "medications": [{"name": "x", "start": "2024-02-01", "end": "2024-01-01"}],
            },
            ["medications[0].end: is before start (2024-01-01 < 2024-02-01)"],
        ),
        (
            {"birth_date": "1990-01-01", "medications": [{"name": "x", "last_dose": "2025-04-01"}]},
            ["medications[0].last_dose: is in the future (2025-04-01)"],
        ),
        (
            {"birth_date": "1990-01-01", "medications": [{"name": "x", "start": "1980-01-01"}]},
            ["medications[0].start: is before birth_date (1980-01-01 < 1990-01-01)"],
        ),
        (
            {"birth_date": "1990-01-01", "medications": [{"rxnorm": "RX123"}]},
            ["medications[0].rxnorm: not an RxNorm code 'RX123' (digits only)"],
        ),
        (
            {"birth_date": "1990-01-01", "medications": [{"name": "x", "route": "by mouth"}]},
            [
                "medications[0].route: unknown value 'by mouth' (expected one of "
                "oral, topical, injection, inhaled, nasal, ophthalmic, transdermal, other)"
            ],
        ),
        (
            {"birth_date": "1990-01-01", "conditions": [{"code": "L70.0"}]},
            ["conditions[0].system: missing (needed with code)"],
        ),
        (
            {"birth_date": "1990-01-01", "conditions": [{"system": "icd9", "code": "706.1"}]},
            [
                "conditions[0].system: unknown value 'icd9' (expected one of "
                "icd10cm, icd10, snomed, rxnorm)"
            ],
        ),
        (
            {"birth_date": "1990-01-01", "conditions": [{"system": "rxnorm", "code": "1"}]},
            [
                "conditions[0].system: 'rxnorm' is not used here (expected one "
                "of icd10cm, icd10, snomed)"
            ],
        ),
        (
            {
                "birth_date": "1990-01-01",
                "conditions": [{"text": "x", "status": "active", "resolved": "2020-01-01"}],
            },
            ["conditions[0].status: 'active' with a resolved date is impossible"],
        ),
        (
            {
                "birth_date": "1990-01-01",
                "conditions": [{"text": "x", "onset": "2021-01-01", "resolved": "2020-01-01"}],
            },
            ["conditions[0].resolved: is before onset (2020-01-01 < 2021-01-01)"],
        ),
        (
            {"birth_date": "1990-01-01", "conditions": [{"status": "active"}]},
            ["conditions[0]: needs a code or a text"],
        ),
        (
            {"birth_date": "1990-01-01", "areas": [{"zone": "elbow"}]},
            [
                "areas[0].zone: unknown area 'elbow' (expected one of forehead, "
                "periorbital, nose, cheeks, perioral, chin, jawline, neck, chest, hands, scalp, "
                "abdomen, thighs, buttocks, arms, face, elsewhere)"
            ],
        ),
        (
            {"birth_date": "1990-01-01", "procedures": [{"kind": "peel", "date": "2025-01-01"}]},
            [
                "procedures[0].kind: unknown value 'peel' (expected one of "
                "chemical_peel, microdermabrasion, laser_resurfacing, microneedling, other)"
            ],
        ),
        (
            {
                "birth_date": "1990-01-01",
                "procedures": [{"kind": "chemical_peel", "date": "2025-05-01"}],
            },
            ["procedures[0].date: is in the future (2025-05-01)"],
        ),
        (
            {"birth_date": "1990-01-01", "procedures": [{"kind": "other", "date": "2025-01-01"}]},
            ["procedures[0].text: missing (say what the other procedure was)"],
        ),
        (
            {"birth_date": "1990-01-01", "goals": [{"indication": "botox", "areas": ["cheeks"]}]},
            [
                "goals[0].indication: unknown indication 'botox' (expected one "
                "of rejuvenation, mature_skin, acne_scars, scars, striae, pigmentation, alopecia)"
            ],
        ),
        (
            {"birth_date": "1990-01-01", "goals": [{"indication": "striae", "areas": []}]},
            ["goals[0].areas: needs at least one area"],
        ),
        (
            {
                "birth_date": "1990-01-01",
                "goals": [
                    {"indication": "striae", "areas": ["abdomen"], "scar_types": ["ice_pick"]}
                ],
            },
            ["goals[0].scar_types: 'ice_pick' is not a scar type of striae (expected: none)"],
        ),
        (
            {"birth_date": "1990-01-01", "history": {"cold_sore": True}},
            ["history.cold_sore: unknown field"],
        ),
    ],
)
def test_invalid_input_is_rejected_with_the_field_path(data: Any, expected: Any) -> None:
    assert errors_of(data) == expected


def test_every_error_is_reported_at_once() -> None:
    data = {"birth_date": "1990-13-01", "sex": 1, "medications": [{"name": 5}]}
    assert errors_of(data) == [
        "birth_date: not a date '1990-13-01' (expected YYYY-MM-DD)",
        "medications[0].name: expected text, got a number",
        "sex: expected one of female, male, other, unknown, got a number",
    ]


def test_without_today_no_future_check_is_made() -> None:
    assert intake_from_dict({"birth_date": "2031-01-01"}).birth_date == date(2031, 1, 1)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from(list(FULL)), inner, max_size=4)
        ),
        max_leaves=10,
    )
)
def test_garbage_gives_intake_errors_never_crashes(data: Any) -> None:
    try:
        intake_from_dict(data, today=TODAY)
    except IntakeError as error:
        assert error.errors
