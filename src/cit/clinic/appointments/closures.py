"""Sessions booked on a closure day: a closure added after booking does not move anything by
itself; these are listed for the desk to move (the move page re-plans the series)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Max, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from cit.clinic.appointments.convert import closures
from cit.clinic.appointments.models import Appointment, AppointmentStatus
from cit.clinic.facilities.models import Clinic
from cit.scheduling.closures import closed_dates, closure_on


def booked_on_closure_days(
    clinic: Clinic, now: datetime.datetime | None = None
) -> QuerySet[Appointment]:
    """Booked visits from today on that fall on a closed day (the clinic's local date),
    picked out by the database: a page of them costs the same however many are booked."""
    now = now or timezone.now()
    upcoming = Appointment.objects.filter(
        clinic=clinic, status=AppointmentStatus.BOOKED, end__gt=now
    )
    last = upcoming.aggregate(last=Max("start"))["last"]
    if last is None:
        return upcoming.none()
    zone = clinic.tzinfo
    closed = closed_dates(closures(clinic), clinic.today(now), last.astimezone(zone).date())
    if not closed:
        return upcoming.none()
    on_closed_days: QuerySet[Appointment] = (
        upcoming.annotate(local_day=TruncDate("start", tzinfo=zone))
        .filter(local_day__in=sorted(closed))
        .select_related("patient", "provider__user", "room", "clinic")
    )
    return on_closed_days


def with_closure_names(
    clinic: Clinic, appointments: Iterable[Appointment]
) -> list[tuple[Appointment, str]]:
    """Each visit with the name of the closure on its day."""
    known = closures(clinic)
    zone = clinic.tzinfo
    named = []
    for appointment in appointments:
        closure = closure_on(known, appointment.start.astimezone(zone).date())
        named.append((appointment, closure.name if closure and closure.name else "Closed"))
    return named


def sessions_on_closure_days(
    clinic: Clinic, now: datetime.datetime | None = None
) -> list[tuple[Appointment, str]]:
    """Booked visits from today on that fall on a closed day, with the closure's name."""
    return with_closure_names(clinic, booked_on_closure_days(clinic, now).order_by("start", "id"))
