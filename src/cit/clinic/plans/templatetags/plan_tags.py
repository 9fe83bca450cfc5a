"""Small helpers for the plan form: show what was posted, else the proposal's value."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def posted(values: Any, index: int, name: str, default: Any) -> Any:
    if values is None:
        return default
    return values.get(f"s{index}-{name}", default)


@register.simple_tag
def posted_depth(values: Any, index: int, key: str, default: Any) -> Any:
    return posted(values, index, f"depth-{key}", default)


@register.simple_tag
def error_for(errors: dict[str, list[str]], key: str) -> list[str]:
    return errors.get(f"depth.{key}", [])
