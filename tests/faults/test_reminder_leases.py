"""Reminders at least once and never twice when workers die (issue 12, point 3).

A worker killed mid-task leaves its claim on the appointment and, per channel, the record of
the message it was sending. The claim is a lease (TASK_LEASE_SECONDS); each message has a
dedupe key (appointment, its sequence, channel) recorded before it is handed over and marked
sent after.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cit.clinic.appointments.models import Appointment
from cit.clinic.appointments.sms import LocmemSmsBackend
from cit.clinic.appointments.tasks import reminder_key, send_reminder
from cit.clinic.jobs.models import Channel, Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db

LEASE = 600


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.SMS_BACKEND = "cit.clinic.appointments.sms.LocmemSmsBackend"
    settings.TASK_LEASE_SECONDS = LEASE
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def appointment(booking_clinic: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    patient = make_patient(booking_clinic, phone="+44 7700 900123")
    return Appointment.objects.filter(series=book(make_plan(patient))).order_by("number").first()


def _claimed(appointment: Any, seconds_ago: int) -> None:
    claimed_at = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    Appointment.objects.filter(pk=appointment.pk).update(reminder_claimed_at=claimed_at)


def _recorded(appointment: Any, channel: Channel, status: str, seconds_ago: int) -> None:
    Delivery.objects.create(
        key=f"{reminder_key(appointment.pk, appointment.sequence)}:{channel}",
        kind="reminder",
        channel=channel,
        clinic=appointment.clinic,
        patient=appointment.patient,
        status=status,
        attempts=1,
        claimed_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
    )


def test_a_claim_whose_worker_died_is_taken_over_after_the_lease(appointment: Any) -> None:
    _claimed(appointment, seconds_ago=LEASE + 60)
    assert send_reminder.call(appointment.pk, appointment.sequence) == "sent"
    assert len(mail.outbox) == 1
    assert len(LocmemSmsBackend.outbox) == 1
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is not None


def test_a_live_claim_is_left_to_its_worker(appointment: Any) -> None:
    _claimed(appointment, seconds_ago=60)
    assert send_reminder.call(appointment.pk, appointment.sequence).startswith("skipped")
    assert mail.outbox == []
    assert LocmemSmsBackend.outbox == []


def test_a_sent_reminder_is_not_sent_again_when_its_claim_is_old(appointment: Any) -> None:
    assert send_reminder.call(appointment.pk, appointment.sequence) == "sent"
    _claimed(appointment, seconds_ago=LEASE * 10)
    assert send_reminder.call(appointment.pk, appointment.sequence).startswith("skipped")
    assert len(mail.outbox) == 1
    assert len(LocmemSmsBackend.outbox) == 1


def test_a_message_recorded_sent_before_the_worker_died_is_not_sent_again(
    appointment: Any,
) -> None:
    # Killed after the e-mail went out and was recorded, before the text message.
    _claimed(appointment, seconds_ago=LEASE + 60)
    _recorded(appointment, Channel.EMAIL, DeliveryStatus.SENT, seconds_ago=LEASE + 60)
    assert send_reminder.call(appointment.pk, appointment.sequence) == "sent"
    assert mail.outbox == []
    assert len(LocmemSmsBackend.outbox) == 1


def test_a_send_interrupted_mid_call_is_sent_again_under_the_same_key(appointment: Any) -> None:
    # Killed while the mail server had the message: outcome unknown, so it goes again,
    # with the Message-ID fixed by the key.
    _claimed(appointment, seconds_ago=LEASE + 60)
    _recorded(appointment, Channel.EMAIL, DeliveryStatus.SENDING, seconds_ago=LEASE + 60)
    assert send_reminder.call(appointment.pk, appointment.sequence) == "sent"
    assert len(mail.outbox) == 1
    key = f"reminder:{appointment.pk}:{appointment.sequence}:email"
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<reminder.{appointment.pk}.")
    delivery = Delivery.objects.get(key=key)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


def test_a_failed_channel_is_retried_alone(
    appointment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def sms_down(self: Any, to: str, body: str) -> None:
        raise ConnectionError("SMS gateway down")

    monkeypatch.setattr(LocmemSmsBackend, "send", sms_down)
    with pytest.raises(ConnectionError):
        send_reminder.call(appointment.pk, appointment.sequence)
    failed = Delivery.objects.get(channel=Channel.SMS)
    assert (failed.status, failed.last_error) == (DeliveryStatus.FAILED, "ConnectionError")
    monkeypatch.undo()
    assert send_reminder.call(appointment.pk, appointment.sequence) == "sent"
    assert len(mail.outbox) == 1, "the e-mail went out on the first try and not again"
    assert len(LocmemSmsBackend.outbox) == 1
