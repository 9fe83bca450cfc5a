"""Human words for the recovery diary's stored values."""

from __future__ import annotations

from typing import Any

from django import template

from cit.clinic.recovery.actions import adverse_event_labels
from cit.clinic.recovery.forms import SCORE_CHOICES

register = template.Library()


@register.filter
def adverse_event_label(value: Any) -> str:
    return adverse_event_labels().get(str(value), "Other")


@register.filter
def score_word(value: Any) -> str:
    return str(dict(SCORE_CHOICES).get(value, value))
