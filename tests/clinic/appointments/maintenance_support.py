"""A finished series for the maintenance tests: every session held, the last on a given day."""

from __future__ import annotations

import datetime
from typing import Any

from cit.clinic.appointments.models import Appointment, ResourceHold


def finish_series(series: Any, last_day: datetime.date, *, weeks_apart: int = 4) -> None:
    """Move the series' sessions into the past, ``weeks_apart`` apart, the last on
    ``last_day`` at 10:00, all completed (their holds released: the time has passed)."""
    zone = series.clinic.tzinfo
    sessions = list(Appointment.objects.filter(series=series).order_by("number"))
    for index, session in enumerate(sessions):
        day = last_day - datetime.timedelta(weeks=weeks_apart * (len(sessions) - 1 - index))
        start = datetime.datetime.combine(day, datetime.time(10), tzinfo=zone)
        Appointment.objects.filter(pk=session.pk).update(
            start=start, end=start + datetime.timedelta(hours=1), status="completed"
        )
    ResourceHold.objects.filter(appointment__series=series).update(active=False)
