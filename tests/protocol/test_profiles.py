"""Clinic profiles override the configurable defaults; unknown overrides are errors."""

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cit.protocol.knowledge import KNOWLEDGE_DIR, load_knowledge
from cit.protocol.model import Goal, Intake
from cit.protocol.planning import plan
from cit.protocol.profiles import (
    ProfileError,
    UnknownProfileError,
    available_profiles,
    load_profile,
)

from .helpers import finding, history, screened


def test_shipped_profiles() -> None:
    assert {"default", "six-month-isotretinoin", "us-az", "us-ny", "us-ut"} <= set(
        available_profiles()
    )


def test_the_default_profile_is_clinical_md() -> None:
    settings = load_profile("default").settings
    assert settings.isotretinoin_window_months == 12
    assert settings.herpes_prophylaxis_start == "day_of"
    assert (settings.retinoid_pause_days_before, settings.retinoid_pause_days_after) == (3, 7)
    assert settings.skin_breaking_depth_mm == 0.3
    assert settings.interval_target_weeks["rejuvenation"] == 4
    assert settings.prices.per_session["face"] == (250, 400)


def test_profiles_are_cached() -> None:
    assert load_profile("us-az") is load_profile("us-az")


def test_a_profile_changes_rule_texts() -> None:
    result = screened(profile="six-month-isotretinoin", history=history(cold_sores=True))
    assert finding(result, "herpes-history").actions == (
        "Antiviral prophylaxis (e.g. valacyclovir) starting the day before the session.",
    )
    assert result.profile == "six-month-isotretinoin"


@pytest.mark.parametrize(
    ("profile", "licensed"), [("default", True), ("us-az", False), ("us-ny", True)]
)
def test_the_skin_breaking_threshold_follows_the_jurisdiction(profile: Any, licensed: Any) -> None:
    intake = Intake(birth_date=date(1980, 1, 1), goals=(Goal("pigmentation", ("forehead",)),))
    series = plan(intake, None, date(2025, 1, 6), profile).series[0]
    assert series.zones[0].depth.max_mm == 0.5
    assert series.licensed_only is licensed


def test_an_unknown_profile_name() -> None:
    with pytest.raises(UnknownProfileError, match="unknown profile 'nowhere'"):
        load_profile("nowhere")


@pytest.fixture
def profiles_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    return copy


def write_profile(directory: Path, body: str) -> None:
    (directory / "profiles" / "clinic.toml").write_text(
        'name = "clinic"\ndescription = "test clinic"\n' + body, encoding="utf-8"
    )


def test_a_profile_may_override_tables(profiles_dir: Path) -> None:
    write_profile(
        profiles_dir,
        "[settings]\nnumbing_minutes = 20\n"
        "[settings.interval_target_weeks]\nrejuvenation = 3\n"
        "[settings.zone_depth_mm]\nneck = [0.25, 0.75]\n"
        '[settings.prices]\ncurrency = "GBP"\n[settings.prices.per_session]\nneck = [150, 200]\n',
    )
    settings = load_profile("clinic", load_knowledge(profiles_dir)).settings
    assert settings.numbing_minutes == 20
    assert settings.interval_target_weeks["rejuvenation"] == 3
    assert settings.zone_depth_mm["neck"] == (0.25, 0.75)
    assert settings.prices.currency == "GBP"
    assert settings.prices.per_session == {"face": (250, 400), "neck": (150, 200)}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ("[settings]\nisotretinoin_months = 6\n", "isotretinoin_months", "unknown setting"),
        (
            "[settings]\nisotretinoin_window_months = 0\n",
            "isotretinoin_window_months",
            "out of range",
        ),
        (
            '[settings]\nherpes_prophylaxis_start = "week_before"\n',
            "herpes_prophylaxis_start",
            "out of range",
        ),
        (
            "[settings.interval_target_weeks]\nrejuvenation = 8\n",
            "rejuvenation",
            "outside the interval 2-6",
        ),
        ("[settings.sessions]\nacne_scars = 9\n", "acne_scars", "outside the range 3-6"),
        ("[settings.zone_depth_mm]\nelbow = [0.1, 0.2]\n", "elbow", "unknown id"),
        ("[settings.prices]\nlaser = [1, 2]\n", "laser", "unknown field"),
        ("[setting]\nnumbing_minutes = 20\n", "setting", "unknown field"),
    ],
)
def test_bad_overrides_are_errors_naming_the_field(
    profiles_dir: Path, body: Any, field: Any, message: Any
) -> None:
    write_profile(profiles_dir, body)
    with pytest.raises(ProfileError) as caught:
        load_profile("clinic", load_knowledge(profiles_dir))
    assert caught.value.file == "profiles/clinic.toml"
    assert caught.value.field == field
    assert message in str(caught.value)


def test_a_profile_must_be_named_as_its_file(profiles_dir: Path) -> None:
    (profiles_dir / "profiles" / "clinic.toml").write_text(
        'name = "other"\ndescription = "x"\n', encoding="utf-8"
    )
    with pytest.raises(ProfileError, match="does not match the file name"):
        load_profile("clinic", load_knowledge(profiles_dir))
