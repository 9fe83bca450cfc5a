"""Rows the database hands to Django, counted: a list that picks its page in the database
reads as many rows with 1,000 related rows as with 10, even where its query count never
grew (a loop in Python over every row runs one query, but reads them all)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.backends.utils import CursorWrapper


@dataclass
class RowsRead:
    rows: int = 0


@contextmanager
def counting_rows_read() -> Iterator[RowsRead]:
    """Count the rows fetched through every database cursor inside the block."""
    read = RowsRead()

    def fetchone(self: CursorWrapper) -> Any:
        with self.db.wrap_database_errors:
            row = self.cursor.fetchone()
        read.rows += row is not None
        return row

    def fetching(name: str) -> Callable[..., list[Any]]:
        def fetch(self: CursorWrapper, *args: Any) -> list[Any]:
            with self.db.wrap_database_errors:
                rows: list[Any] = getattr(self.cursor, name)(*args)
            read.rows += len(rows)
            return rows

        return fetch

    def iterate(self: CursorWrapper) -> Iterator[Any]:
        with self.db.wrap_database_errors:
            for row in self.cursor:
                read.rows += 1
                yield row

    with pytest.MonkeyPatch.context() as patch:
        # CursorWrapper hands fetch* on to the driver's cursor through __getattr__; methods
        # on the class come first.
        patch.setattr(CursorWrapper, "fetchone", fetchone, raising=False)
        patch.setattr(CursorWrapper, "fetchmany", fetching("fetchmany"), raising=False)
        patch.setattr(CursorWrapper, "fetchall", fetching("fetchall"), raising=False)
        patch.setattr(CursorWrapper, "__iter__", iterate)
        yield read
