"""The move page's refusal names the provider by name and gives the clinic's local time
and zone, not "provider 2 … UTC"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cit.clinic.appointments.models import Appointment

pytestmark = pytest.mark.django_db


def test_moving_onto_a_booked_provider_names_them_in_local_time(
    booking_clinic: Any, desk: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    first = make_patient(booking_clinic, given_name="Ada")
    second = make_patient(booking_clinic, given_name="Grace", email="grace@example.com")
    book(make_plan(first, sessions=3))
    book(make_plan(second, sessions=3, first_in_days=9))
    taken = Appointment.objects.filter(patient=first, number=1).get()
    mine = Appointment.objects.filter(patient=second, number=1).get()
    local = taken.start.astimezone(booking_clinic.tzinfo)
    client = Client()
    client.force_login(desk)
    response = client.post(
        f"/appointments/{mine.pk}/move/",
        {
            "new_date": local.date().isoformat(),
            "new_time": local.strftime("%H:%M"),
            "provider": str(taken.provider_id),
        },
    )
    text = response.content.decode()
    assert response.status_code == 422
    assert f"{taken.provider.user.get_full_name()} (" in text  # name and role
    assert f"{local:%H:%M}" in text
    assert "(Europe/London)" in text
    assert f"provider {taken.provider_id}" not in text
    assert "UTC" not in text
