"""Resource holds: what a booked session occupies (provider, room, device), how a clash is
described to staff, and writing or moving holds under the providers' locks."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import F, Q
from django.utils import timezone

from cit.clinic.accounts.models import Provider
from cit.clinic.appointments.errors import BookingConflict
from cit.clinic.appointments.models import (
    Appointment,
    ResourceHold,
)
from cit.clinic.appointments.reminders import reminder_due
from cit.clinic.facilities.models import Clinic, Device, Room
from cit.scheduling import (
    BookedSession,
    ViolationCode,
)
from cit.scheduling.lifecycle import Visit, VisitStatus

RESOURCE_VIOLATIONS = {ViolationCode.DOUBLE_BOOKED, ViolationCode.SERIES_OVERLAP}


def describe_resource(key: str) -> str:
    """``room:3`` -> ``room "Treatment room 1"``: conflict messages name what is taken."""
    kind, _, raw_id = key.partition(":")
    try:
        pk = int(raw_id)
    except ValueError:
        return key
    if kind == "provider":
        provider = Provider.objects.select_related("user").filter(pk=pk).first()
        return f"provider {provider}" if provider else key
    if kind == "room":
        room = Room.objects.filter(pk=pk).first()
        return f'room "{room.name}"' if room else key
    if kind == "device":
        device = Device.objects.filter(pk=pk).first()
        return f"{device.get_kind_display().lower()} {device}" if device else key
    if kind == "patient":
        return "the patient (another appointment of theirs)"
    return key


def describe_time(start: datetime.datetime, end: datetime.datetime, clinic: Clinic) -> str:
    local_start, local_end = start.astimezone(clinic.tzinfo), end.astimezone(clinic.tzinfo)
    return f"{local_start:%a %d %b %Y %H:%M}–{local_end:%H:%M} ({clinic.timezone})"


def find_conflict(clinic: Clinic, holds: Iterable[ResourceHold]) -> BookingConflict | None:
    """The first active hold overlapping any of ``holds``, as a conflict naming it."""
    wanted = list(holds)
    if not wanted:
        return None
    overlap = Q()
    for hold in wanted:
        overlap |= Q(resource=hold.resource, start__lt=hold.end, end__gt=hold.start)
    exclude_ids = {h.appointment_id for h in wanted if h.appointment_id is not None}
    taken = (
        ResourceHold.objects.filter(overlap, active=True)
        .exclude(appointment_id__in=exclude_ids)
        .order_by("start")
        .first()
    )
    if taken is None:
        return None
    return BookingConflict(
        f"Not booked: {describe_resource(taken.resource)} is already booked "
        f"{describe_time(taken.start, taken.end, clinic)}. Nothing was saved; "
        "propose again to get free times.",
        details=(taken.resource, taken.start.isoformat(), taken.end.isoformat()),
    )


MOVED_FIELDS = (
    "start",
    "end",
    "provider",
    "room",
    "sequence",
    "reminder_due_at",
    "reminder_claimed_at",
    "reminder_sent_at",
    "updated_at",
)


def move_appointment(appointment: Appointment, session: BookedSession) -> None:
    """Put the appointment at ``session``'s time, provider and room as a new version of it,
    so its reminder is due (and sent) again. The caller releases the old holds and writes
    the new ones (``write_holds``)."""
    moved_to(appointment, session, timezone.now())
    appointment.save(update_fields=MOVED_FIELDS)


def moved_to(appointment: Appointment, session: BookedSession, now: datetime.datetime) -> None:
    """``move_appointment`` without the write, for saving many moves in one statement."""
    appointment.start, appointment.end = session.start, session.end
    appointment.provider_id = int(session.provider_id)
    appointment.room_id = int(session.room_id)
    appointment.sequence = F("sequence") + 1
    appointment.reminder_due_at = reminder_due(session.start)
    appointment.reminder_claimed_at = None
    appointment.reminder_sent_at = None
    appointment.updated_at = now


def lock_providers(provider_ids: Iterable[int]) -> None:
    """Lock the providers' rows (in id order, so two lockers never wait on each other) for
    the rest of the transaction: booking with them and recording their absences take turns.
    ``no_key``: rows that merely point at a provider (a moved appointment) are not held up."""
    list(
        Provider.objects.select_for_update(no_key=True)
        .filter(pk__in=sorted(provider_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def write_holds(clinic: Clinic, holds: list[ResourceHold]) -> None:
    """Write the holds of booked or moved sessions, or raise the clash that stops them.

    SQLite: the check runs under the write lock taken at BEGIN, so it is final. PostgreSQL:
    it gives the clear message; the exclusion constraint is the guarantee."""
    conflict = find_conflict(clinic, holds)
    if conflict is not None:
        raise conflict
    ResourceHold.objects.bulk_create(holds)


def visit_of(appointment: Appointment) -> Visit:
    """The appointment as the life-cycle rules see it."""
    return Visit(
        VisitStatus(appointment.status),
        appointment.start,
        appointment.end,
        appointment.clinic.timezone,
    )
