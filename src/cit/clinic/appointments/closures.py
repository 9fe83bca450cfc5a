"""Sessions booked on a closure day: a closure added after booking does not move anything by
itself; these are listed for the desk to move (the move page re-plans the series)."""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.utils import timezone

from cit.clinic.appointments.convert import closures
from cit.clinic.appointments.models import Appointment, AppointmentStatus
from cit.clinic.facilities.models import Clinic
from cit.scheduling.closures import closed_dates, closure_on


def sessions_on_closure_days(
    clinic: Clinic, now: datetime.datetime | None = None
) -> list[tuple[Appointment, str]]:
    """Booked visits from today on that fall on a closed day, with the closure's name."""
    now = now or timezone.now()
    today = clinic.today(now)
    upcoming = Appointment.objects.filter(
        clinic=clinic, status=AppointmentStatus.BOOKED, end__gt=now
    )
    last = upcoming.aggregate(last=Max("start"))["last"]
    if last is None:
        return []
    zone = clinic.tzinfo
    known = closures(clinic)
    closed = closed_dates(known, today, last.astimezone(zone).date())
    if not closed:
        return []
    found = []
    for appointment in upcoming.select_related("patient", "provider__user", "room").order_by(
        "start"
    ):
        day = appointment.start.astimezone(zone).date()
        if day in closed:
            closure = closure_on(known, day)
            found.append((appointment, closure.name if closure and closure.name else "Closed"))
    return found
