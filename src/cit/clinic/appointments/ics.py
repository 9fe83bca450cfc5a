"""iCalendar for booked sessions: one VEVENT per session (an RRULE cannot express interval
windows), a UID stable per appointment so calendar apps update rather than duplicate, times
with the clinic's TZID and its VTIMEZONE, and SEQUENCE bumped on every change.

The VTIMEZONE is written here rather than by ``icalendar``'s ``add_missing_timezones``: that
one lists every change as comma-separated RDATE values, which ical.js (Thunderbird, Nextcloud)
misreads, putting London winter sessions an hour early. Ours states each recurring change as
a yearly RRULE (the form Outlook, Google and ical.js all read), with a single DTSTART for a
change that happened once.
"""

from __future__ import annotations

import calendar as calendar_months
import datetime
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from cit.clinic.appointments.models import HOLDING_STATUSES, Appointment
from cit.protocol.knowledge import get_knowledge

PRODID = "-//CIT//Collagen induction therapy//EN"

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]


def uid_domain() -> str:
    """The installation's own domain for UIDs, so two installations never share a UID: the
    ``CALENDAR_UID_DOMAIN`` setting, else the first real host name in ``ALLOWED_HOSTS``."""
    configured: str = settings.CALENDAR_UID_DOMAIN
    if configured:
        return configured
    for host in settings.ALLOWED_HOSTS:
        name = host.lstrip(".")
        if name and name != "*" and name not in _LOCAL_HOSTS:
            return name
    return "localhost"


_LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "testserver"}


def appointment_uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@{uid_domain()}"


def session_summary(appointment: Appointment) -> str:
    series = appointment.series
    total = series.request.get("sessions", "?")
    if series.kind == "maintenance":
        return "Micro-needling maintenance session"
    if series.kind == "consultation":
        return "Consultation"
    return f"Micro-needling session {appointment.number} of {total}"


# -- VTIMEZONE -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One change of a zone's offset: the UTC instant, the offsets before and after, the
    abbreviation after, and whether the new offset is daylight-saving time."""

    at: datetime.datetime
    offset_from: datetime.timedelta
    offset_to: datetime.timedelta
    name: str
    daylight: bool

    @property
    def local(self) -> datetime.datetime:
        """The wall-clock time of the change, read on the clock before it (RFC 5545)."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    @property
    def yearly_key(self) -> tuple[int, int, int, datetime.time]:
        """(month, weekday, n-th or -1 for last, local time): the shape of a yearly rule."""
        local = self.local
        last_day = calendar_months.monthrange(local.year, local.month)[1]
        nth = -1 if local.day + 7 > last_day else (local.day - 1) // 7 + 1
        return (local.month, local.weekday(), nth, local.time())


def _offset_at(zone: zoneinfo.ZoneInfo, moment: datetime.datetime) -> datetime.timedelta:
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def zone_transitions(
    zone: zoneinfo.ZoneInfo, start: datetime.datetime, end: datetime.datetime
) -> list[Transition]:
    """Every offset change of ``zone`` between two UTC instants, to the second: day steps,
    then a bisection inside the day where the offset differs."""
    found: list[Transition] = []
    step = datetime.timedelta(days=1)
    moment = start
    before = _offset_at(zone, moment)
    while moment < end:
        following = moment + step
        after = _offset_at(zone, following)
        if after != before:
            low, high = moment, following
            while high - low > datetime.timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset_at(zone, middle) == before:
                    low = middle
                else:
                    high = middle
            high = high.replace(microsecond=0)
            changed = high.astimezone(zone)
            found.append(
                Transition(
                    at=high,
                    offset_from=before,
                    offset_to=after,
                    name=changed.tzname() or "",
                    daylight=bool(changed.dst()),
                )
            )
        moment, before = following, after
    return found


def _yearly_runs(transitions: Sequence[Transition]) -> list[list[Transition]]:
    """Split one kind of change (same offsets, name, daylight) into runs that one yearly rule
    states exactly: same month, weekday, week and wall time in consecutive years."""
    runs: list[list[Transition]] = []
    for transition in transitions:
        if runs:
            last = runs[-1][-1]
            if (
                transition.local.year == last.local.year + 1
                and transition.yearly_key == last.yearly_key
            ):
                runs[-1].append(transition)
                continue
        runs.append([transition])
    return runs


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _observance(
    transition: Transition, *, rule: dict[str, object] | None
) -> TimezoneStandard | TimezoneDaylight:
    component = TimezoneDaylight() if transition.daylight else TimezoneStandard()
    component.add("dtstart", transition.local)
    if rule is not None:
        component.add("rrule", rule)
    component.add("tzoffsetfrom", transition.offset_from)
    component.add("tzoffsetto", transition.offset_to)
    if transition.name:
        component.add("tzname", transition.name)
    return component


