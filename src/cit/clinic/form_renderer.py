"""Form widgets written to HTML in Python, exactly as Django's own widget templates write them.

Django renders each widget through nested templates: a select of twenty providers runs some
sixty template includes, and on the proposal page the wishes form cost more than the page's
queries. The common widgets (inputs, selects, checkbox and radio lists, text areas) are written
here instead, byte for byte as Django's templates write them (``tests/clinic/
test_form_renderer.py`` renders every project form both ways); any other template, or one a
project or app overrides, goes to Django's renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import DjangoTemplates
from django.template import TemplateDoesNotExist
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

WIDGETS = "django/forms/widgets/"
_DJANGO_WIDGET_TEMPLATES = Path(django.forms.__file__).parent / "templates" / WIDGETS

Widget = dict[str, Any]


def _text(value: Any) -> str:
    """``{{ value }}`` in a template with autoescaping on."""
    value = localize(template_localtime(value))
    return str(conditional_escape(value if isinstance(value, str) else str(value)))


def _as_string(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: stringformat keeps a safe value safe."""
    formatted = str(value)  # what "%s" % value gives for anything but a tuple
    return _text(mark_safe(formatted) if isinstance(value, SafeData) else formatted)


def _attrs(widget: Widget) -> str:
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_as_string(value)}"'
        for name, value in widget["attrs"].items()
        if value is not False
    )


def _input(widget: Widget) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_as_string(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget)}>\n"
    )


def _input_option(widget: Widget) -> str:
    if not widget["wrap_label"]:
        return _input(widget) + "\n"
    label_id = widget["attrs"].get("id")
    opening = f'<label for="{_text(label_id)}">' if label_id else "<label>"
    return f"{opening}{_input(widget)} {_text(widget['label'])}</label>\n"


def _select_option(widget: Widget) -> str:
    return (
        f'<option value="{_as_string(widget["value"])}"{_attrs(widget)}>'
        f"{_text(widget['label'])}</option>\n"
    )


def _textarea(widget: Widget) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget)}>\n'
        f"{_text(value) if value else ''}</textarea>\n"
    )


class WidgetRenderer(DjangoTemplates):
    """``FORM_RENDERER``: Django's template renderer, with the common widgets written in
    Python."""

    def __init__(self) -> None:
        super().__init__()
        writers: dict[str, Callable[[Widget], str]] = {
            f"{WIDGETS}{kind}.html": _input
            for kind in (
                "text",
                "number",
                "email",
                "url",
                "password",
                "hidden",
                "date",
                "datetime",
                "time",
                "tel",
                "search",
                "color",
                "checkbox",
            )
        }
        writers[f"{WIDGETS}input.html"] = _input
        writers[f"{WIDGETS}textarea.html"] = _textarea
        writers[f"{WIDGETS}select.html"] = self._select
        writers[f"{WIDGETS}select_option.html"] = _select_option
        writers[f"{WIDGETS}input_option.html"] = _input_option
        writers[f"{WIDGETS}checkbox_option.html"] = lambda w: _input_option(w) + "\n"
        writers[f"{WIDGETS}radio_option.html"] = lambda w: _input_option(w) + "\n"
        writers[f"{WIDGETS}multiple_input.html"] = self._multiple_input
        writers[f"{WIDGETS}checkbox_select.html"] = lambda w: self._multiple_input(w) + "\n"
        writers[f"{WIDGETS}radio.html"] = lambda w: self._multiple_input(w) + "\n"
        # A template an app or the project overrides is rendered from that template.
        self._writers = {
            name: write for name, write in writers.items() if self._is_djangos_own(name)
        }

    def _is_djangos_own(self, template_name: str) -> bool:
        try:
            origin = self.get_template(template_name).origin.name
        except TemplateDoesNotExist:
            return False
        return Path(origin) == _DJANGO_WIDGET_TEMPLATES / template_name.removeprefix(WIDGETS)

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        write = self._writers.get(template_name)
        if write is None:
            return super().render(template_name, context, request)
        return write(context["widget"]).strip()

    def _included(self, widget: Widget) -> str:
        """``{% include widget.template_name %}``: unstripped, as an include is."""
        name = widget["template_name"]
        write = self._writers.get(name)
        if write is not None:
            return write(widget)
        return str(self.get_template(name).render({"widget": widget}))

    def _select(self, widget: Widget) -> str:
        parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget)}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            parts.extend(f"\n  {self._included(option)}" for option in options)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>\n")
        return "".join(parts)

    def _multiple_input(self, widget: Widget) -> str:
        attrs = widget["attrs"]
        parts = ["<div"]
        if attrs.get("id"):
            parts.append(f' id="{_text(attrs["id"])}"')
        if attrs.get("class"):
            parts.append(f' class="{_text(attrs["class"])}"')
        parts.append(">")
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{_text(group)}</label>")
            parts.extend(f"<div>\n    {self._included(option)}</div>" for option in options)
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>\n")
        return "".join(parts)
