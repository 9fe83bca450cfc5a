"""Template filters for :mod:`cit.clinic.labels`; built in to every template (settings)."""

from __future__ import annotations

from typing import Any

from django import template

from cit.clinic import labels

register = template.Library()

register.filter("decision_label", labels.decision_label)
register.filter("indication_label", labels.indication_label)
register.filter("zone_label", labels.zone_label)
register.filter("role_label", labels.role_label)
register.filter("audit_action_label", labels.audit_action_label)
register.filter("capability_label", labels.capability_label)


@register.filter
def object_label(object_type: Any, object_id: Any = None) -> str:
    return labels.object_label(object_type, object_id)


register.filter("citation_text", labels.citation_text)


@register.filter
def money(amount: Any, currency: Any) -> str:
    """``{{ amount|money:currency }}``: the price in the clinic's currency."""
    return labels.money(amount, currency)


@register.filter
def money_range(amounts: Any, currency: Any) -> str:
    """``{{ series.price.series|money_range:series.price.currency }}``."""
    return labels.money_range(amounts, currency)
