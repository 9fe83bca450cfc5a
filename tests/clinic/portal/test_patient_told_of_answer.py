"""When staff answer a change request the patient gets one email saying an answer waits
in the portal, with no times, reasons or health details; running the task twice sends
once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from cit.clinic.appointments.models import Appointment
from cit.clinic.portal.actions import do_decline_request, do_request_change
from cit.clinic.portal.tasks import tell_patient_of_answer

pytestmark = pytest.mark.django_db


def test_a_declined_request_tells_the_patient_once_without_details(
    portal_patient: Any, booked: Any, desk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    third = Appointment.objects.filter(patient=portal_patient).order_by("number").last()
    change = do_request_change(actor=None, appointment=third, kind="cancel", note="Travelling")
    with django_capture_on_commit_callbacks(execute=True):
        do_decline_request(actor=desk, change=change, reason="Last session: please call us")
    assert DBTaskResult.objects.filter(task_path__endswith="tell_patient_of_answer").count() == 1
    assert tell_patient_of_answer.call(change.pk) == "sent"
    assert tell_patient_of_answer.call(change.pk).startswith("skipped")
    (message,) = mail.outbox
    assert message.to == [portal_patient.email]
    assert "log in to your patient portal" in message.body
    assert "please call us" not in message.body
    assert "Travelling" not in message.body


def test_a_waiting_request_sends_nothing(portal_patient: Any, booked: Any) -> None:
    third = Appointment.objects.filter(patient=portal_patient).order_by("number").last()
    change = do_request_change(actor=None, appointment=third, kind="cancel")
    assert tell_patient_of_answer.call(change.pk).startswith("skipped")
    assert mail.outbox == []
