"""Many rows made fast: clones of one real row (made through the actions), written with
bulk_create, for tests that compare 10 related rows with 1,000."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any


def clone(row: Any, count: int, **vary: Callable[[int], Any]) -> None:
    """``count`` copies of ``row``, field ``f`` of copy ``i`` set to ``vary[f](i)``."""
    copies = []
    for i in range(count):
        twin = copy.copy(row)
        twin.pk = twin.id = None
        twin._state = copy.copy(row._state)
        twin._state.adding = True
        for name, value in vary.items():
            setattr(twin, name, value(i))
        copies.append(twin)
    type(row).objects.bulk_create(copies, batch_size=500)
