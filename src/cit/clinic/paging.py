"""A paginator that never counts more rows than it can show."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet


class CappedPaginator(Paginator[Any]):
    """Counts at most ``cap`` rows (``COUNT`` over ``LIMIT cap + 1``), so a list over millions
    of rows (the audit log) pages without counting them all; ``capped`` says there are more
    than can be paged through."""

    def __init__(self, rows: QuerySet[Any], per_page: int, *, cap: int) -> None:
        super().__init__(rows, per_page)
        self.rows = rows
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        return self.rows[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap
