from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cit.clinic.facilities.models import Device, Room

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic_admin_client(clinic: Any, make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("clinic_admin", clinic))
    return client


def test_admin_adds_room_and_device(clinic_admin_client: Client, clinic: Any) -> None:
    clinic_admin_client.post("/clinic/rooms/new/", {"name": "Laser room"})
    clinic_admin_client.post(
        "/clinic/devices/new/",
        {"kind": "pen", "model": "Dermapen 4", "serial_number": "D4-1", "max_depth_mm": "3.0"},
    )
    assert Room.objects.filter(clinic=clinic, name="Laser room").exists()
    assert Device.objects.filter(clinic=clinic, serial_number="D4-1").exists()
    page = clinic_admin_client.get("/clinic/").content.decode()
    assert "Laser room" in page
    assert "Dermapen 4" in page


def test_duplicate_room_is_refused_with_a_message(clinic_admin_client: Client, clinic: Any) -> None:
    clinic_admin_client.post("/clinic/rooms/new/", {"name": "Room A"})
    response = clinic_admin_client.post("/clinic/rooms/new/", {"name": "Room A"}, follow=True)
    assert Room.objects.filter(clinic=clinic).count() == 1
    assert "Room not added" in response.content.decode()


def test_pen_without_depth_is_refused_with_a_message(
    clinic_admin_client: Client, clinic: Any
) -> None:
    response = clinic_admin_client.post(
        "/clinic/devices/new/",
        {"kind": "pen", "model": "Pen", "serial_number": "P-1", "max_depth_mm": ""},
        follow=True,
    )
    assert not Device.objects.exists()
    assert "maximum depth" in response.content.decode()


def _overview_queries(client: Client) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/clinic/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_overview_says_whose_rota_is_their_own_in_queries_that_do_not_grow_with_staff(
    clinic_admin_client: Client, clinic: Any, make_user: Any
) -> None:
    import datetime

    from cit.clinic.accounts.actions import do_set_weekly_rota

    nine_to_five = [(datetime.time(9), datetime.time(17))]
    first = make_user("physician", clinic).provider
    do_set_weekly_rota(provider=first, rota={day: nine_to_five for day in range(7)})
    make_user("registered_nurse", clinic)
    _overview_queries(clinic_admin_client)  # the first request reads a few things once
    few, shown = _overview_queries(clinic_admin_client)
    assert shown.count("<td>own rota") == 1 and shown.count("<td>clinic hours") == 1
    for _ in range(10):
        provider = make_user("registered_nurse", clinic).provider
        do_set_weekly_rota(provider=provider, rota={day: nine_to_five for day in range(7)})
    many, shown = _overview_queries(clinic_admin_client)
    assert shown.count("<td>own rota") == 11 and shown.count("<td>clinic hours") == 1
    assert many == few
