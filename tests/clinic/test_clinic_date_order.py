"""Each clinic writes dates its own way: day first (10 Jul 2026) or month first (Jul 10,
2026), on every page that shows a date; times stay as they are."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client

from cit.clinic.dates import activate_date_order, clinic_pattern, reset_date_order

DAY = datetime.date(2026, 7, 10)


@pytest.mark.parametrize(
    ("order", "pattern", "written"),
    [
        ("dmy", "j M Y", "10 Jul 2026"),
        ("mdy", "j M Y", "Jul 10, 2026"),
        ("mdy", "D j M Y", "Fri Jul 10, 2026"),
        ("mdy", "l j F Y", "Friday, July 10, 2026"),
        ("mdy", "H:i", "00:00"),
    ],
)
def test_the_same_template_writes_each_order(order: str, pattern: str, written: str) -> None:
    token = activate_date_order(order)
    try:
        rendered = Template('{{ day|clinic_date:"' + pattern + '" }}').render(
            Context({"day": datetime.datetime.combine(DAY, datetime.time(0))})
        )
    finally:
        reset_date_order(token)
    assert rendered == written


def test_every_day_first_pattern_has_a_month_first_twin() -> None:
    token = activate_date_order("mdy")
    try:
        assert clinic_pattern("j F") == "F j"
        assert clinic_pattern("Y-m-d") == "Y-m-d"
    finally:
        reset_date_order(token)


@pytest.mark.django_db
def test_a_month_first_clinic_writes_its_patients_birth_dates_so(
    clinic: Any, make_user: Any, make_patient: Any
) -> None:
    patient = make_patient(clinic, birth_date=datetime.date(1985, 12, 10))
    desk = Client()
    desk.force_login(make_user("front_desk", clinic))
    assert "10 December 1985" in desk.get(f"/patients/{patient.pk}/").content.decode()
    clinic.date_order = "mdy"
    clinic.save(update_fields=["date_order"])
    page = desk.get(f"/patients/{patient.pk}/").content.decode()
    assert "December 10, 1985" in page
    assert "10 December 1985" not in page
    # The patient list too.
    listing = desk.get("/patients/").content.decode()
    assert "<td>Dec 10, 1985</td>" in listing
    assert "10 Dec 1985" not in listing
