"""Signing a session schedules its diary check-ins (days 1, 2, 3, 5, 7, 14 at the send hour,
missed a day later; a pigment check at 4-6 weeks for Fitzpatrick IV-VI), each sent once by
email and SMS when due; the first message carries the aftercare by day."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cit.clinic.appointments.sms import LocmemSmsBackend
from cit.clinic.charting.sessions import do_chart_zone, do_record_product, do_sign_note
from cit.clinic.intake.actions import do_record_intake
from cit.clinic.jobs.models import Channel, Delivery, DeliveryStatus
from cit.clinic.recovery.actions import schedule_check_ins
from cit.clinic.recovery.models import CheckIn
from cit.clinic.recovery.tasks import send_check_in
from tests.clinic.charting.conftest import intake


def local(note: Any, day: int, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(
        note.session_date + datetime.timedelta(days=day),
        datetime.time(hour),
        tzinfo=note.patient.clinic.tzinfo,
    )


def sign(note: Any, nurse: Any, lot: Any) -> Any:
    do_chart_zone(
        actor=nurse,
        note=note,
        zone="cheeks",
        depth_mm="1.0",
        passes=3,
        endpoint="pinpoint_bleeding",
    )
    do_record_product(actor=nurse, note=note, lot=lot, purpose="needle_cartridge")
    return do_sign_note(actor=nurse, note=note)


@pytest.mark.django_db
def test_signing_schedules_six_check_ins_and_enqueues_them_on_commit(
    draft_note: Any, nurse: Any, cartridge_lot: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        note = sign(draft_note, nurse, cartridge_lot)
    check_ins = list(CheckIn.objects.filter(note=note).order_by("day"))
    assert [c.day for c in check_ins] == [1, 2, 3, 5, 7, 14]
    assert [c.due_at for c in check_ins] == [local(note, d, 9) for d in (1, 2, 3, 5, 7, 14)]
    assert [c.late_at for c in check_ins] == [local(note, d, 9) for d in (2, 3, 4, 6, 8, 15)]
    tasks = DBTaskResult.objects.filter(task_path__endswith="send_check_in")
    assert sorted(t.run_after for t in tasks) == [c.due_at for c in check_ins]


@pytest.mark.django_db
def test_darker_skin_on_the_questionnaire_adds_a_pigment_check(
    draft_note: Any, nurse: Any, cartridge_lot: Any
) -> None:
    # The record says type II; the latest questionnaire says V, and it is the one used.
    do_record_intake(
        actor=nurse,
        patient=draft_note.patient,
        data=intake(fitzpatrick=5),
        source="desk",
        today=draft_note.patient.clinic.today(),
    )
    note = sign(draft_note, nurse, cartridge_lot)
    pigment = CheckIn.objects.get(note=note, kind="pigment")
    assert (pigment.day, pigment.due_at, pigment.late_at) == (
        28,
        local(note, 28, 9),
        local(note, 42, 9),
    )


@pytest.mark.django_db
def test_scheduling_again_creates_nothing_new(signed_note: Any) -> None:
    assert CheckIn.objects.filter(note=signed_note).count() == 6
    schedule_check_ins(signed_note)
    assert CheckIn.objects.filter(note=signed_note).count() == 6


@pytest.mark.django_db
def test_each_check_in_is_sent_once_when_due(signed_note: Any, on_day: Any) -> None:
    patient = signed_note.patient
    patient.phone = "+44 7700 900123"
    patient.save(update_fields=["phone"])
    day_one = CheckIn.objects.get(note=signed_note, day=1)
    on_day(0, hour=20)
    assert send_check_in.call(day_one.pk).startswith("skipped")
    on_day(1, hour=9)
    assert send_check_in.call(day_one.pk) == "sent"
    assert send_check_in.call(day_one.pk).startswith("skipped")
    assert len(mail.outbox) == 1
    assert len(LocmemSmsBackend.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert "https://clinic.example/diary/" in message.body
    assert LocmemSmsBackend.outbox[0][0] == "+44 7700 900123"
    assert "https://clinic.example/diary/" in LocmemSmsBackend.outbox[0][1]
    # The first message carries the aftercare by day, from day 1 to day 7.
    assert "Your aftercare, day by day" in message.body
    assert "Day 1 (" in message.body
    assert "Day 7 (" in message.body
    assert "mineral" in message.body.lower()
    day_one.refresh_from_db()
    assert day_one.sent_at is not None


@pytest.mark.django_db
def test_later_check_ins_do_not_repeat_the_aftercare(signed_note: Any, on_day: Any) -> None:
    on_day(2, hour=10)
    send_check_in.call(CheckIn.objects.get(note=signed_note, day=2).pk)
    assert "Your aftercare" not in mail.outbox[0].body


@pytest.mark.django_db
def test_an_answered_check_in_is_not_sent(signed_note: Any, on_day: Any) -> None:
    on_day(1, hour=10)
    check_in = CheckIn.objects.get(note=signed_note, day=1)
    CheckIn.objects.filter(pk=check_in.pk).update(answered_at=check_in.due_at)
    assert send_check_in.call(check_in.pk).startswith("skipped")
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_check_in_whose_worker_died_is_sent_after_the_lease_without_repeats(
    signed_note: Any, on_day: Any, settings: Any
) -> None:
    settings.TASK_LEASE_SECONDS = 600
    patient = signed_note.patient
    patient.phone = "+44 7700 900123"
    patient.save(update_fields=["phone"])
    day_one = CheckIn.objects.get(note=signed_note, day=1)
    on_day(1, hour=9)
    # A worker claimed it, e-mailed it and was killed before texting or recording the send.
    claimed_at = timezone.now() - datetime.timedelta(seconds=60)
    CheckIn.objects.filter(pk=day_one.pk).update(send_claimed_at=claimed_at)
    Delivery.objects.create(
        key=f"check-in:{day_one.pk}:email",
        kind="check-in",
        channel=Channel.EMAIL,
        clinic=patient.clinic,
        patient=patient,
        status=DeliveryStatus.SENT,
        attempts=1,
    )
    assert send_check_in.call(day_one.pk).startswith("skipped")  # its lease still runs
    CheckIn.objects.filter(pk=day_one.pk).update(
        send_claimed_at=timezone.now() - datetime.timedelta(seconds=601)
    )
    assert send_check_in.call(day_one.pk) == "sent"
    assert mail.outbox == []
    assert len(LocmemSmsBackend.outbox) == 1  # only what was missing
    assert CheckIn.objects.get(pk=day_one.pk).sent_at is not None
