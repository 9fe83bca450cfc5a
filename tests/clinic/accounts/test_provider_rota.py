"""A provider's weekly working hours: entered by the clinic admin, used by booking."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cit.clinic.accounts.actions import do_set_weekly_rota, parse_windows, weekly_rota_text
from cit.clinic.accounts.models import ProviderWorkingHours


def test_parse_windows() -> None:
    assert parse_windows(" off ") == []
    assert parse_windows("14:00-18:00, 09:00-13:00") == [
        (datetime.time(9), datetime.time(13)),
        (datetime.time(14), datetime.time(18)),
    ]
    with pytest.raises(ValidationError, match="write it like 09:00-17:30"):
        parse_windows("nine to five")
    with pytest.raises(ValidationError, match="start must be before the end"):
        parse_windows("17:00-09:00")
    with pytest.raises(ValidationError, match="must not overlap"):
        parse_windows("09:00-13:00, 12:00-15:00")


@pytest.mark.django_db
def test_admin_sets_and_clears_a_rota(clinic: Any, make_user: Any) -> None:
    nurse = make_user("registered_nurse", clinic).provider
    admin = Client()
    admin.force_login(make_user("clinic_admin", clinic))
    week = {f"day_{d}": "off" for d in range(7)} | {"day_1": "09:00-13:00, 14:00-17:00"}
    bad = admin.post(f"/clinic/providers/{nurse.pk}/hours/", {**week, "day_2": "9-5"})
    assert (
        bad.status_code == 422
    )  # refused: the form with its errors and "write it like" in bad.content.decode()
    assert not ProviderWorkingHours.objects.exists()
    admin.post(f"/clinic/providers/{nurse.pk}/hours/", week)
    assert weekly_rota_text(nurse) == {
        0: "off",
        1: "09:00-13:00, 14:00-17:00",
        2: "off",
        3: "off",
        4: "off",
        5: "off",
        6: "off",
    }
    admin.post(f"/clinic/providers/{nurse.pk}/hours/", {**week, "use_clinic_hours": "on"})
    assert weekly_rota_text(nurse) is None
    desk = Client()
    desk.force_login(make_user("front_desk", clinic))
    assert desk.get(f"/clinic/providers/{nurse.pk}/hours/").status_code == 403


@pytest.mark.django_db
def test_a_week_with_no_work_is_refused(clinic: Any, make_user: Any) -> None:
    nurse = make_user("registered_nurse", clinic).provider
    with pytest.raises(ValidationError, match="record an absence instead"):
        do_set_weekly_rota(provider=nurse, rota={d: [] for d in range(7)})