def build_vtimezone(zone_name: str, first: datetime.datetime, last: datetime.datetime) -> Timezone:
    """The VTIMEZONE of ``zone_name`` exact for every instant from a year before ``first`` to
    a year after ``last``; the latest yearly rules stay open-ended, as the zone's current
    rules."""
    zone = zoneinfo.ZoneInfo(zone_name)
    start = datetime.datetime(first.year - 1, 1, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(last.year + 2, 1, 1, tzinfo=datetime.UTC)
    vtimezone = Timezone()
    vtimezone.add("tzid", zone_name)
    transitions = zone_transitions(zone, start, end)
    if not transitions:
        # No change in the window: one fixed offset.
        local = start.astimezone(zone)
        offset = _offset_at(zone, start)
        fixed = TimezoneStandard()
        fixed.add("dtstart", datetime.datetime(1970, 1, 1))
        fixed.add("tzoffsetfrom", offset)
        fixed.add("tzoffsetto", offset)
        fixed.add("tzname", local.tzname() or zone_name)
        vtimezone.add_component(fixed)
        return vtimezone
    kinds: dict[tuple[datetime.timedelta, datetime.timedelta, str, bool], list[Transition]] = {}
    for transition in transitions:
        key = (transition.offset_from, transition.offset_to, transition.name, transition.daylight)
        kinds.setdefault(key, []).append(transition)
    final_year = end.year - 1
    observances: list[tuple[datetime.datetime, TimezoneStandard | TimezoneDaylight]] = []
    for kind in kinds.values():
        for run in _yearly_runs(kind):
            head = run[0]
            if len(run) == 1 and head.local.year != final_year:
                observances.append((head.at, _observance(head, rule=None)))
                continue
            month, weekday, nth, _ = head.yearly_key
            rule: dict[str, object] = {
                "freq": "yearly",
                "bymonth": month,
                "byday": f"{nth}{_WEEKDAYS[weekday]}",
            }
            if run[-1].local.year != final_year:
                # The rule stopped inside the window: it ends with its last change.
                rule["until"] = run[-1].at
            observances.append((head.at, _observance(head, rule=rule)))
    for _, observance in sorted(observances, key=lambda pair: pair[0]):
        vtimezone.add_component(observance)
    return vtimezone


# -- the calendar ------------------------------------------------------------------------------


def _mailto(address: str) -> str:
    return f"mailto:{address}"


def build_calendar(
    appointments: Iterable[Appointment],
    *,
    name: str = "CIT sessions",
    method: Method = "PUBLISH",
    cancelled: bool = False,
    private: bool = False,
) -> bytes:
    """The calendar of ``appointments``. ``PUBLISH`` for a download or a feed; ``REQUEST``
    (an invitation or its update) and ``CANCEL`` for the iTIP e-mails, which name the clinic
    as ORGANIZER and the patient as ATTENDEE. ``cancelled`` marks every event cancelled
    whatever its row says (a CANCEL message). ``private`` (the subscription feed) says only
    the time, the clinic and the provider."""
    appointments = list(appointments)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    zones: dict[str, list[datetime.datetime]] = {}
    events: list[Event] = []
    for appointment in appointments:
        clinic = appointment.clinic
        zone = clinic.tzinfo
        zones.setdefault(clinic.timezone, []).extend([appointment.start, appointment.end])
        event = Event()
        event.add("uid", appointment_uid(appointment))
        event.add("dtstamp", stamp)
        # Local times with the clinic's zone: icalendar writes TZID=<zone> on each.
        event.add("dtstart", appointment.start.astimezone(zone))
        event.add("dtend", appointment.end.astimezone(zone))
        if private:
            provider = appointment.provider.user.get_full_name() or "your provider"
            event.add("summary", f"Appointment at {clinic.name}")
            event.add("location", clinic.name)
            event.add("description", f"With {provider}.")
        else:
            event.add("summary", session_summary(appointment))
            location = ", ".join(
                part
                for part in (appointment.room.name, clinic.name, " ".join(clinic.address.split()))
                if part
            )
            event.add("location", location)
            event.add(
                "description",
                f"With {appointment.provider}. Please arrive "
                f"{get_knowledge().visit.check_in_minutes} minutes early for check-in. "
                f"To change this appointment call {clinic.phone or 'the clinic'}.",
            )
        event.add("sequence", appointment.sequence)
        is_cancelled = cancelled or appointment.status not in HOLDING_STATUSES
        event.add("status", "CANCELLED" if is_cancelled else "CONFIRMED")
        if method != "PUBLISH":
            organizer = vCalAddress(_mailto(organizer_email(appointment)))
            organizer.params["cn"] = clinic.name
            event.add("organizer", organizer)
            patient = appointment.patient
            attendee = vCalAddress(_mailto(patient.email))
            attendee.params["cn"] = f"{patient.given_name} {patient.family_name}".strip()
            attendee.params["role"] = "REQ-PARTICIPANT"
            attendee.params["partstat"] = "NEEDS-ACTION" if method == "REQUEST" else "DECLINED"
            attendee.params["rsvp"] = "FALSE"
            event.add("attendee", attendee)
        events.append(event)
    # Zones first: some parsers resolve a TZID only against a VTIMEZONE already read.
    for zone_name, moments in sorted(zones.items()):
        calendar.add_component(build_vtimezone(zone_name, min(moments), max(moments)))
    for event in events:
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def organizer_email(appointment: Appointment) -> str:
    """The clinic's e-mail setting; the installation's sender when the clinic has none."""
    if appointment.clinic.email:
        return appointment.clinic.email
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
