"""The form renderer writes every widget the project's forms use exactly as Django's own
widget templates do, whatever the values, labels and attributes."""

from __future__ import annotations

import datetime
import importlib
import pkgutil
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.forms.widgets import ChoiceWidget
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

import cit.clinic
from cit.clinic.form_renderer import WidgetRenderer

PYTHON = WidgetRenderer()
TEMPLATES = DjangoTemplates()

CHOICES: list[tuple[Any, Any]] = [
    ("", "No preference"),
    ("1", "Dr Ana García"),
    (2, 'O\'Brien & "Sons" <clinic>'),
    ("lazy", gettext_lazy("Mornings (before 12:00)")),
    ("safe", mark_safe("<b>already safe</b>")),
]
GROUPED: list[tuple[Any, Any]] = [
    ("Room", [("r1", "Room 1"), ("r2", "Room <2>")]),
    ("Pen", [("p1", "Dermapen 4")]),
    ("none", "Not grouped"),
]
TEXT_VALUES = [None, "", "plain", "<script>\"x\" & 'y'</script>", mark_safe("<i>safe</i>"), 0, 12]


def both(widget: forms.Widget, name: str, value: Any, attrs: dict[str, Any] | None) -> None:
    python = widget.render(name, value, attrs=attrs, renderer=PYTHON)
    templates = widget.render(name, value, attrs=attrs, renderer=TEMPLATES)
    assert python == templates


def test_the_common_widgets_are_written_in_python() -> None:
    """Otherwise every comparison below would compare Django with itself."""
    for kind in ("text", "select", "checkbox_select", "radio", "textarea", "date", "checkbox"):
        assert f"django/forms/widgets/{kind}.html" in PYTHON._writers
    assert isinstance(get_default_renderer(), WidgetRenderer)


@pytest.mark.parametrize(
    "widget",
    [
        forms.TextInput(),
        forms.TextInput(attrs={"class": "wide", "placeholder": 'a "quoted" <hint>'}),
        forms.NumberInput(attrs={"min": 0, "max": 10, "step": "0.5"}),
        forms.EmailInput(),
        forms.URLInput(),
        forms.PasswordInput(render_value=True),
        forms.HiddenInput(),
        forms.DateInput(attrs={"type": "date"}),
        forms.TimeInput(attrs={"type": "time", "step": 900}),
        forms.DateTimeInput(attrs={"type": "datetime-local"}),
        forms.Textarea(attrs={"rows": 3}),
        forms.CheckboxInput(),
    ],
    ids=lambda w: type(w).__name__,
)
@pytest.mark.parametrize("value", TEXT_VALUES, ids=repr)
@pytest.mark.parametrize("attrs", [None, {"id": "id_x", "required": True, "disabled": False}])
def test_inputs(widget: forms.Widget, value: Any, attrs: dict[str, Any] | None) -> None:
    both(widget, "field", value, attrs)


@pytest.mark.parametrize(
    "widget_class",
    [forms.Select, forms.SelectMultiple, forms.CheckboxSelectMultiple, forms.RadioSelect],
)
@pytest.mark.parametrize("choices", [CHOICES, GROUPED, []], ids=["flat", "grouped", "empty"])
@pytest.mark.parametrize("value", [None, "", "1", 2, ["1", "lazy"], ["r2", "p1"]], ids=repr)
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_pick", "required": True}, {"id": "id_p", "class": "inline"}]
)
def test_choices(
    widget_class: type[ChoiceWidget],
    choices: list[tuple[Any, Any]],
    value: Any,
    attrs: dict[str, Any] | None,
) -> None:
    both(widget_class(choices=choices), "pick", value, attrs)


def _project_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(cit.clinic.__path__, "cit.clinic."):
        if module.name.endswith(("forms", "blinded", "admin")):
            importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type[Any]] = [forms.Form, forms.ModelForm]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("cit."):
                found.append(sub)
    return found


def test_every_widget_of_every_project_form() -> None:
    form_classes = _project_form_classes()
    assert len(form_classes) > 20
    samples = ["", "1", "a <b> & 'c'", datetime.date(2026, 7, 10), ["1", "2"]]
    for form_class in form_classes:
        for name, field in form_class.base_fields.items():
            widget = field.widget
            # Choices read from the database or set per form: sample ones instead.
            if isinstance(widget, ChoiceWidget) and (
                isinstance(field, forms.ModelChoiceField) or not list(widget.choices)
            ):
                widget = type(widget)(attrs=widget.attrs, choices=CHOICES)
            for value in samples:
                python = widget.render(name, value, {"id": f"id_{name}"}, renderer=PYTHON)
                templates = widget.render(name, value, {"id": f"id_{name}"}, renderer=TEMPLATES)
                assert python == templates, (form_class.__name__, name, value)
