"""Telling the user, on the next page, why a form post changed nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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


def refused(
    request: HttpRequest,
    label: str,
    problems: Iterable[str] | ValidationError,
    back: str,
    status: int = 422,
) -> HttpResponse:
    """A post that changed nothing, answered as such (4xx, not a redirect): what was not
    done, why, and the way back to the page it came from."""
    if isinstance(problems, ValidationError):
        problems = problems.messages
    context = {"label": label, "problems": list(problems), "back": back}
    return render(request, "refused.html", context, status=status)


def form_status(*forms: Any) -> int:
    """The status of a page that shows these forms: 422 when one was posted and refused (so a
    refusal is never a 200), else 200."""
    for form in forms:
        if form is not None and getattr(form, "is_bound", False) and not form.is_valid():
            return 422
    return 200
