"""Plain words for screening results: decisions and where an intake item is."""

from __future__ import annotations

from django import template

from cit.protocol.model import Decision, where_in_intake

register = template.Library()


@register.filter
def decision_label(value: str) -> str:
    """ "do_not_treat" -> "Do not treat"; anything else is shown as it is."""
    try:
        return Decision(value).label
    except ValueError:
        return value


@register.filter
def intake_where(path: str) -> str:
    """ "medications[1]" -> "Medicine 2"."""
    return where_in_intake(path)
