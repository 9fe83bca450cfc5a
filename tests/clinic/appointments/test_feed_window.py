"""A patient's .ics carries the last 90 days and everything ahead, not every visit ever."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cit.clinic.appointments.feeds import FEED_PAST_DAYS, calendar_appointments
from cit.clinic.appointments.models import Appointment, SeriesBooking, SeriesKind
from cit.clinic.facilities.models import Room

pytestmark = pytest.mark.django_db


def test_the_feed_starts_ninety_days_back(
    booking_clinic: Any, nurse: Any, make_patient: Any
) -> None:
    assert FEED_PAST_DAYS == 90
    patient = make_patient(booking_clinic)
    series = SeriesBooking.objects.create(
        clinic=booking_clinic,
        patient=patient,
        kind=SeriesKind.CONSULTATION,
        series_index=0,
        request={},
    )
    room = Room.objects.filter(clinic=booking_clinic).first()
    now = timezone.now()

    def visit(days: int, status: str = "booked") -> int:
        start = now + datetime.timedelta(days=days)
        return Appointment.objects.create(
            clinic=booking_clinic,
            patient=patient,
            series=series,
            number=1,
            provider=nurse.provider,
            room=room,
            start=start,
            end=start + datetime.timedelta(minutes=30),
            status=status,
        ).pk

    too_old = visit(-91)
    recent = visit(-89)
    ahead = visit(30)
    cancelled_past = visit(-10, "cancelled")
    cancelled_ahead = visit(10, "cancelled")
    listed = [a.pk for a in calendar_appointments(patient)]
    # Oldest first; the visit 91 days back and the past cancellation are left out.
    assert listed == [recent, cancelled_ahead, ahead]
    assert too_old not in listed
    assert cancelled_past not in listed
