"""Changes to the clinic set-up (rooms, devices). Validation happens before any write."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cit.clinic.facilities.models import Clinic, Device, Room


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
