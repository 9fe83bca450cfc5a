"""The sweep: tasks stuck RUNNING by a dead worker are failed and enqueued again, overdue
unsent reminders go back to the queue, and the next sweep is always scheduled."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail, management
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cit.clinic.appointments.models import Appointment
from cit.clinic.appointments.sms import LocmemSmsBackend
from cit.clinic.appointments.tasks import (
    reminder_key,
    requeue_unsent_reminders,
    schedule_sweep,
    send_reminder,
    sweep_stuck_work,
)
from cit.clinic.jobs.models import Channel, Delivery, DeliveryStatus
from cit.clinic.jobs.recovery import WORKER_LOST, recover_stuck_tasks

pytestmark = pytest.mark.django_db

LEASE, STUCK = 600, 1800


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.SMS_BACKEND = "cit.clinic.appointments.sms.LocmemSmsBackend"
    settings.TASK_LEASE_SECONDS = LEASE
    settings.TASK_STUCK_AFTER_SECONDS = STUCK
    settings.TASK_MAX_RECOVERIES = 2
    settings.DELIVERY_MAX_ATTEMPTS = 3
    LocmemSmsBackend.outbox.clear()


def _ago(seconds: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def _running(appointment: Any, started_seconds_ago: int) -> DBTaskResult:
    """The row a worker took (RUNNING) for this appointment's reminder, started then."""
    result = send_reminder.enqueue(appointment.pk, appointment.sequence)
    row = DBTaskResult.objects.get(pk=result.id)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.RUNNING, started_at=_ago(started_seconds_ago)
    )
    return row


@pytest.fixture
def appointments(booking_clinic: Any, make_patient: Any, make_plan: Any, book: Any) -> list[Any]:
    patient = make_patient(booking_clinic, phone="+44 7700 900123")
    series = book(make_plan(patient, sessions=4))
    rows = list(Appointment.objects.filter(series=series).order_by("number"))
    # Every reminder fell due an hour ago.
    Appointment.objects.filter(series=series).update(reminder_due_at=_ago(3600))
    DBTaskResult.objects.all().delete()
    return rows


def test_a_task_stuck_running_is_failed_and_enqueued_again(appointments: list[Any]) -> None:
    stuck = _running(appointments[0], started_seconds_ago=STUCK + 60)
    busy = _running(appointments[1], started_seconds_ago=60)
    assert recover_stuck_tasks() == {"failed": 1, "requeued": 1}
    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert (stuck.status, stuck.exception_class_path) == (TaskResultStatus.FAILED, WORKER_LOST)
    assert busy.status == TaskResultStatus.RUNNING
    again = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert again.args_kwargs == stuck.args_kwargs
    assert again.task_path == stuck.task_path


def test_a_task_that_keeps_losing_its_worker_is_enqueued_only_so_often(
    appointments: list[Any],
) -> None:
    # TASK_MAX_RECOVERIES = 2: the third loss leaves it failed, for the admin page.
    requeued = []
    for _ in range(3):
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).delete()
        _running(appointments[0], started_seconds_ago=STUCK + 60)
        requeued.append(recover_stuck_tasks()["requeued"])
    assert requeued == [1, 1, 0]


def test_overdue_unsent_reminders_go_back_to_the_queue(appointments: list[Any]) -> None:
    first, second, third, fourth = appointments
    send_reminder.call(first.pk, first.sequence)  # sent: stays sent
    Appointment.objects.filter(pk=second.pk).update(reminder_claimed_at=_ago(LEASE + 60))
    Appointment.objects.filter(pk=third.pk).update(reminder_claimed_at=_ago(60))  # live claim
    # The fourth's e-mail failed DELIVERY_MAX_ATTEMPTS times: left to staff.
    Delivery.objects.create(
        key=f"{reminder_key(fourth.pk, fourth.sequence)}:{Channel.EMAIL}",
        kind="reminder",
        channel=Channel.EMAIL,
        clinic=fourth.clinic,
        patient=fourth.patient,
        status=DeliveryStatus.FAILED,
        attempts=3,
    )
    DBTaskResult.objects.all().delete()
    assert requeue_unsent_reminders() == 1
    row = DBTaskResult.objects.get()
    assert row.args_kwargs["args"] == [second.pk, second.sequence]
    assert requeue_unsent_reminders() == 0, "its task is waiting already: no second one"


def test_the_sweep_schedules_the_next_one_once(appointments: list[Any], settings: Any) -> None:
    settings.TASK_SWEEP_SECONDS = 300
    schedule_sweep()
    schedule_sweep()
    assert DBTaskResult.objects.filter(task_path=sweep_stuck_work.module_path).count() == 1
    DBTaskResult.objects.all().delete()
    before = timezone.now()
    sweep_stuck_work.call()
    row = DBTaskResult.objects.get(task_path=sweep_stuck_work.module_path)
    assert row.run_after >= before + datetime.timedelta(seconds=300)


@pytest.mark.django_db(transaction=True)
def test_a_dead_worker_s_reminders_all_go_out_once(appointments: list[Any]) -> None:
    """What a SIGKILL leaves, one state per reminder, then a sweep and a worker run:
    1: taken (RUNNING) but not yet claimed; 2: claimed, nothing sent; 3: the e-mail sent and
    recorded, the SMS not; 4: already fully sent before the kill (its task RUNNING)."""
    first, second, third, fourth = appointments
    _running(first, STUCK + 60)
    _running(second, STUCK + 60)
    Appointment.objects.filter(pk=second.pk).update(reminder_claimed_at=_ago(STUCK + 60))
    _running(third, STUCK + 60)
    Appointment.objects.filter(pk=third.pk).update(reminder_claimed_at=_ago(STUCK + 60))
    Delivery.objects.create(
        key=f"{reminder_key(third.pk, third.sequence)}:{Channel.EMAIL}",
        kind="reminder",
        channel=Channel.EMAIL,
        clinic=third.clinic,
        patient=third.patient,
        status=DeliveryStatus.SENT,
        attempts=1,
    )
    assert send_reminder.call(fourth.pk, fourth.sequence) == "sent"
    _running(fourth, STUCK + 60)
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()

    sweep_stuck_work.call()
    management.call_command(
        "db_worker", "--batch", "--queue-name", "reminders", "--no-startup-delay", verbosity=0
    )
    # E-mails: 1 and 2 (3's went before the kill, 4 was done); texts: 1, 2 and 3.
    assert len(mail.outbox) == 2
    assert len(LocmemSmsBackend.outbox) == 3
    sent = Appointment.objects.filter(pk__in=[a.pk for a in appointments])
    assert all(a.reminder_sent_at is not None for a in sent)


@pytest.mark.django_db
def test_the_sweep_deletes_expired_oauth_tokens_and_keeps_live_ones(settings: Any) -> None:
    from oauth2_provider.models import AccessToken, Application

    settings.TASK_SWEEP_SECONDS = 300
    application = Application.objects.create(
        name="EHR",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
    )
    now = timezone.now()
    for token, expires in (
        ("old", now - datetime.timedelta(minutes=1)),
        ("live", now + datetime.timedelta(hours=1)),
    ):
        AccessToken.objects.create(
            application=application, token=token, expires=expires, scope="system/*.rs"
        )
    counts = sweep_stuck_work.call()
    assert counts["expired_tokens_removed"] == 1
    assert list(AccessToken.objects.values_list("token", flat=True)) == ["live"]
