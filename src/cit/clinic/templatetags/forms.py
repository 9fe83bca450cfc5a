"""``{% form_token %}``: the hidden one-time token that makes a page form act once
(checked by ``cit.clinic.idempotency.middleware``)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cit.clinic.idempotency.middleware import FORM_FIELD, new_form_token

register = template.Library()


@register.simple_tag
def form_token() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, new_form_token())
