"""An answer that is not expected raises an alert with its response clock (escalation.toml
[response_hours]: urgent 1 h, contact clinic 24 h); the treating clinician is emailed with no
health details; unacknowledged at the end of the clock it goes to the clinic's physicians.
The clinician acknowledges and records an adverse event with the note's depth, zones, lots."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cit.clinic.recovery.actions import (
    do_acknowledge_alert,
    do_record_adverse_event,
    do_submit_check_in,
)
from cit.clinic.recovery.leads import clinic_leads
from cit.clinic.recovery.models import CheckIn, RecoveryAlert
from cit.clinic.recovery.tasks import escalate_alert, notify_treating_clinician
from tests.clinic.recovery.conftest import answers

HOUR = datetime.timedelta(hours=1)


def answer(note: Any, day: int, **fields: Any) -> Any:
    check_in = CheckIn.objects.get(note=note, day=day)
    return do_submit_check_in(check_in=check_in, answers=answers(**fields), via="portal")


@pytest.mark.django_db
def test_an_expected_answer_raises_no_alert(signed_note: Any, on_day: Any) -> None:
    on_day(2)
    assert answer(signed_note, 2, redness=2).alert is None
    assert not RecoveryAlert.objects.exists()


@pytest.mark.django_db
def test_response_clock_by_level(signed_note: Any, on_day: Any) -> None:
    now = on_day(5)
    urgent = answer(signed_note, 5, pus=True, fever=True).alert
    assert (urgent.level, urgent.respond_by) == ("urgent", now + HOUR)
    now = on_day(7)
    contact = answer(signed_note, 7, acne_flare=True).alert
    assert (contact.level, contact.respond_by) == ("contact_clinic", now + 24 * HOUR)
    assert urgent.treating_clinician == signed_note.signed_by


@pytest.mark.django_db
def test_alert_tasks_are_enqueued_on_commit(
    signed_note: Any, on_day: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    now = on_day(5)
    with django_capture_on_commit_callbacks(execute=True):
        answer(signed_note, 5, fever=True)
    escalation = DBTaskResult.objects.get(task_path__endswith="escalate_alert")
    assert escalation.run_after == now + HOUR
    assert DBTaskResult.objects.filter(task_path__endswith="notify_treating_clinician").exists()


@pytest.mark.django_db
def test_the_clinician_email_carries_no_health_details(
    signed_note: Any, on_day: Any, nurse: Any
) -> None:
    nurse.email = "nurse@example.com"
    nurse.save(update_fields=["email"])
    on_day(5)
    alert = answer(signed_note, 5, pus=True, fever=True).alert
    assert notify_treating_clinician.call(alert.pk) == "sent"
    assert notify_treating_clinician.call(alert.pk).startswith("skipped")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nurse@example.com"]
    text = (message.subject + message.body).lower()
    assert "a patient's recovery check-in needs your review" in text
    assert f"https://clinic.example/recovery/alerts/{alert.pk}/" in text
    for health_word in ("pus", "fever", "urgent", "infection", "ada", "lovelace", "tc0"):
        assert health_word not in text


@pytest.mark.django_db
def test_escalation_only_when_the_clock_has_run_out_unacknowledged(
    signed_note: Any, on_day: Any, physician: Any, make_user: Any, clinic: Any, move_clock: Any
) -> None:
    physician.email = "lead@example.com"
    physician.save(update_fields=["email"])
    raised = on_day(5)
    alert = answer(signed_note, 5, fever=True).alert
    move_clock(raised + 59 * datetime.timedelta(minutes=1))
    assert escalate_alert.call(alert.pk).startswith("skipped")
    move_clock(raised + HOUR)
    assert escalate_alert.call(alert.pk) == "escalated"
    assert escalate_alert.call(alert.pk).startswith("skipped")
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]
    assert "fever" not in mail.outbox[0].body.lower()
    alert.refresh_from_db()
    assert alert.escalated_at is not None
    assert alert.escalated_to == [physician.username]


@pytest.mark.django_db
def test_an_acknowledged_alert_is_not_escalated(
    signed_note: Any, on_day: Any, nurse: Any, physician: Any, move_clock: Any
) -> None:
    raised = on_day(5)
    alert = answer(signed_note, 5, fever=True).alert
    do_acknowledge_alert(actor=nurse, alert=alert, action_taken="Called; seen today.")
    move_clock(raised + 2 * HOUR)
    assert escalate_alert.call(alert.pk).startswith("skipped")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_lead_is_a_physician_else_the_clinic_admin(
    clinic: Any, make_user: Any, nurse: Any
) -> None:
    admin = make_user("clinic_admin", clinic)
    admin.email = "admin@example.com"
    admin.save(update_fields=["email"])
    assert clinic_leads(clinic) == [admin]
    doctor = make_user("physician", clinic)
    doctor.email = "doctor@example.com"
    doctor.save(update_fields=["email"])
    assert clinic_leads(clinic) == [doctor]


@pytest.mark.django_db
def test_acknowledging_needs_what_was_done_and_happens_once(
    signed_note: Any, on_day: Any, nurse: Any
) -> None:
    on_day(5)
    alert = answer(signed_note, 5, fever=True).alert
    with pytest.raises(ValidationError):
        do_acknowledge_alert(actor=nurse, alert=alert, action_taken="  ")
    do_acknowledge_alert(actor=nurse, alert=alert, action_taken="Called the patient.")
    with pytest.raises(ValidationError):
        do_acknowledge_alert(actor=nurse, alert=alert, action_taken="Again.")
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.action_taken) == (nurse, "Called the patient.")


@pytest.mark.django_db
def test_an_adverse_event_takes_depth_zones_and_lots_from_the_signed_note(
    signed_note: Any, on_day: Any, nurse: Any, cartridge_lot: Any
) -> None:
    on_day(5)
    alert = answer(signed_note, 5, pus=True).alert
    event = do_record_adverse_event(
        actor=nurse,
        note=signed_note,
        alert=alert,
        event_type="infection",
        severity="moderate",
        onset_on=signed_note.session_date + datetime.timedelta(days=4),
    )
    # The fixture's note: cheeks at 1.0 mm and forehead at 0.5 mm, one cartridge lot.
    assert str(event.max_depth_mm) == "1.00"
    assert sorted((z["zone"], z["depth_mm"]) for z in event.zones) == [
        ("cheeks", "1.00"),
        ("forehead", "0.50"),
    ]
    assert [use.lot for use in event.lot_uses.all()] == [cartridge_lot]
    with pytest.raises(ValidationError):
        do_record_adverse_event(
            actor=nurse,
            note=signed_note,
            event_type="sunburn-of-the-soul",
            severity="moderate",
            onset_on=signed_note.session_date,
        )


@pytest.mark.django_db
def test_without_a_physician_the_clinic_admin_gets_the_clinic_list(
    signed_note: Any, on_day: Any, clinic: Any, make_user: Any, move_clock: Any
) -> None:
    admin = make_user("clinic_admin", clinic)
    admin.email = "admin@example.com"
    admin.save(update_fields=["email"])
    raised = on_day(5)
    alert = answer(signed_note, 5, fever=True).alert
    move_clock(raised + HOUR)
    assert escalate_alert.call(alert.pk) == "escalated"
    assert mail.outbox[0].to == ["admin@example.com"]
    # The admin may not read the answers: the link is the clinic's list, not the alert.
    assert "https://clinic.example/recovery/\n" in mail.outbox[0].body
    assert "/recovery/alerts/" not in mail.outbox[0].body
