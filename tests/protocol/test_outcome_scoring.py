"""Scoring outcome scales (CLINICAL.md section 6); every total is worked out by hand here."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cit.protocol.knowledge import get_knowledge
from cit.protocol.outcomes import ScoreError, grade_label, input_keys, score

SCALES = get_knowledge().scales


def _mmasi(**regions: tuple[int, int]) -> dict[str, int]:
    values = {key: 0 for key in input_keys(SCALES["mmasi"])}
    for region, (area, darkness) in regions.items():
        values[f"{region}.area"] = area
        values[f"{region}.darkness"] = darkness
    return values


def test_mmasi_forehead_only() -> None:
    # forehead 0.3 x area 2 x darkness 3 = 1.8
    assert score(SCALES["mmasi"], _mmasi(forehead=(2, 3))) == Decimal("1.8")


def test_mmasi_all_regions() -> None:
    # 0.3x2x3 + 0.3x4x2 + 0.3x1x1 + 0.1x6x4 = 1.8 + 2.4 + 0.3 + 2.4 = 6.9
    values = _mmasi(forehead=(2, 3), right_malar=(4, 2), left_malar=(1, 1), chin=(6, 4))
    assert score(SCALES["mmasi"], values) == Decimal("6.9")


def test_mmasi_range_is_0_to_24() -> None:
    scale = SCALES["mmasi"]
    assert (scale.minimum, scale.maximum) == (0, 24)
    # 0.3x6x4 x 3 + 0.1x6x4 = 21.6 + 2.4 = 24
    worst = _mmasi(forehead=(6, 4), right_malar=(6, 4), left_malar=(6, 4), chin=(6, 4))
    assert score(scale, worst) == Decimal("24")


def test_mmasi_refuses_area_7_and_darkness_5() -> None:
    with pytest.raises(ScoreError) as refused:
        score(SCALES["mmasi"], _mmasi(forehead=(7, 1), chin=(1, 5)))
    assert set(refused.value.problems) == {"forehead.area", "chin.darkness"}


def test_goodman_baron_quantitative_by_hand() -> None:
    scale = SCALES["goodman-baron-quantitative"]
    values = {key: 0 for key in input_keys(scale)}
    # macular 1-10 scars: 1; moderately atrophic 11-20: 4; linear/troughed > 20: 9;
    # keloidal 5-20 cm2: 12. Total 26.
    values.update(macular=1, moderate_atrophic=2, linear_troughed=3, keloidal=2)
    assert score(scale, values) == Decimal("26")


def test_goodman_baron_quantitative_maximum_is_84_and_unverified() -> None:
    scale = SCALES["goodman-baron-quantitative"]
    assert scale.verified is False
    assert scale.maximum == 84
    assert score(scale, {key: 3 for key in input_keys(scale)}) == Decimal("84")


def test_goodman_baron_quantitative_band_4_refused() -> None:
    scale = SCALES["goodman-baron-quantitative"]
    values = {key: 0 for key in input_keys(scale)}
    values["papular"] = 4
    with pytest.raises(ScoreError) as refused:
        score(scale, values)
    assert list(refused.value.problems) == ["papular"]


def test_goodman_baron_qualitative_grades() -> None:
    scale = SCALES["goodman-baron-qualitative"]
    assert score(scale, {"value": 3}) == 3
    assert grade_label(scale, Decimal(4)) == "Severe: does not flatten when stretched"
    for bad in (0, 5, "2.5", "three"):
        with pytest.raises(ScoreError):
            score(scale, {"value": bad})


def test_ecca_weights_and_maximum() -> None:
    scale = SCALES["ecca"]
    values = {key: 0 for key in input_keys(scale)}
    # V-shaped 15 x 2 + M-shaped 25 x 1 + keloid 50 x 3 = 30 + 25 + 150 = 205
    values.update({"v_shaped.extent": 2, "m_shaped.extent": 1, "keloid.extent": 3})
    assert score(scale, values) == Decimal("205")
    assert scale.maximum == 540
    assert scale.verified is False


def test_striae_patient_rating_0_to_10() -> None:
    scale = SCALES["striae-patient-rating"]
    assert scale.rater == "patient"
    assert score(scale, {"value": "7"}) == 7
    for bad in (-1, 11, 6.5):
        with pytest.raises(ScoreError):
            score(scale, {"value": bad})


def test_hair_density_is_a_count_per_cm2() -> None:
    scale = SCALES["hair-density"]
    assert score(scale, {"value": 142}) == 142
    assert grade_label(scale, Decimal(142)) == "142 hairs/cm2"


def test_missing_and_unknown_inputs_named() -> None:
    with pytest.raises(ScoreError) as refused:
        score(SCALES["glogau"], {"colour": 2})
    assert refused.value.problems == {"colour": "not part of this scale", "value": "required"}


def test_patient_rated_scales() -> None:
    assert {s.id for s in SCALES.values() if s.rater == "patient"} == {
        "gais-patient",
        "satisfaction",
        "striae-patient-rating",
    }


def test_no_minimal_important_change_without_a_source() -> None:
    for scale in SCALES.values():
        assert (scale.minimal_important_change is None) == (not scale.mic_sources), scale.id
