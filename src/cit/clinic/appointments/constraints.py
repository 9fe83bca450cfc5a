"""The database guarantee against double-booking, on PostgreSQL.

``NoOverlappingHolds`` is an exclusion constraint over (resource, tstzrange(start, end)) that
only exists on PostgreSQL: on other databases it produces no SQL (Django skips constraints
whose SQL is empty), so the same migrations apply on SQLite, where booking transactions are
serialised instead (``transaction_mode=IMMEDIATE``) and re-check overlaps inside them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.db.models import Func


class TsTzRange(Func):
    """``tstzrange(start, end)``: half-open [start, end), so back-to-back visits never clash."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class NoOverlappingHolds(ExclusionConstraint):
    def _postgresql(self, schema_editor: Any) -> bool:
        return bool(schema_editor.connection.vendor == "postgresql")

    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        return (
            super().constraint_sql(model, schema_editor)
            if self._postgresql(schema_editor)
            else None
        )

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        return super().create_sql(model, schema_editor) if self._postgresql(schema_editor) else None

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        return super().remove_sql(model, schema_editor) if self._postgresql(schema_editor) else None

    def validate(self, model: Any, instance: Any, exclude: Any = None, using: Any = None) -> None:
        # Form/model validation never decides a booking: the booking action does, in its
        # transaction, and the database refuses overlaps on PostgreSQL.
        return None
