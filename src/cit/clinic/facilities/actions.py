"""Changes to the clinic set-up (rooms, devices). Validation happens before any write."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.appointments.schedule_index import note_setup_changed
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.facilities.models import Clinic, ClosureDay, Device, OpeningHours, Room


@transaction.atomic
def do_add_room(*, clinic: Clinic, name: str) -> Room:
    room = Room(clinic=clinic, name=name)
    room.full_clean()
    room.save()
    note_setup_changed(clinic.pk)
    return room


@transaction.atomic
def do_add_device(*, clinic: Clinic, **fields: Any) -> Device:
    device = Device(clinic=clinic, **fields)
    device.full_clean()
    device.save()
    note_setup_changed(clinic.pk)
    return device


def do_add_closure_day(
    *,
    actor: User,
    clinic: Clinic,
    date: datetime.date,
    name: str,
    repeats_yearly: bool = False,
    request: HttpRequest | None = None,
) -> ClosureDay:
    """Close the clinic on ``date`` (every year when ``repeats_yearly``). Sessions already
    booked on it are not moved here: the closures page lists them for the desk to move."""
    closure = ClosureDay(clinic=clinic, date=date, name=name.strip(), repeats_yearly=repeats_yearly)
    closure.full_clean()
    try:
        with transaction.atomic():
            closure.save()
            record_event(
                request,
                AuditAction.CREATE,
                actor=actor,
                obj=closure,
                detail={"date": date.isoformat(), "yearly": repeats_yearly, "name": closure.name},
            )
            note_setup_changed(clinic.pk)
    except IntegrityError:
        raise ValidationError({"date": "This date is already a closure day."}) from None
    return closure


@transaction.atomic
def do_remove_closure_day(
    *, actor: User, closure: ClosureDay, request: HttpRequest | None = None
) -> ClosureDay:
    """Open again on that date: the closure is archived, never deleted."""
    closure.archive()
    record_event(
        request,
        AuditAction.ARCHIVE,
        actor=actor,
        obj=closure,
        detail={"date": closure.date.isoformat(), "yearly": closure.repeats_yearly},
    )
    note_setup_changed(closure.clinic_id)
    return closure


def _future_holds(clinic: Clinic, key: str) -> int:
    from cit.clinic.appointments.models import ResourceHold

    return ResourceHold.objects.filter(
        clinic=clinic, resource=key, active=True, end__gt=timezone.now()
    ).count()


@transaction.atomic
def do_update_resource(
    *, actor: User, resource: Room | Device, changes: dict[str, Any], request: HttpRequest | None
) -> Room | Device:
    """Edit a room's or device's details (validated before the write; audited)."""
    locked: Room | Device = type(resource).objects.select_for_update().get(pk=resource.pk)
    changed = sorted(name for name, value in changes.items() if getattr(locked, name) != value)
    for name in changed:
        setattr(locked, name, changes[name])
    locked.full_clean()
    if changed:
        locked.save(update_fields=changed)
    record_event(request, AuditAction.UPDATE, actor=actor, obj=locked, detail={"fields": changed})
    if changed:
        note_setup_changed(locked.clinic_id)
    return locked


@transaction.atomic
def do_retire_resource(
    *, actor: User, resource: Room | Device, request: HttpRequest | None
) -> Room | Device:
    """Retire (archive) a room or device: no longer offered for booking or charting.
    Refused while booked appointments still hold it; they must be moved first."""
    locked: Room | Device = type(resource).objects.select_for_update().get(pk=resource.pk)
    kind = "room" if isinstance(locked, Room) else "device"
    held = _future_holds(locked.clinic, f"{kind}:{locked.pk}")
    if held:
        raise ValidationError(
            f"{held} booked appointment(s) still use this {kind}; move them first, then retire it."
        )
    locked.archive()
    record_event(request, AuditAction.ARCHIVE, actor=actor, obj=locked)
    note_setup_changed(locked.clinic_id)
    return locked


@transaction.atomic
def do_set_opening_hours(
    *,
    actor: User,
    clinic: Clinic,
    hours: dict[int, list[tuple[datetime.time, datetime.time]]],
    request: HttpRequest | None = None,
) -> int:
    """Replace the clinic's weekly opening hours (local time; audited). Returns how many
    booked appointments from now on fall outside the new hours: they stay booked and are
    for the desk to move."""
    from cit.clinic.appointments.models import Appointment, AppointmentStatus

    Clinic.objects.select_for_update().get(pk=clinic.pk)
    # Opening hours are set-up, not patient records: they are replaced, and the audit event
    # keeps the week before and after.
    before: dict[str, list[str]] = {}
    for period in OpeningHours.objects.filter(clinic=clinic):
        before.setdefault(str(period.weekday), []).append(
            f"{period.opens:%H:%M}-{period.closes:%H:%M}"
        )
    OpeningHours.objects.filter(clinic=clinic).delete()
    rows = [
        OpeningHours(clinic=clinic, weekday=weekday, opens=opens, closes=closes)
        for weekday, windows in hours.items()
        for opens, closes in windows
    ]
    for row in rows:
        row.full_clean()
    OpeningHours.objects.bulk_create(rows)
    record_event(
        request,
        AuditAction.UPDATE,
        actor=actor,
        obj=clinic,
        detail={
            "before": before,
            "opening_hours": {
                str(day): [f"{o:%H:%M}-{c:%H:%M}" for o, c in windows]
                for day, windows in hours.items()
            },
        },
    )
    note_setup_changed(clinic.pk)
    outside = 0
    for appointment in Appointment.objects.filter(
        clinic=clinic, status=AppointmentStatus.BOOKED, start__gte=timezone.now()
    ):
        start = appointment.start.astimezone(clinic.tzinfo)
        end = appointment.end.astimezone(clinic.tzinfo)
        windows = hours.get(start.weekday(), [])
        if start.date() != end.date() or not any(
            opens <= start.time() and end.time() <= closes for opens, closes in windows
        ):
            outside += 1
    return outside


@transaction.atomic
def do_set_consultation_settings(
    *,
    actor: User,
    clinic: Clinic,
    minutes: int,
    roles: list[str],
    request: HttpRequest | None = None,
) -> Clinic:
    """The consultation length and the roles that hold them (audited, before and after).
    Consultations already booked keep their time."""
    locked: Clinic = Clinic.objects.select_for_update().get(pk=clinic.pk)
    before = {"minutes": locked.consultation_minutes, "roles": list(locked.consultation_roles)}
    locked.consultation_minutes = minutes
    locked.consultation_roles = sorted(set(roles))
    locked.full_clean()
    locked.save(update_fields=["consultation_minutes", "consultation_roles"])
    record_event(
        request,
        AuditAction.UPDATE,
        actor=actor,
        obj=locked,
        detail={
            "consultations": {
                "before": before,
                "after": {"minutes": minutes, "roles": locked.consultation_roles},
            }
        },
    )
    return locked
