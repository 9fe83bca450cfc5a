"""Form fields whose choices are only known at run time (from the knowledge files)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms


def set_choices(field: forms.Field, choices: Iterable[tuple[Any, str]]) -> None:
    """Give a choice field (a ``ChoiceField`` or one of its kind) its choices."""
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(field).__name__} has no choices to set")
    field.choices = list(choices)
