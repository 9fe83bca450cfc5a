"""The ranges of :mod:`cit.lib.bounds` for forms and page views.

- :class:`BoundedDates` (a form mixin) holds every date and date-time field of a form to
  the clinic's window, so an absurd date comes back as the form with a field error.
- :func:`validate_birth_date` is the same rule for birth dates (not after today).
- :func:`query_day` reads a date from a page's query string; an unreadable or out-of-range
  one is a 400 (``BadRequest``), never a silent other day or an overflow.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest
from django.utils import timezone

from cit.lib import bounds


def _today() -> datetime.date:
    return timezone.localdate()


def _as_django(check: Callable[[Any, datetime.date], Any]) -> Callable[[Any], None]:
    def validator(value: Any) -> None:
        if value is None:
            return
        try:
            check(value, _today())
        except bounds.OutOfBounds as error:
            raise ValidationError(str(error), code="out_of_range") from None

    validator.__name__ = f"validate_{check.__name__.removeprefix('check_')}"
    return validator


validate_clinic_date = _as_django(bounds.check_date)
validate_clinic_datetime = _as_django(bounds.check_datetime)
validate_birth_date = _as_django(bounds.check_birth_date)


def bound_dates(form: forms.BaseForm) -> None:
    """Add the window check to every date and date-time field of ``form`` (this instance)."""
    for field in form.fields.values():
        if isinstance(field, forms.DateTimeField):
            extra = validate_clinic_datetime
        elif isinstance(field, forms.DateField):
            if validate_birth_date in field.validators:
                continue
            extra = validate_clinic_date
        else:
            continue
        if extra not in field.validators:
            field.validators.append(extra)


class BoundedDates:
    """Form mixin: every date and date-time field is held to the clinic's window."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self, forms.BaseForm)
        bound_dates(self)


def query_day(request: HttpRequest, name: str, today: datetime.date) -> datetime.date | None:
    """The date in the query parameter ``name`` (None when absent); 400 when unusable."""
    try:
        return bounds.parse_day(request.GET.get(name), today)
    except bounds.OutOfBounds as error:
        raise BadRequest(f"{name}: {error}") from None


def post_day(request: HttpRequest, name: str, today: datetime.date) -> datetime.date | None:
    """The same for a posted field."""
    try:
        return bounds.parse_day(request.POST.get(name), today)
    except bounds.OutOfBounds as error:
        raise BadRequest(f"{name}: {error}") from None
