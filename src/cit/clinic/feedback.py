"""Telling the user, on the next page, why a form post changed nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from cit.clinic.labels import field_label


def flash_errors(
    request: HttpRequest, label: str, errors: Mapping[str, Iterable[object]] | ValidationError
) -> None:
    """One error message per problem: ``"<label> — <field>: <error>"`` (no field when the
    problem is the whole record's; the field named in words, "Max depth (mm)")."""
    if isinstance(errors, ValidationError):
        errors = errors.message_dict if hasattr(errors, "error_dict") else {"": errors.messages}
    for field, field_errors in errors.items():
        where = "" if field in ("__all__", "") else f"{field_label(field)}: "
        for error in field_errors:
            messages.error(request, f"{label} — {where}{error}")
