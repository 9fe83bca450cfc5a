"""Choices set at run time land on choice fields only."""

from __future__ import annotations

import pytest
from django import forms

from cit.clinic.form_fields import set_choices


def test_a_choice_field_takes_its_choices() -> None:
    field = forms.MultipleChoiceField()
    set_choices(field, (("cheeks", "Cheeks"), ("forehead", "Forehead")))
    assert field.clean(["cheeks"]) == ["cheeks"]
    with pytest.raises(forms.ValidationError):
        field.clean(["chin"])


def test_a_field_without_choices_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="CharField has no choices"):
        set_choices(forms.CharField(), [("a", "A")])
