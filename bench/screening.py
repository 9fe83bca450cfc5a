"""Screening throughput: 10,000 varied synthetic intakes, screened on one core.

Run: ``.venv/bin/python bench/screening.py``. Prints screenings per second and microseconds
per intake, next to a baseline measured in the same run: the same intakes only parsed and
validated from their JSON dicts (``intake_from_dict``), not screened. Target: 50,000
screenings per second.

The intakes are built deterministically (fixed seed) from pools of realistic entries: common
medicines by brand or generic name with strengths, RxNorm codes, ICD-10-CM / SNOMED / text
conditions, allergies, area findings, earlier procedures and goals; about a quarter carry
something that matters (an anticoagulant, isotretinoin, a keloid...) and a few something
unknown.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cit.protocol import intake_from_dict, screen  # noqa: E402
from cit.protocol.model import Intake  # noqa: E402
from cit.protocol.screening import screener  # noqa: E402

COUNT = 10_000
SEED = 20_250_115
ON = date(2025, 1, 15)
ROUNDS = 5

ORDINARY_MEDICINES: list[dict[str, Any]] = [
    {"name": "Lipitor 20 mg tablet"},
    {"name": "atorvastatin 40mg"},
    {"rxnorm": "83367"},
    {"name": "Zestril 10 mg"},
    {"name": "lisinopril"},
    {"name": "Losartan Potassium 50 MG Oral Tablet"},
    {"name": "Norvasc 5mg"},
    {"name": "metoprolol succinate ER 25 mg"},
    {"name": "HCTZ 12.5 mg"},
    {"name": "Synthroid 75 mcg"},
    {"name": "levothyroxine sodium 50 mcg"},
    {"name": "Prilosec OTC 20mg"},
    {"name": "Nexium 40 mg"},
    {"name": "Zoloft 50 mg"},
    {"name": "escitalopram 10 mg"},
    {"name": "Wellbutrin XL 150 mg"},
    {"name": "Effexor XR 75mg"},
    {"name": "Yaz"},
    {"name": "Sprintec"},
    {"name": "Microgynon 30"},
    {"name": "Zyrtec 10 mg"},
    {"name": "Claritin"},
    {"name": "Singulair 10 mg"},
    {"name": "ProAir HFA"},
    {"name": "Ventolin Evohaler"},
    {"name": "spironolactone 50 mg"},
    {"name": "Doxycycline hyclate 100 mg capsule"},
    {"name": "Minocin"},
    {"name": "Vitamin D3 2000 IU"},
    {"name": "multivitamin"},
    {"name": "Fish oil 1000 mg"},
    {"name": "Tylenol Extra Strength"},
    {"name": "paracetamol 500mg"},
    {"name": "Advil 200 mg"},
    {"name": "ibuprofen"},
    {"name": "Biotin"},
    {"name": "magnesium glycinate"},
    {"rxnorm": "161"},
    {"rxnorm": "5640"},
    {"rxnorm": ["10582"], "name": "Levothyroxine 100 MCG Oral Tablet"},
    {"name": "none"},
]
RELEVANT_MEDICINES: list[dict[str, Any]] = [
    {"name": "Accutane 20 mg capsule", "last_dose": "2024-09-30"},
    {"name": "isotretinoin 40 mg", "last_dose": "2023-11-02"},
    {"rxnorm": "6064", "end": "2025-03-01"},
    {"name": "Eliquis 5 mg"},
    {"name": "Xarelto 20mg"},
    {"name": "warfarin sodium 5 mg"},
    {"name": "Aspirin 81 mg EC"},
    {"name": "Plavix 75 mg"},
    {"name": "Humira Pen 40 mg"},
    {"name": "methotrexate 2.5 mg tablets"},
    {"name": "prednisone 10 mg", "end": "2024-12-01"},
    {"name": "Ozempic 0.5 mg pen"},
    {"name": "metformin ER 500 mg"},
    {"name": "Jardiance 10 mg"},
    {"name": "Retin-A 0.05% cream"},
    {"name": "Differin gel"},
    {"name": "retinol serum", "last_dose": "2025-01-13"},
    {"name": "Epiduo Forte"},
    {"name": "Janumet XR"},
]
UNKNOWN_MEDICINES: list[dict[str, Any]] = [
    {"name": "Flonase nasal spray"},
    {"name": "gabapentin 300 mg"},
    {"name": "hydrocortisone"},
    {"name": "Nature's Remedy herbal blend"},
    {"name": "Wegovy 1 mg"},
]
ORDINARY_CONDITIONS: list[dict[str, Any]] = [
    {"system": "icd10cm", "code": "I10", "text": "Essential hypertension"},
    {"system": "icd10cm", "code": "E78.5"},
    {"system": "snomed", "code": "195967001"},
    {"text": "Asthma, mild intermittent"},
    {"text": "Migraine without aura"},
    {"text": "GERD"},
    {"system": "icd10cm", "code": "F41.1", "text": "Generalized anxiety disorder"},
    {"text": "Seasonal allergic rhinitis"},
    {"text": "Hypothyroidism", "status": "active"},
    {"system": "icd10cm", "code": "L70.0", "status": "resolved", "resolved": "2019-06-01"},
    {"text": "Acne scars"},
    {"text": "Melasma"},
    {"system": "icd10cm", "code": "L90.6"},
    {"text": "Depression, recurrent, in remission", "status": "remission"},
]
RELEVANT_CONDITIONS: list[dict[str, Any]] = [
    {"system": "icd10cm", "code": "L91.0", "text": "Keloid scar"},
    {"text": "Type 2 diabetes mellitus without complications"},
    {"system": "icd10cm", "code": "B00.1", "status": "inactive"},
    {"text": "History of cold sores"},
    {"system": "snomed", "code": "9014002"},
    {"system": "icd10cm", "code": "L20.9", "status": "active"},
    {"text": "Rosacea"},
    {"system": "icd10cm", "code": "D68.0"},
    {"system": "icd10cm", "code": "M32.9"},
    {"text": "Impetigo"},
    {"system": "icd10cm", "code": "L57.0"},
]
UNKNOWN_CONDITIONS: list[dict[str, Any]] = [
    {"text": "Polycystic ovary syndrome"},
    {"system": "icd10cm", "code": "K50.90"},
]
ALLERGIES: list[dict[str, Any]] = [
    {"substance": "Penicillin"},
    {"substance": "NKDA"},
    {"substance": "sulfa drugs"},
    {"substance": "peanuts"},
    {"substance": "Lidocaine"},
    {"substance": "nickel"},
    {"substance": "hyaluronic acid"},
    {"substance": "latex"},
]
ZONES = [
    "forehead",
    "periorbital",
    "cheeks",
    "perioral",
    "chin",
    "jawline",
    "neck",
    "chest",
    "hands",
]
GOALS: list[dict[str, Any]] = [
    {"indication": "rejuvenation", "areas": ["face"]},
    {"indication": "acne_scars", "areas": ["cheeks"], "scar_types": ["rolling"]},
    {"indication": "pigmentation", "areas": ["cheeks", "forehead"]},
    {"indication": "striae", "areas": ["abdomen"]},
    {"indication": "alopecia", "areas": ["scalp"], "prp": True},
    {"indication": "scars", "areas": ["chin"], "single_scar": True},
]


def synthetic_intakes(count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` varied intake dicts in CIT's JSON format, the same for the same seed."""
    rng = random.Random(seed)
    intakes = []
    for _ in range(count):
        birth = ON - timedelta(days=rng.randint(16 * 365, 75 * 365))
        medications = [dict(m) for m in rng.sample(ORDINARY_MEDICINES, rng.randint(0, 4))]
        conditions = [dict(c) for c in rng.sample(ORDINARY_CONDITIONS, rng.randint(0, 3))]
        allergies = [dict(a) for a in rng.sample(ALLERGIES, rng.choice((0, 0, 0, 1, 1, 2)))]
        roll = rng.random()
        if roll < 0.15:
            medications.append(dict(rng.choice(RELEVANT_MEDICINES)))
        elif roll < 0.25:
            conditions.append(dict(rng.choice(RELEVANT_CONDITIONS)))
        elif roll < 0.28:
            medications.append(dict(rng.choice(UNKNOWN_MEDICINES)))
        elif roll < 0.30:
            conditions.append(dict(rng.choice(UNKNOWN_CONDITIONS)))
        intake: dict[str, Any] = {
            "birth_date": birth.isoformat(),
            "sex": rng.choice(("female", "female", "male", "other")),
            "fitzpatrick": rng.randint(1, 6),
            "medications": medications,
            "conditions": conditions,
            "allergies": allergies,
            "goals": [dict(rng.choice(GOALS))],
        }
        if rng.random() < 0.1:
            intake["history"] = {"cold_sores": True}
        if rng.random() < 0.15:
            flag = rng.choice(
                ("sunburn", "active_acne", "open_wound", "lesion", "active_infection")
            )
            intake["areas"] = [{"zone": rng.choice(ZONES), flag: True}]
        if rng.random() < 0.08:
            done = ON - timedelta(days=rng.randint(5, 90))
            kind = rng.choice(("chemical_peel", "microdermabrasion", "laser_resurfacing"))
            intake["procedures"] = [{"kind": kind, "date": done.isoformat(), "zone": "cheeks"}]
        if rng.random() < 0.02:
            intake["pregnant"] = True
        intakes.append(intake)
    return intakes


