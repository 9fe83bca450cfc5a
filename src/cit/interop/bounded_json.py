"""JSON from outside, with a bound on its nesting.

``json.loads`` recurses once per level: a body nested 100,000 deep raises RecursionError
(not ValueError), and one nested a few hundred deep parses but can exhaust the recursion of
whatever walks it next (the FHIR models' validation). :func:`loads_bounded` turns both into a
:class:`JsonTooDeep` the caller answers with a 4xx.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

MAX_DEPTH = 64
"""Deeper than any FHIR resource or CDS Hooks request: a Bundle in a prefetch key, an entry,
its resource, an extension within an extension... is a dozen levels."""


class JsonTooDeep(ValueError):
    """The JSON nests deeper than :data:`MAX_DEPTH`."""


def depth(value: Any) -> int:
    """How deeply ``value`` nests (a scalar 0, ``[]`` 1, ``[[1]]`` 2), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level + 1)
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def loads_bounded(data: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """Decode JSON; raise ValueError when it is not JSON (or not UTF-8) and
    :class:`JsonTooDeep` when it nests deeper than ``max_depth``."""
    if isinstance(data, bytes):
        data = data.decode("utf-8")  # UnicodeDecodeError is a ValueError
    try:
        value = json.loads(data, parse_constant=_no_constant)
    except RecursionError:
        raise JsonTooDeep(f"nested deeper than {max_depth} levels") from None
    if depth(value) > max_depth:
        raise JsonTooDeep(f"nested deeper than {max_depth} levels")
    return value
