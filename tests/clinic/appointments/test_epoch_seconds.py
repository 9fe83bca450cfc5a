"""The database turns a timestamp into epoch seconds the way the scheduling core does:
starts rounded down, ends rounded up, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime
from typing import Any

from cit.clinic.appointments.convert import EpochSeconds
from cit.clinic.appointments.models import Appointment


def test_epoch_seconds_floor_and_ceil(
    booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    series = book(make_plan(make_patient(booking_clinic)))
    first = series.appointments.order_by("number").first()
    # 2026-03-02 09:00:00.250 UTC and 10:00:00.500 UTC; 09:00 UTC is 1772442000.
    start = datetime.datetime(2026, 3, 2, 9, 0, 0, 250_000, tzinfo=datetime.UTC)
    Appointment.objects.filter(pk=first.pk).update(
        start=start, end=start + datetime.timedelta(hours=1, microseconds=250_000)
    )
    whole = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    Appointment.objects.filter(series=series, number=2).update(
        start=whole, end=whole + datetime.timedelta(hours=1)
    )
    rows = dict(
        Appointment.objects.filter(series=series, number__in=[1, 2])
        .order_by()
        .values_list("number", EpochSeconds("start"))
    )
    ends = dict(
        Appointment.objects.filter(series=series, number__in=[1, 2])
        .order_by()
        .values_list("number", EpochSeconds("end", ceil=True))
    )
    assert rows == {1: 1_772_442_000, 2: 1_772_445_600}
    assert ends == {1: 1_772_445_601, 2: 1_772_449_200}
