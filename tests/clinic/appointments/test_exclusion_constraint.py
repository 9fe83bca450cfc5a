"""PostgreSQL refuses two active holds of one resource over overlapping times, whatever the
application does; back-to-back holds, released holds and other resources are fine."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from cit.clinic.appointments.models import (
    Appointment,
    ResourceHold,
    SeriesBooking,
)

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2030, 3, 4, 9, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def appointment(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any) -> Appointment:
    plan = make_plan(make_patient(booking_clinic))
    series = SeriesBooking.objects.create(
        clinic=booking_clinic, patient=plan.patient, plan=plan, series_index=0, request={}
    )
    return Appointment.objects.create(
        clinic=booking_clinic,
        patient=plan.patient,
        series=series,
        number=1,
        provider=nurse.provider,
        room=booking_clinic.rooms.first(),
        start=T0,
        end=T0 + HOUR,
    )


def _hold(appointment: Appointment, resource: str, start: datetime.datetime, **extra: Any) -> Any:
    return ResourceHold.objects.create(
        clinic=appointment.clinic,
        appointment=appointment,
        kind=resource.split(":")[0],
        resource=resource,
        start=start,
        end=start + HOUR,
        **extra,
    )


def test_overlapping_active_holds_are_refused_by_postgresql(appointment: Appointment) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    _hold(appointment, "room:1", T0)
    with pytest.raises(IntegrityError, match="hold_no_overlap_per_resource"), transaction.atomic():
        _hold(appointment, "room:1", T0 + HOUR / 2)
    # Back to back ([) ranges), another resource, or a released hold: all allowed.
    _hold(appointment, "room:1", T0 + HOUR)
    _hold(appointment, "room:2", T0)
    _hold(appointment, "room:1", T0 + HOUR / 4, active=False)
    assert ResourceHold.objects.filter(resource="room:1", active=True).count() == 2


def test_releasing_a_hold_frees_the_slot(appointment: Appointment) -> None:
    first = _hold(appointment, "device:9", T0)
    ResourceHold.objects.filter(pk=first.pk).update(active=False)
    _hold(appointment, "device:9", T0)
    assert ResourceHold.objects.filter(resource="device:9").count() == 2


def test_the_constraint_is_only_declared_where_it_can_exist() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, ResourceHold._meta.db_table)
    present = "hold_no_overlap_per_resource" in constraints
    assert present == (connection.vendor == "postgresql")


def test_holds_are_never_deleted(appointment: Appointment) -> None:
    from cit.clinic.archive import HardDeleteRefused

    hold = _hold(appointment, "room:5", T0)
    with pytest.raises(HardDeleteRefused):
        hold.delete()
    with pytest.raises(HardDeleteRefused):
        ResourceHold.objects.all().delete()
    with pytest.raises(HardDeleteRefused):
        appointment.delete()
