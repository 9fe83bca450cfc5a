"""``cit check`` reports a broken knowledge file in one line (issue 15, point 2)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cit
from cit.checks import check_knowledge_base, knowledge_problem
from cit.protocol.knowledge import KNOWLEDGE_DIR


def _broken(tmp_path: Path, file: str, before: str, after: str) -> Path:
    """A copy of the knowledge base with ``before`` replaced by ``after`` in ``file``."""
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, directory)
    path = directory / file
    text = path.read_text(encoding="utf-8")
    assert before in text, f"{file} no longer has {before!r}: update the test"
    path.write_text(text.replace(before, after, 1), encoding="utf-8")
    return directory


def test_the_shipped_knowledge_base_passes() -> None:
    assert knowledge_problem() is None
    assert check_knowledge_base() == []


@pytest.mark.parametrize(
    ("file", "before", "after", "expected"),
    [
        (
            "zones.toml",
            "depth_mm = [0.5, 2.0]",
            'depth_mm = [0.5, "2.0"]',
            "Knowledge file zones.toml, zone 'cheeks', field 'depth_mm': "
            "expected a list of 2 numbers, got [0.5, '2.0']. Hint: ",
        ),
        (
            "settings.toml",
            "[defaults]\n",
            "defaults = 3\n[old_defaults]\n",
            "Knowledge file settings.toml, [defaults]: expected a table. Hint: ",
        ),
        (
            # A name with no letters: reported for its own file, not drugs.toml.
            "allergens.toml",
            'names = ["lidocaine",',
            'names = ["--", "lidocaine",',
            "Knowledge file allergens.toml, allergen 'amide-anaesthetic', field 'names': "
            "name '--' has no letters or digits. Hint: ",
        ),
    ],
)
def test_a_broken_file_is_one_line_naming_file_entry_field_and_hint(
    tmp_path: Path, file: str, before: str, after: str, expected: str
) -> None:
    directory = _broken(tmp_path, file, before, after)
    problem = knowledge_problem(directory)
    assert problem is not None
    assert "\n" not in problem
    assert problem.startswith(expected)
    assert f"correct it in {directory / file}" in problem


def test_a_broken_profile_is_reported_too(tmp_path: Path) -> None:
    directory = _broken(
        tmp_path, "profiles/us-az.toml", "skin_breaking_depth_mm = 0.5", "skin_breaking_mm = 0.5"
    )
    problem = knowledge_problem(directory)
    assert problem is not None
    assert "\n" not in problem
    assert "us-az" in problem
    assert "skin_breaking_mm" in problem
    assert "Hint: " in problem


def test_cit_check_prints_one_line_instead_of_a_traceback(tmp_path: Path) -> None:
    # A copy of the package whose zones.toml has a typo, checked the way an operator would.
    package = Path(cit.__file__).parent
    shutil.copytree(package, tmp_path / "src" / "cit", ignore=shutil.ignore_patterns("__pycache__"))
    zones = tmp_path / "src" / "cit" / "protocol" / "knowledge" / "zones.toml"
    zones.write_text(
        zones.read_text(encoding="utf-8").replace("depth_mm = [0.5, 2.0]", "depth_mm = [0.5]", 1),
        encoding="utf-8",
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PYTHONPATH")
    }
    env.update(
        PYTHONPATH=str(tmp_path / "src"),
        CIT_DATA_DIR=str(tmp_path),
        ALLOW_CONSOLE_BACKENDS="true",
    )
    result = subprocess.run(
        [sys.executable, "-m", "cit.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    output = (result.stdout + result.stderr).strip()
    assert result.returncode != 0
    assert "Traceback" not in output
    assert output.count("\n") == 0, output
    assert output.startswith(
        "(cit.E002) Knowledge file zones.toml, zone 'cheeks', field 'depth_mm': "
        "expected a list of 2 numbers, got [0.5]. Hint: "
    )
