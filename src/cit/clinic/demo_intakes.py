"""Intake answers for the demo patients: ordinary histories for most, and one of the
contraindications of CLINICAL.md §2 for some, so screening has something to show.

Dates are relative to the day the demo is loaded, so a deferral (e.g. isotretinoin
stopped four months ago) still defers on the day someone looks at it.
"""

from __future__ import annotations

import datetime
from typing import Any

Intake = dict[str, Any]


def _ago(today: datetime.date, days: int) -> str:
    return (today - datetime.timedelta(days=days)).isoformat()


GOALS: tuple[dict[str, Any], ...] = (
    {"indication": "rejuvenation", "areas": ["face"]},
    {"indication": "acne_scars", "areas": ["cheeks"], "scar_types": ["rolling", "boxcar"]},
    {"indication": "pigmentation", "areas": ["cheeks", "forehead"]},
    {"indication": "mature_skin", "areas": ["face", "neck"]},
    {"indication": "striae", "areas": ["abdomen"]},
    {"indication": "rejuvenation", "areas": ["face"], "prp": True},
    {"indication": "alopecia", "areas": ["scalp"]},
    {"indication": "scars", "areas": ["chin"], "single_scar": True},
)


def _ordinary(variant: int, today: datetime.date) -> Intake:
    """Everyday histories that must not stop treatment (no screening relevance)."""
    variants: tuple[Intake, ...] = (
        {},
        {
            "conditions": [{"system": "icd10cm", "code": "I10", "text": "Hypertension"}],
            "medications": [{"name": "Amlodipine 5 mg tablet", "start": _ago(today, 900)}],
        },
        {
            "conditions": [{"system": "icd10cm", "code": "E03.9", "text": "Hypothyroidism"}],
            "medications": [{"name": "Levothyroxine 75 mcg", "start": _ago(today, 2000)}],
        },
        {"medications": [{"name": "Microgynon 30", "start": _ago(today, 400)}]},
        {
            "conditions": [{"system": "icd10cm", "code": "E78.5", "text": "Hyperlipidaemia"}],
            "medications": [{"name": "Lipitor 20 mg", "start": _ago(today, 700)}],
        },
        {
            "conditions": [{"system": "icd10cm", "code": "J45.909", "text": "Asthma"}],
            "medications": [{"name": "Ventolin inhaler", "route": "inhaled"}],
        },
        {"medications": [{"name": "Zyrtec", "start": _ago(today, 30)}]},
    )
    return variants[variant % len(variants)]


def _contraindication(which: int, today: datetime.date) -> Intake:
    """One finding each, in the order of CLINICAL.md §2's table."""
    cases: tuple[Intake, ...] = (
        {"history": {"cold_sores": True}},  # herpes-history: antiviral prophylaxis
        {  # isotretinoin stopped 4 months ago: defer to 12 months after the last dose
            "medications": [
                {"name": "Accutane 40 mg capsule", "start": _ago(today, 300),
                 "last_dose": _ago(today, 120)}
            ]
        },
        {"history": {"keloids": True}},  # keloid: do not treat
        {  # anticoagulant: refer
            "conditions": [{"system": "icd10cm", "code": "Z79.01",
                            "text": "Long-term anticoagulant use"}],
            "medications": [{"name": "Eliquis 5 mg", "start": _ago(today, 500)}],
        },
        {"pregnant": True},
        {  # diabetes with metformin: refer
            "conditions": [{"system": "icd10cm", "code": "E11.9", "text": "Type 2 diabetes"}],
            "medications": [{"name": "Metformin 500 mg", "start": _ago(today, 1500)}],
        },
        {"areas": [{"zone": "cheeks", "active_acne": True}]},  # defer until controlled
        {  # chemical peel two weeks ago: defer to a month after it
            "procedures": [{"kind": "chemical_peel", "date": _ago(today, 14)}]
        },
        {"medications": [{"name": "Retin-A 0.05% cream", "route": "topical"}]},
        {"allergies": [{"substance": "lidocaine", "reaction": "hives"}]},
        {  # systemic lupus: do not treat
            "conditions": [{"system": "icd10cm", "code": "M32.9", "text": "SLE"}]
        },
        {  # psoriasis on methotrexate: refer twice over
            "conditions": [{"system": "icd10cm", "code": "L40.0", "text": "Psoriasis",
                            "status": "remission"}],
            "medications": [{"name": "Methotrexate 15 mg weekly", "start": _ago(today, 800)}],
        },
        {"nursing": True},
        {  # a medicine the knowledge base does not know: clinician to review
            "medications": [{"name": "Zorbinex 10 mg", "start": _ago(today, 60)}]
        },
    )  # fmt: skip
    return cases[which % len(cases)]


# Demo patient numbers (per clinic) that carry a contraindication; the rest are ordinary.
CONTRAINDICATED_NUMBERS = (2, 3, 4, 5, 7, 8, 9)


def demo_intake(
    clinic_index: int,
    number: int,
    birth_date: datetime.date,
    sex: str,
    fitzpatrick: int,
    today: datetime.date,
) -> Intake:
    """The intake of demo patient ``number`` of the ``clinic_index``-th demo clinic."""
    base: Intake = {
        "birth_date": birth_date.isoformat(),
        "sex": sex,
        "fitzpatrick": fitzpatrick,
        "goals": [GOALS[(number + clinic_index) % len(GOALS)]],
    }
    if number in CONTRAINDICATED_NUMBERS:
        position = CONTRAINDICATED_NUMBERS.index(number)
        history = _contraindication(position * 2 + clinic_index, today)
    else:
        history = _ordinary(number, today)
    if history.get("pregnant") or history.get("nursing"):
        base["sex"] = "female"
    return {**base, **history}
