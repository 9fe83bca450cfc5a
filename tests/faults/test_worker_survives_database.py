"""The worker survives its database (issue 12, point 4): a database error in the worker's
loop closes the broken connection, waits with a growing back-off and carries on; the task
enqueued before the outage is then done."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail, management
from django.db import InterfaceError, OperationalError
from django_tasks_db.models import DBTaskResultQuerySet

from cit.clinic.appointments.models import Appointment
from cit.clinic.appointments.tasks import send_reminder


@pytest.fixture
def due_reminder(booking_clinic: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    appointment = Appointment.objects.filter(
        series=book(make_plan(make_patient(booking_clinic)))
    ).first()
    send_reminder.enqueue(appointment.pk, appointment.sequence)
    return appointment


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
    ],
)
def test_the_worker_waits_reconnects_and_carries_on(
    due_reminder: Any, error: Exception, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.WORKER_DB_RETRY_SECONDS = 1
    settings.WORKER_DB_RETRY_MAX_SECONDS = 60
    outage = [error, error, error]
    real_get_locked = DBTaskResultQuerySet.get_locked

    def get_locked(self: Any) -> Any:
        if outage:
            raise outage.pop()
        return real_get_locked(self)

    waits: list[float] = []
    closed: list[bool] = []
    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", get_locked)
    monkeypatch.setattr("cit.clinic.jobs.management.commands.db_worker.time.sleep", waits.append)
    real_close = "cit.clinic.jobs.management.commands.db_worker.close_broken_connections"
    monkeypatch.setattr(real_close, lambda: closed.append(True))

    management.call_command(
        "db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", verbosity=0
    )

    # Three failures: three waits of 1, 2 and 4 s, a fresh connection each time.
    assert waits == [1, 2, 4]
    assert len(closed) == 3
    assert len(_reminders()) == 1, "the reminder enqueued before the outage went out"
    due_reminder.refresh_from_db()
    assert due_reminder.reminder_sent_at is not None


def _reminders() -> list[Any]:
    # Booking also e-mails the calendar invitations (tests/clinic/appointments/test_invitations.py).
    return [m for m in mail.outbox if m.subject.startswith("Your appointment on")]


@pytest.mark.django_db(transaction=True)
def test_the_back_off_stops_growing_at_its_maximum(
    due_reminder: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.WORKER_DB_RETRY_SECONDS = 10
    settings.WORKER_DB_RETRY_MAX_SECONDS = 30
    outage = [OperationalError("the database system is starting up")] * 4
    real_get_locked = DBTaskResultQuerySet.get_locked

    def get_locked(self: Any) -> Any:
        if outage:
            raise outage.pop()
        return real_get_locked(self)

    waits: list[float] = []
    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", get_locked)
    monkeypatch.setattr("cit.clinic.jobs.management.commands.db_worker.time.sleep", waits.append)
    management.call_command(
        "db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", verbosity=0
    )
    assert waits == [10, 20, 30, 30]
    assert len(_reminders()) == 1
