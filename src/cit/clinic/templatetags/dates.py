"""``clinic_date``: Django's ``date`` filter with the clinic's date order (cit.clinic.dates)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import date

from cit.clinic.dates import clinic_pattern

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def clinic_date(value: Any, day_first_pattern: str = "j M Y") -> str:
    return date(value, clinic_pattern(day_first_pattern))
