"""CLI contract: JSON on stdout and exit 0 whatever the decision; exit 2 naming the bad
field for invalid input (intake JSON or FHIR Bundle, from a file or stdin)."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cit.protocol_cli import add_subcommands, main

INTAKE = {
    "birth_date": "1990-05-01",
    "medications": [{"name": "Accutane 20 mg", "last_dose": "2024-06-30"}],
    "goals": [{"indication": "acne_scars", "areas": ["cheeks"]}],
}
BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [{"resource": {"resourceType": "Patient", "id": "p", "birthDate": "1980-01-01"}}],
}


Writer = Callable[[Any], str]


def run(
    capsys: pytest.CaptureFixture[str],
    *argv: str,
    stdin: str | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    def writer(data: Any, name: str = "input.json") -> str:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return str(path)

    return writer


def test_screen_a_file(capsys: pytest.CaptureFixture[str], write: Writer) -> None:
    code, out, err = run(capsys, "screen", "--on", "2025-01-15", write(INTAKE))
    assert code == 0
    assert err == ""
    data = json.loads(out)
    assert list(data) == [
        "decision",
        "until",
        "findings",
        "unrecognised",
        "protocol_version",
        "profile",
    ]
    assert (data["decision"], data["until"], data["profile"]) == ("defer", "2025-06-30", "default")


def test_screen_stdin_with_a_profile(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(
        capsys,
        "screen",
        "--on",
        "2025-01-15",
        "--profile",
        "six-month-isotretinoin",
        "-",
        stdin=json.dumps(INTAKE),
        monkeypatch=monkeypatch,
    )
    assert code == 0
    assert json.loads(out)["decision"] == "treat"  # 6 months after 30 June 2024 has passed


def test_screen_without_on_uses_today(capsys: pytest.CaptureFixture[str], write: Writer) -> None:
    code, out, _ = run(capsys, "screen", write({"birth_date": "1990-01-01"}))
    assert code == 0
    assert json.loads(out)["decision"] == "treat"


def test_exit_zero_whatever_the_decision(capsys: pytest.CaptureFixture[str], write: Writer) -> None:
    keloid = {**INTAKE, "history": {"keloids": True}}
    code, out, _ = run(capsys, "screen", "--on", "2025-01-15", write(keloid))
    assert code == 0
    assert json.loads(out)["decision"] == "do_not_treat"


def test_plan(capsys: pytest.CaptureFixture[str], write: Writer) -> None:
    code, out, _ = run(capsys, "plan", "--on", "2025-08-01", write(INTAKE))
    data = json.loads(out)
    assert code == 0
    assert data["series"][0]["sessions"] == 6
    assert data["screening"]["decision"] == "treat"


def test_a_refused_plan_prints_the_screening_and_exits_zero(
    capsys: pytest.CaptureFixture[str], write: Writer
) -> None:
    code, out, _ = run(capsys, "plan", "--on", "2025-01-15", write(INTAKE))
    data = json.loads(out)
    assert code == 0
    assert data["refused"] is True
    assert data["screening"]["decision"] == "defer"


def test_plan_of_a_fhir_bundle_needs_goals(
    capsys: pytest.CaptureFixture[str], write: Writer
) -> None:
    code, _, err = run(capsys, "plan", "--on", "2025-01-15", write(BUNDLE))
    assert code == 2
    assert "no goals" in err


def test_plan_of_an_implausible_goal_is_invalid_input(
    capsys: pytest.CaptureFixture[str], write: Writer
) -> None:
    alopecia_on_cheeks = {
        **INTAKE,
        "medications": [],
        "goals": [{"indication": "alopecia", "areas": ["cheeks"]}],
    }
    code, _, err = run(capsys, "plan", "--on", "2025-08-01", write(alopecia_on_cheeks))
    assert code == 2
    assert "treated on the scalp only" in err


def test_screen_a_fhir_bundle(capsys: pytest.CaptureFixture[str], write: Writer) -> None:
    code, out, _ = run(capsys, "screen", "--on", "2025-01-15", write(BUNDLE))
    assert code == 0
    assert json.loads(out)["decision"] == "treat"


def test_schema_intake(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "intake")
    assert code == 0
    assert json.loads(out)["title"] == "CIT intake"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"birth_date": "1990-01-01",', "invalid JSON at line 1 column 29"),
        ("", "is empty"),
        ('["not", "an", "object"]', "expected an object, got a list"),
        ('{"birth_date": 1990}', "birth_date: expected a date (YYYY-MM-DD), got a number"),
        ('{"birth_date": "2999-01-01"}', "birth_date: is in the future (2999-01-01)"),
        (
            {"birth_date": "1990-01-01", "medications": [{"name": "x", "last_dose": "yesterday"}]},
            "medications[0].last_dose: not a date 'yesterday'",
        ),
        (
            '{"resourceType": "Patient", "birthDate": "1990-01-01"}',
            "resourceType: expected 'Bundle'",
        ),
        (
            '{"resourceType": "Bundle", "type": "collection", "entry": []}',
            "entry: the bundle is empty",
        ),
        (
            {**BUNDLE, "entry": [*BUNDLE["entry"], {"resource": {"resourceType": "Gizmo"}}]},
            "entry[1].resource.resourceType: unknown FHIR resource type 'Gizmo'",
        ),
        (
            {
                **BUNDLE,
                "entry": [{"resource": {"resourceType": "Patient", "birthDate": "2999-01-01"}}],
            },
            "entry[0].resource.birthDate: is in the future",
        ),
        (
            {**BUNDLE, "type": "document"},
            "type: unsupported bundle type 'document'",
        ),
    ],
)
def test_invalid_input_exits_2_naming_the_problem(
    capsys: pytest.CaptureFixture[str], write: Writer, content: Any, message: Any
) -> None:
    code, out, err = run(capsys, "screen", "--on", "2025-01-15", write(content))
    assert code == 2
    assert out == ""
    assert message in err


def test_invalid_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(capsys, "screen", "-", stdin="not json", monkeypatch=monkeypatch)
    assert code == 2
    assert "invalid JSON" in err


def test_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "screen", str(tmp_path / "nope.json"))
    assert code == 2
    assert "cannot read" in err


def test_an_unknown_profile(capsys: pytest.CaptureFixture[str], write: Writer) -> None:
    code, _, err = run(capsys, "screen", "--profile", "mars", write(INTAKE))
    assert code == 2
    assert "--profile: unknown profile 'mars'" in err


def test_a_bad_on_date(capsys: pytest.CaptureFixture[str], write: Writer) -> None:
    code, _, err = run(capsys, "screen", "--on", "15/01/2025", write(INTAKE))
    assert code == 2
    assert "not a date '15/01/2025'" in err


def test_a_birth_date_after_on(capsys: pytest.CaptureFixture[str], write: Writer) -> None:
    code, _, err = run(capsys, "screen", "--on", "1980-01-01", write(INTAKE))
    assert code == 2
    assert "is after --on 1980-01-01" in err


def test_fhir_warnings_go_to_stderr(capsys: pytest.CaptureFixture[str], write: Writer) -> None:
    bundle = {
        **BUNDLE,
        "entry": [
            *BUNDLE["entry"],
            {
                "resource": {
                    "resourceType": "Encounter",
                    "status": "finished",
                    "class": {"code": "AMB"},
                }
            },
        ],
    }
    code, out, err = run(capsys, "screen", "--on", "2025-01-15", write(bundle))
    assert code == 0
    assert json.loads(out)["decision"] == "treat"
    assert "warning: entry[1].resource: Encounter ignored" in err


def test_add_subcommands_plugs_into_another_parser(write: Writer) -> None:
    parser = argparse.ArgumentParser(prog="cit")
    subparsers = parser.add_subparsers(dest="command")
    add_subcommands(subparsers)
    args = parser.parse_args(["screen", "--on", "2025-01-15", "--profile", "us-az", write(INTAKE)])
    assert args.handler.__name__ == "_screen"
    assert str(args.on) == "2025-01-15"
    assert args.profile == "us-az"
    assert set(subparsers.choices) == {"screen", "plan", "schema"}


def test_runs_as_a_module(write: Writer) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "cit.protocol_cli", "screen", "--on", "2025-01-15", write(INTAKE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["decision"] == "defer"
