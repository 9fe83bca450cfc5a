"""Which functions of the source write a model's rows through its manager: tests that every
such writer keeps a rule (bumps the schedule version) read the source with this."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "cit"


def functions_writing(models: Iterable[str], methods: Iterable[str]) -> set[tuple[str, str]]:
    """(path under src/cit, function name) of every function outside the migrations that
    calls ``<Model>.objects....<method>(...)`` for one of ``models`` and ``methods``."""
    managers = tuple(f"{model}.objects" for model in models)
    wanted = set(methods)

    def writes(node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in wanted):
            return False
        return ast.unparse(func.value).startswith(managers)

    found = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                writes(inner) for inner in ast.walk(node)
            ):
                found.add((path.relative_to(SRC).as_posix(), node.name))
    return found
