"""Calendar invitations by e-mail (iTIP): booking sends METHOD:REQUEST with the clinic as
ORGANIZER and the patient as ATTENDEE, a move sends an update of the same UID with a higher
SEQUENCE, a cancellation sends METHOD:CANCEL; enqueued on commit, sent by the worker, one
e-mail per appointment version however often the task runs."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from cit.clinic.appointments.invitations import send_calendar_message
from cit.clinic.appointments.models import Appointment
from cit.clinic.appointments.moves import do_cancel_session, do_move_session
from cit.clinic.appointments.noshow import do_replan_after_no_show, propose_after_no_show
from cit.clinic.appointments.visits import do_complete_visit, do_mark_no_show, do_start_visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_in_memory(settings: Any) -> None:
    settings.SMS_BACKEND = "cit.clinic.appointments.sms.LocmemSmsBackend"


@pytest.fixture
def clinic_with_email(booking_clinic: Any) -> Any:
    booking_clinic.email = "desk@clinic.example"
    booking_clinic.save()
    return booking_clinic


def _enqueued() -> list[list[Any]]:
    """The calendar tasks enqueued, as their argument lists, oldest first."""
    rows = DBTaskResult.objects.filter(task_path__endswith="send_calendar_message")
    return [row.args_kwargs["args"] for row in rows.order_by("enqueued_at")]


def _run_enqueued() -> list[str]:
    return [send_calendar_message.call(*args) for args in _enqueued()]


def _calendar(message: Any) -> tuple[str, Any]:
    """The iTIP method on the attachment's type, and the attached calendar."""
    (attachment,) = message.attachments
    assert attachment.get_content_type() == "text/calendar"
    return attachment.get_param("method"), Calendar.from_ical(attachment.get_payload(decode=True))


@pytest.fixture
def booked(
    clinic_with_email: Any,
    nurse: Any,
    make_patient: Any,
    make_plan: Any,
    book: Any,
    django_capture_on_commit_callbacks: Any,
) -> Any:
    patient = make_patient(clinic_with_email, email="ola@patient.example")
    with django_capture_on_commit_callbacks(execute=True):
        return book(make_plan(patient))


def test_booking_invites_the_patient_to_each_session(booked: Any) -> None:
    appointments = list(Appointment.objects.filter(series=booked).order_by("pk"))
    assert sorted(_enqueued()) == sorted([[a.pk, 0, "REQUEST"] for a in appointments])
    assert _run_enqueued() == ["sent"] * 4
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        assert message.to == ["ola@patient.example"]
        method, calendar = _calendar(message)
        assert method == "REQUEST"
        assert str(calendar["METHOD"]) == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert str(event["ORGANIZER"]) == "mailto:desk@clinic.example"
        assert event["ORGANIZER"].params["CN"] == booked.clinic.name
        assert str(event["ATTENDEE"]) == "mailto:ola@patient.example"
        assert int(event["SEQUENCE"]) == 0
        assert str(event["STATUS"]) == "CONFIRMED"
    uids = {str(_calendar(m)[1].walk("VEVENT")[0]["UID"]) for m in mail.outbox}
    assert len(uids) == 4


def test_running_the_task_twice_sends_one_email(booked: Any) -> None:
    first = Appointment.objects.filter(series=booked).order_by("number").first()
    assert send_calendar_message.call(first.pk, 0, "REQUEST") == "sent"
    assert send_calendar_message.call(first.pk, 0, "REQUEST").startswith("skipped")
    assert len(mail.outbox) == 1


def test_a_move_sends_an_update_with_a_higher_sequence(
    booked: Any, desk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _run_enqueued()
    mail.outbox.clear()
    second = Appointment.objects.get(series=booked, number=2)
    with django_capture_on_commit_callbacks(execute=True):
        do_move_session(
            actor=desk, appointment=second, new_start=second.start + datetime.timedelta(days=7)
        )
    second.refresh_from_db()
    assert second.sequence >= 1
    results = _run_enqueued()
    assert results.count("sent") >= 1  # the moved session, and any the cascade moved
    sent_for_second = [
        _calendar(m)[1].walk("VEVENT")[0]
        for m in mail.outbox
        if str(_calendar(m)[1].walk("VEVENT")[0]["UID"]).startswith(f"appointment-{second.pk}@")
    ]
    (event,) = sent_for_second
    assert int(event["SEQUENCE"]) == second.sequence >= 1
    assert event.decoded("DTSTART") == second.start
    assert all(_calendar(m)[0] == "REQUEST" for m in mail.outbox)


def test_a_cancel_sends_method_cancel(
    booked: Any, desk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _run_enqueued()
    mail.outbox.clear()
    third = Appointment.objects.get(series=booked, number=3)
    with django_capture_on_commit_callbacks(execute=True):
        do_cancel_session(actor=desk, appointment=third)
    third.refresh_from_db()
    assert [send_calendar_message.call(*args) for args in _enqueued()[-1:]] == ["sent"]
    (message,) = mail.outbox
    method, calendar = _calendar(message)
    assert method == "CANCEL"
    assert str(calendar["METHOD"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]).startswith(f"appointment-{third.pk}@")
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == third.sequence == 1
    assert "cancelled" in message.subject.lower()
    # A re-run of the whole queue sends nothing more: every version went out once.
    assert all(r.startswith("skipped") for r in _run_enqueued())
    assert len(mail.outbox) == 1


def test_a_no_show_replan_sends_the_moves_and_the_make_up_session(
    clinic_with_email: Any,
    desk: Any,
    nurse: Any,
    make_patient: Any,
    make_plan: Any,
    book: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    patient = make_patient(clinic_with_email, email="ola@patient.example")
    series = book(make_plan(patient, sessions=4, weeks=4))
    one, two, three, four = Appointment.objects.filter(series=series).order_by("number")
    do_start_visit(actor=nurse, appointment=one, now=one.start)
    do_complete_visit(actor=nurse, appointment=one, now=one.end)
    missed_at = two.start + datetime.timedelta(minutes=20)
    do_mark_no_show(actor=desk, appointment=two, now=missed_at)
    proposals = propose_after_no_show(actor=desk, appointment=two, now=missed_at)
    assert proposals.result.found, proposals.result.failure
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changed = do_replan_after_no_show(
            actor=desk, token=proposals.tokens[0], clinic=series.clinic, now=missed_at
        )
    _run_enqueued()
    sent = {str(_calendar(m)[1].walk("VEVENT")[0]["UID"]).split("@")[0]: m for m in mail.outbox}
    make_up = changed[-1]
    assert sorted(sent) == sorted(f"appointment-{a.pk}" for a in (three, four, make_up))
    for moved in (three, four):
        moved.refresh_from_db()
        message = sent[f"appointment-{moved.pk}"]
        method, calendar = _calendar(message)
        (event,) = calendar.walk("VEVENT")
        assert method == "REQUEST"
        assert int(event["SEQUENCE"]) == 1  # booked at 0, moved once
        assert event.decoded("DTSTART") == moved.start
        assert message.subject.startswith("Changed:")
    method, calendar = _calendar(sent[f"appointment-{make_up.pk}"])
    (event,) = calendar.walk("VEVENT")
    assert (method, int(event["SEQUENCE"])) == ("REQUEST", 0)
    assert event.decoded("DTSTART") == make_up.start
    assert sent[f"appointment-{make_up.pk}"].subject.startswith("Booked:")
