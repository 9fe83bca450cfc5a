from __future__ import annotations

import subprocess
import sys

import pytest

import cit
from cit.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"cit {cit.__version__}"


def test_console_script_is_installed() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cit.cli", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("cit ")


@pytest.mark.django_db
def test_demo_command_if_empty_and_log_ins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--if-empty", "--show-log-ins"]) == 0
    first = capsys.readouterr().out
    assert "Demo data loaded" in first
    assert "harbour.physician" in first
    assert main(["demo", "--if-empty"]) == 0
    assert "not loaded again" in capsys.readouterr().out


def test_django_commands_pass_through(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--deploy", "--fail-level", "CRITICAL"]) == 0
