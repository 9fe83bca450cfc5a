"""The ``cit`` command: CIT's own sub-commands, and Django's management commands.

``cit --version``, ``cit demo`` and the protocol commands are CIT's; anything else
(``cit migrate``, ``cit createsuperuser``, ``cit runserver``...) goes to Django.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

import cit


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cit.settings")
    import django

    django.setup()


def _demo(args: argparse.Namespace) -> int:
    _setup_django()
    from cit.clinic.demo import demo_log_ins, load_demo
    from cit.clinic.facilities.models import Clinic

    if args.if_empty and Clinic.objects.exists():
        print("The database already holds clinic data; demo data not loaded again.")
    else:
        print(load_demo())
    if args.show_log_ins:
        print(demo_log_ins())
    return 0


def _register_protocol_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    from cit.protocol_cli import add_subcommands

    add_subcommands(subparsers)


def build_parser() -> tuple[
    argparse.ArgumentParser, argparse._SubParsersAction[argparse.ArgumentParser]
]:
    parser = argparse.ArgumentParser(
        prog="cit",
        description=(
            "CIT, the clinic system for collagen induction therapy. Commands not listed "
            "here are Django management commands (e.g. 'cit migrate')."
        ),
    )
    parser.add_argument("--version", action="version", version=f"cit {cit.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = subparsers.add_parser(
        "demo", help="load (or refresh) the demo clinics; never duplicates"
    )
    demo.add_argument("--if-empty", action="store_true", help="only when no clinic exists yet")
    demo.add_argument("--show-log-ins", action="store_true", help="print the demo log-ins")
    demo.set_defaults(handler=_demo)
    _register_protocol_commands(subparsers)
    return parser, subparsers


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, subparsers = build_parser()
    if args_list and not args_list[0].startswith("-") and args_list[0] not in subparsers.choices:
        _setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["cit", *args_list])
        return 0
    args = parser.parse_args(args_list)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
