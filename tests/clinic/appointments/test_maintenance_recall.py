"""The maintenance recall: when the window opens the patient gets one email (with the window
as an .ics) and one SMS; never twice for a window, never once maintenance is booked, never
for an archived patient; early, the task waits for the window's first morning."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from cit.clinic.appointments.models import Appointment, MaintenanceRecall, SeriesBooking
from cit.clinic.appointments.recall import recall_series
from cit.clinic.appointments.sms import LocmemSmsBackend
from cit.clinic.patients.actions import do_archive_patient
from tests.clinic.appointments.maintenance_support import finish_series

pytestmark = pytest.mark.django_db
LAST = datetime.date(2026, 3, 10)  # window 10 July – 10 September 2026, target 10 September


@pytest.fixture(autouse=True)
def _sms_in_memory(settings: Any) -> None:
    settings.SMS_BACKEND = "cit.clinic.appointments.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def finished(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    patient = make_patient(booking_clinic, phone="+44 7700 900123")
    series = book(make_plan(patient))
    finish_series(series, LAST)
    return series


def _on(clinic: Any, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=clinic.tzinfo)


def test_sent_once_when_the_window_is_open(booking_clinic: Any, finished: Any) -> None:
    now = _on(booking_clinic, datetime.date(2026, 7, 10))
    assert recall_series(finished.plan.pk, 0, now=now) == "sent"
    assert recall_series(finished.plan.pk, 0, now=now).startswith("skipped")
    assert recall_series(finished.plan.pk, 0, now=now + datetime.timedelta(days=3)).startswith(
        "skipped"
    )
    [message] = mail.outbox
    assert message.to == [finished.patient.email]
    # The window in the clinic's date format.
    assert "Fri 10 Jul 2026" in message.body
    assert "Thu 10 Sep 2026" in message.body
    [(name, ics, mimetype)] = message.attachments
    assert mimetype == "text/calendar"
    text = ics.decode() if isinstance(ics, bytes) else ics
    assert "DTSTART;VALUE=DATE:20260710" in text
    assert "DTEND;VALUE=DATE:20260911" in text  # all-day: the day after the last
    [(phone, sms)] = LocmemSmsBackend.outbox
    assert phone == "+44 7700 900123"
    assert "Fri 10 Jul 2026" in sms
    recall = MaintenanceRecall.objects.get()
    assert recall.window_opens == datetime.date(2026, 7, 10)
    assert recall.sent_at is not None


def test_early_it_waits_for_the_window(booking_clinic: Any, finished: Any) -> None:
    now = _on(booking_clinic, datetime.date(2026, 6, 1))
    assert recall_series(finished.plan.pk, 0, now=now).startswith("deferred")
    assert mail.outbox == []
    task = DBTaskResult.objects.filter(task_path__endswith="send_maintenance_recall").latest(
        "enqueued_at"
    )
    assert task.run_after == datetime.datetime(2026, 7, 10, 9, 0, tzinfo=booking_clinic.tzinfo)


def test_not_after_the_window(booking_clinic: Any, finished: Any) -> None:
    now = _on(booking_clinic, datetime.date(2026, 9, 11))
    assert recall_series(finished.plan.pk, 0, now=now).startswith("skipped")
    assert mail.outbox == []


def test_not_for_an_archived_patient(booking_clinic: Any, finished: Any, desk: Any) -> None:
    do_archive_patient(actor=desk, patient=finished.patient)
    now = _on(booking_clinic, datetime.date(2026, 7, 20))
    assert recall_series(finished.plan.pk, 0, now=now).startswith("skipped")
    assert mail.outbox == []
    assert LocmemSmsBackend.outbox == []


def test_not_once_maintenance_is_booked(booking_clinic: Any, finished: Any) -> None:
    first = Appointment.objects.filter(series=finished).first()
    maintenance = SeriesBooking.objects.create(
        clinic=booking_clinic,
        patient=finished.patient,
        plan=finished.plan,
        series_index=0,
        kind="maintenance",
        request=finished.request,
    )
    start = _on(booking_clinic, datetime.date(2026, 8, 3))
    Appointment.objects.create(
        clinic=booking_clinic,
        patient=finished.patient,
        series=maintenance,
        number=1,
        provider=first.provider,
        room=first.room,
        start=start,
        end=start + datetime.timedelta(hours=1),
    )
    now = _on(booking_clinic, datetime.date(2026, 7, 20))
    result = recall_series(finished.plan.pk, 0, now=now)
    assert not result.startswith("sent")
    assert mail.outbox == []
    assert not MaintenanceRecall.objects.exists()


def test_booking_a_series_enqueues_its_recall_for_the_window(
    booking_clinic: Any,
    nurse: Any,
    make_patient: Any,
    make_plan: Any,
    book: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        series = book(make_plan(make_patient(booking_clinic)))
    last = Appointment.objects.filter(series=series).order_by("-start").first()
    last_day = last.local_start().date()
    task = DBTaskResult.objects.get(task_path__endswith="send_maintenance_recall")
    opens = task.run_after.astimezone(booking_clinic.tzinfo)
    # Four months after the last session (same day of month, or the month's last day).
    months = (opens.year - last_day.year) * 12 + opens.month - last_day.month
    assert months == 4
    assert opens.time() == datetime.time(9, 0)
    assert opens.day == last_day.day or (last_day.day > 28 and opens.day >= 28)


def test_the_daily_sweep_recalls_each_open_window_once(
    booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    from io import StringIO

    from django.core import management

    open_now = book(
        make_plan(make_patient(booking_clinic, given_name="Open", email="open@example.com"))
    )
    finish_series(open_now, booking_clinic.today() - datetime.timedelta(days=150))
    not_yet = book(
        make_plan(make_patient(booking_clinic, given_name="Later", email="later@example.com"))
    )
    finish_series(not_yet, booking_clinic.today() - datetime.timedelta(days=30))
    out = StringIO()
    management.call_command("recall_maintenance", stdout=out)
    assert out.getvalue().startswith("1 maintenance recall(s) sent")
    assert [m.to for m in mail.outbox] == [["open@example.com"]]
    management.call_command("recall_maintenance", stdout=out)
    assert len(mail.outbox) == 1


def test_a_recall_whose_worker_died_is_sent_after_the_lease(
    booking_clinic: Any, finished: Any, settings: Any
) -> None:
    settings.TASK_LEASE_SECONDS = 600
    now = _on(booking_clinic, datetime.date(2026, 7, 10))
    assert recall_series(finished.plan.pk, 0, now=now) == "sent"
    recall = MaintenanceRecall.objects.get()
    # As if the worker had died before recording the send: unsent, claimed long ago.
    MaintenanceRecall.objects.filter(pk=recall.pk).update(
        sent_at=None, claimed_at=now - datetime.timedelta(seconds=601)
    )
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()
    assert recall_series(finished.plan.pk, 0, now=now) == "sent"
    # Both messages were recorded as sent the first time: nothing goes out twice.
    assert mail.outbox == []
    assert LocmemSmsBackend.outbox == []
    assert MaintenanceRecall.objects.get().sent_at is not None


def test_the_recall_writes_dates_the_clinics_way(booking_clinic: Any, finished: Any) -> None:
    booking_clinic.date_order = "mdy"
    booking_clinic.save(update_fields=["date_order"])
    now = _on(booking_clinic, datetime.date(2026, 7, 10))
    assert recall_series(finished.plan.pk, 0, now=now) == "sent"
    # Window 10 July - 10 September 2026 (see LAST), month first.
    assert "between Fri Jul 10, 2026 and Thu Sep 10, 2026" in mail.outbox[0].body
