"""Reminders: enqueued on commit to run REMINDER_HOURS_BEFORE the session, sent by the
database-backed worker, exactly once even when the task runs twice or concurrently."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.core import mail, management
from django.db import connections
from django_tasks_db.models import DBTaskResult

from cit.clinic.appointments.models import Appointment
from cit.clinic.appointments.moves import do_cancel_session, do_move_session
from cit.clinic.appointments.reminders import schedule_reminders
from cit.clinic.appointments.sms import LocmemSmsBackend
from cit.clinic.appointments.tasks import send_reminder


@pytest.fixture(autouse=True)
def _sms_in_memory(settings: Any) -> None:
    settings.SMS_BACKEND = "cit.clinic.appointments.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def series(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    patient = make_patient(booking_clinic, phone="+44 7700 900123")
    return book(make_plan(patient))


@pytest.mark.django_db
def test_booking_enqueues_one_deferred_task_per_session(
    booking_clinic: Any,
    nurse: Any,
    make_patient: Any,
    make_plan: Any,
    book: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.REMINDER_HOURS_BEFORE = 48
    with django_capture_on_commit_callbacks(execute=True):
        series = book(make_plan(make_patient(booking_clinic)))
    tasks = list(DBTaskResult.objects.filter(task_path__endswith="send_reminder"))
    appointments = list(Appointment.objects.filter(series=series).order_by("pk"))
    assert len(tasks) == len(appointments) == 4
    due = sorted(t.run_after for t in tasks)
    assert due == [a.start - datetime.timedelta(hours=48) for a in appointments]
    assert all(a.reminder_due_at == a.start - datetime.timedelta(hours=48) for a in appointments)


@pytest.mark.django_db
def test_running_the_task_twice_sends_once(series: Any) -> None:
    first = Appointment.objects.get(series=series, number=1)
    assert send_reminder.call(first.pk, first.sequence) == "sent"
    assert send_reminder.call(first.pk, first.sequence).startswith("skipped")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [first.patient.email]
    assert message.attachments[0][2] == "text/calendar"
    assert len(LocmemSmsBackend.outbox) == 1
    first.refresh_from_db()
    assert first.reminder_sent_at is not None
    assert first.reminder_sequence == 0


@pytest.mark.django_db
def test_cancelled_or_moved_sessions_get_the_right_reminder(series: Any, desk: Any) -> None:
    first, second = Appointment.objects.filter(series=series).order_by("number")[:2]
    do_cancel_session(actor=desk, appointment=first)
    assert send_reminder.call(first.pk, 0).startswith("skipped")
    do_move_session(
        actor=desk, appointment=second, new_start=second.start + datetime.timedelta(days=7)
    )
    second.refresh_from_db()
    assert send_reminder.call(second.pk, 0).startswith("skipped"), "stale: booked before move"
    assert send_reminder.call(second.pk, second.sequence) == "sent"
    assert len(mail.outbox) == 1
    when = second.local_start()
    assert f"{when.day} {when:%b} at {when:%H:%M}" in mail.outbox[0].subject


@pytest.mark.django_db
def test_a_failed_delivery_can_be_retried(series: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Appointment.objects.get(series=series, number=1)

    def broken(*args: Any, **kwargs: Any) -> int:
        raise ConnectionError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with pytest.raises(ConnectionError):
        send_reminder.call(first.pk, first.sequence)
    monkeypatch.undo()
    assert send_reminder.call(first.pk, first.sequence) == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_exactly_once(
    booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    series = book(make_plan(make_patient(booking_clinic)))
    first = Appointment.objects.get(series=series, number=1)
    barrier = threading.Barrier(10)
    results: list[str] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(send_reminder.call(first.pk, first.sequence))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results.count("sent") == 1
    assert len(results) == 10
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_sends_due_reminders_once(
    booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any, settings: Any
) -> None:
    # Sessions are at most 13 weeks away: with a 120-day lead every reminder is due now.
    settings.REMINDER_HOURS_BEFORE = 24 * 120
    series = book(make_plan(make_patient(booking_clinic)))  # on_commit ran: tasks enqueued
    ids = list(Appointment.objects.filter(series=series).values_list("pk", flat=True))
    schedule_reminders(ids)  # a duplicate enqueue, as after a restart
    # (The series' maintenance recall is enqueued too, for months later.)
    assert DBTaskResult.objects.filter(task_path__endswith="send_reminder").count() == 8
    management.call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay")
    # Besides the booking's calendar invitations (tests/clinic/appointments/test_invitations.py).
    reminders = [m for m in mail.outbox if m.subject.startswith("Your appointment on")]
    assert len(reminders) == 4
    assert Appointment.objects.filter(reminder_sent_at__isnull=False).count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("order", "subject_date", "body_date"),
    [
        # Written by hand from each order: day first, or month first with a comma.
        ("dmy", "{d} {b}", "{A} {d} {B} {Y}"),
        ("mdy", "{b} {d}", "{A}, {B} {d}, {Y}"),
    ],
)
def test_the_reminder_writes_the_date_in_the_clinics_order(
    series: Any, booking_clinic: Any, order: str, subject_date: str, body_date: str
) -> None:
    booking_clinic.date_order = order
    booking_clinic.save(update_fields=["date_order"])
    first = Appointment.objects.get(series=series, number=1)
    assert send_reminder.call(first.pk, first.sequence) == "sent"
    when = first.local_start()
    parts = {"d": when.day, "b": f"{when:%b}", "A": f"{when:%A}", "B": f"{when:%B}", "Y": when.year}
    message = mail.outbox[0]
    assert f"Your appointment on {subject_date.format(**parts)} at {when:%H:%M}" == message.subject
    assert f"on {body_date.format(**parts)} at {when:%H:%M} (" in message.body
