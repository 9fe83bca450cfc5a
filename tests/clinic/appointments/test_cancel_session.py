"""Cancelling one session releases its holds (the slot can be booked again), keeps the row
as evidence, and refuses a second cancellation or a past session."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cit.clinic.appointments.errors import SchedulingRefused
from cit.clinic.appointments.models import Appointment, ResourceHold, SeriesBooking
from cit.clinic.appointments.moves import cancel_gap_warning, do_cancel_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    return book(make_plan(make_patient(booking_clinic)))


def test_cancel_releases_holds_and_keeps_the_row(series: Any, desk: Any) -> None:
    third = Appointment.objects.get(series=series, number=3)
    do_cancel_session(actor=desk, appointment=third, reason="patient travelling")
    third.refresh_from_db()
    assert third.status == "cancelled"
    assert third.cancel_reason == "patient travelling"
    assert third.sequence == 1
    assert not ResourceHold.objects.filter(appointment=third, active=True).exists()
    assert ResourceHold.objects.filter(appointment=third, active=False).count() == 4
    with pytest.raises(SchedulingRefused, match="already cancelled"):
        do_cancel_session(actor=desk, appointment=third)


def test_cancelling_every_session_cancels_the_series(series: Any, desk: Any) -> None:
    for appointment in Appointment.objects.filter(series=series):
        do_cancel_session(actor=desk, appointment=appointment)
    series.refresh_from_db()
    assert series.status == "cancelled"
    assert SeriesBooking.objects.filter(pk=series.pk).exists()


def test_cancelling_a_middle_session_warns_about_the_gap(series: Any) -> None:
    second = Appointment.objects.get(series=series, number=2)
    warning = cancel_gap_warning(second)
    assert warning
    assert "Sessions 1 and 3" in warning


def test_a_past_session_cannot_be_cancelled(series: Any, desk: Any) -> None:
    first = Appointment.objects.get(series=series, number=1)
    later = first.start + datetime.timedelta(minutes=5)
    with pytest.raises(SchedulingRefused, match="already started"):
        do_cancel_session(actor=desk, appointment=first, now=later)
    assert timezone.now() < first.start