def best_time(work: Any, rounds: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times), times


def main() -> None:
    data = synthetic_intakes(COUNT, SEED)
    screening = screener()  # load the knowledge base and the default profile once

    def parse_all() -> list[Intake]:
        return [intake_from_dict(item) for item in data]

    intakes = parse_all()
    cold_start = time.perf_counter()
    first = [screening.screen(intake, ON) for intake in intakes]  # fills the name caches
    cold = time.perf_counter() - cold_start

    parse_best, _ = best_time(parse_all, ROUNDS)
    screen_best, screen_times = best_time(
        lambda: [screening.screen(i, ON) for i in intakes], ROUNDS
    )
    api_best, _ = best_time(lambda: [screen(i, ON) for i in intakes], ROUNDS)

    decisions: dict[str, int] = {}
    for result in first:
        decisions[result.decision.value] = decisions.get(result.decision.value, 0) + 1
    per_second = COUNT / screen_best
    print(f"{COUNT} synthetic intakes (seed {SEED}), screened for {ON}, best of {ROUNDS} rounds")
    print(f"decisions: {', '.join(f'{k} {v}' for k, v in sorted(decisions.items()))}")
    print(
        f"baseline (parse + validate only): {COUNT / parse_best:,.0f} intakes per second, "
        f"{parse_best / COUNT * 1e6:.1f} us per intake"
    )
    print(f"{per_second:,.0f} screenings per second")
    print(
        f"{screen_best / COUNT * 1e6:.1f} us per intake screened "
        f"(median round {statistics.median(screen_times) / COUNT * 1e6:.1f} us; "
        f"first, cold-cache pass {cold / COUNT * 1e6:.1f} us)"
    )
    print(
        f"via screen(intake, on) with the profile looked up each call: "
        f"{COUNT / api_best:,.0f} per second ({api_best / COUNT * 1e6:.1f} us)"
    )
    print(f"screening / baseline time ratio: {screen_best / parse_best:.2f}")
    print("target 50,000 per second:", "met" if per_second >= 50_000 else "NOT met")


if __name__ == "__main__":
    main()
