"""iCalendar for booked sessions: one VEVENT per session (an RRULE cannot express interval
windows), a UID stable per appointment so calendar apps update rather than duplicate, times
with the clinic's TZID and its VTIMEZONE, and SEQUENCE bumped on every change."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from cit.clinic.appointments.models import HOLDING_STATUSES, Appointment

PRODID = "-//CIT//Collagen induction therapy//EN"
UID_DOMAIN = "cit.clinic"


def appointment_uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@{UID_DOMAIN}"


def session_summary(appointment: Appointment) -> str:
    series = appointment.series
    total = series.request.get("sessions", "?")
    if series.kind == "maintenance":
        return "Micro-needling maintenance session"
    if series.kind == "consultation":
        return "Consultation"
    return f"Micro-needling session {appointment.number} of {total}"


def build_calendar(appointments: Iterable[Appointment], *, name: str = "CIT sessions") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for appointment in appointments:
        clinic = appointment.clinic
        zone = clinic.tzinfo
        event = Event()
        event.add("uid", appointment_uid(appointment))
        event.add("dtstamp", stamp)
        # Local times with the clinic's zone: icalendar writes TZID=<zone> on each.
        event.add("dtstart", appointment.start.astimezone(zone))
        event.add("dtend", appointment.end.astimezone(zone))
        event.add("summary", session_summary(appointment))
        location = ", ".join(
            part
            for part in (appointment.room.name, clinic.name, " ".join(clinic.address.split()))
            if part
        )
        event.add("location", location)
        event.add(
            "description",
            f"With {appointment.provider}. Please arrive 15 minutes early for check-in. "
            f"To change this appointment call {clinic.phone or 'the clinic'}.",
        )
        event.add("sequence", appointment.sequence)
        event.add(
            "status",
            "CONFIRMED" if appointment.status in HOLDING_STATUSES else "CANCELLED",
        )
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
