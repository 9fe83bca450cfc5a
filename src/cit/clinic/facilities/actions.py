"""Changes to the clinic set-up (rooms, devices). Validation happens before any write."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.facilities.models import Clinic, ClosureDay, Device, Room


@transaction.atomic
def do_add_room(*, clinic: Clinic, name: str) -> Room:
    room = Room(clinic=clinic, name=name)
    room.full_clean()
    room.save()
    return room


@transaction.atomic
def do_add_device(*, clinic: Clinic, **fields: Any) -> Device:
    device = Device(clinic=clinic, **fields)
    device.full_clean()
    device.save()
    return device


def do_add_closure_day(
    *,
    actor: Any,
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
    except IntegrityError:
        raise ValidationError({"date": "This date is already a closure day."}) from None
    return closure


@transaction.atomic
def do_remove_closure_day(
    *, actor: Any, closure: ClosureDay, request: HttpRequest | None = None
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
    return closure
