"""The protocol commands of ``cit``: ``screen``, ``plan`` and ``schema intake``.

``cit screen [--on YYYY-MM-DD] [--profile NAME] FILE`` and ``cit plan ...`` read FILE (``-``
for stdin): CIT's intake JSON or a FHIR R4 Bundle (told apart by ``resourceType``). They print
JSON on stdout and exit 0 whatever the decision; invalid input exits 2 with the bad field's
path on stderr. ``--on`` defaults to today: this edge is the only place that reads the clock.

The main ``cit`` command calls :func:`add_subcommands`; each sub-command sets ``handler``
(``args.handler(args)`` returns the exit code). ``python -m cit.protocol_cli`` runs them alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from cit.interop.intake_input import IntakeInputError, read_intake
from cit.protocol.dates import parse_day
from cit.protocol.intake_json import intake_json_schema
from cit.protocol.model import Intake
from cit.protocol.planning import PlanningError, PlanRefused, plan
from cit.protocol.profiles import DEFAULT_PROFILE, Profile, UnknownProfileError, load_profile
from cit.protocol.screening import screen
from cit.protocol.serialise import plan_to_dict, screening_to_dict

EXIT_INVALID = 2


class InputProblem(Exception):
    """Invalid input: the message goes to stderr and the command exits 2."""


def _date_argument(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_subcommands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``screen``, ``plan`` and ``schema`` on an argparse sub-parser set."""
    for name, handler, summary in (
        ("screen", _screen, "may this patient be treated on a day? (JSON out)"),
        ("plan", _plan, "plan the treatment series for the intake's goals (JSON out)"),
    ):
        command = subparsers.add_parser(name, help=summary, description=summary)
        command.add_argument(
            "--on", type=_date_argument, default=None, metavar="YYYY-MM-DD",
            help="the day of the (first) session; default: today",
        )  # fmt: skip
        command.add_argument(
            "--profile", default=DEFAULT_PROFILE, metavar="NAME",
            help=f"clinic profile (default: {DEFAULT_PROFILE})",
        )  # fmt: skip
        command.add_argument(
            "file", metavar="FILE", help="intake JSON or FHIR R4 Bundle; '-' reads stdin"
        )
        command.set_defaults(handler=handler)
    schema = subparsers.add_parser(
        "schema", help="print a JSON Schema", description="print a JSON Schema"
    )
    schema.add_argument("what", choices=["intake"], help="which schema")
    schema.set_defaults(handler=_schema)


def _read_json(file: str) -> Any:
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputProblem(
            f"cannot read {file}: {getattr(error, 'strerror', None) or error}"
        ) from None
    if not text.strip():
        raise InputProblem(f"{'stdin' if file == '-' else file} is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputProblem(
            f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None


def load_intake(file: str, today: date) -> tuple[Intake, tuple[str, ...]]:
    """Read FILE as intake JSON or a FHIR Bundle; raise :class:`InputProblem` when invalid."""
    data = _read_json(file)
    try:
        read = read_intake(data, today=today)
    except IntakeInputError as error:
        raise InputProblem("\n".join(str(e) for e in error.errors)) from None
    return read.intake, read.warnings


def _inputs(args: argparse.Namespace) -> tuple[Intake, date, Profile]:
    today = date.today()
    on: date = args.on or today
    try:
        profile = load_profile(args.profile)
    except UnknownProfileError as error:
        raise InputProblem(f"--profile: {error}") from None
    intake, warnings = load_intake(args.file, today)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if intake.birth_date > on:
        raise InputProblem(f"birth_date: {intake.birth_date} is after --on {on}")
    return intake, on, profile


def _print(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _run(args: argparse.Namespace, work: Any) -> int:
    try:
        _print(work(*_inputs(args)))
    except InputProblem as problem:
        print(f"cit {args.command}: invalid input:\n{problem}", file=sys.stderr)
        return EXIT_INVALID
    return 0


def _screen(args: argparse.Namespace) -> int:
    def work(intake: Intake, on: date, profile: Profile) -> dict[str, Any]:
        return screening_to_dict(screen(intake, on, profile))

    return _run(args, work)


def _plan(args: argparse.Namespace) -> int:
    def work(intake: Intake, on: date, profile: Profile) -> dict[str, Any]:
        try:
            return plan_to_dict(plan(intake, None, on, profile))
        except PlanRefused as refused:
            return {
                "refused": True,
                "reason": f"screening decision is {refused.screening.decision.value}",
                "screening": screening_to_dict(refused.screening),
            }
        except PlanningError as error:
            raise InputProblem(str(error)) from None

    return _run(args, work)


def _schema(args: argparse.Namespace) -> int:
    _print(intake_json_schema())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the protocol commands on their own: ``python -m cit.protocol_cli screen FILE``."""
    parser = argparse.ArgumentParser(prog="cit", description="CIT protocol engine")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_subcommands(subparsers)
    args = parser.parse_args(argv)
    handler = args.handler
    result: int = handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
