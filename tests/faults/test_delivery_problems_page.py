"""The clinic admin sees the messages that failed or were interrupted, overdue reminders and
stuck background work; other roles and other clinics do not."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cit.clinic.appointments.models import Appointment
from cit.clinic.appointments.tasks import send_reminder
from cit.clinic.audit.models import AuditEvent
from cit.clinic.jobs.models import Channel, Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def problems(
    booking_clinic: Any, make_patient: Any, make_plan: Any, book: Any, settings: Any
) -> Any:
    settings.TASK_LEASE_SECONDS = 600
    settings.TASK_STUCK_AFTER_SECONDS = 1800
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    failed = make_patient(booking_clinic, given_name="Philippa", family_name="Failedmail")
    Delivery.objects.create(
        key="reminder:1:0:email",
        kind="reminder",
        channel=Channel.EMAIL,
        clinic=booking_clinic,
        patient=failed,
        status=DeliveryStatus.FAILED,
        attempts=5,
    )
    cut = make_patient(booking_clinic, given_name="Ivor", family_name="Interrupted")
    Delivery.objects.create(
        key="reminder:2:0:sms",
        kind="reminder",
        channel=Channel.SMS,
        clinic=booking_clinic,
        patient=cut,
        status=DeliveryStatus.SENDING,
        attempts=1,
        claimed_at=long_ago,
    )
    fine = make_patient(booking_clinic, given_name="Fiona", family_name="Finemail")
    Delivery.objects.create(
        key="reminder:3:0:email",
        kind="reminder",
        channel=Channel.EMAIL,
        clinic=booking_clinic,
        patient=fine,
        status=DeliveryStatus.SENT,
        attempts=1,
    )
    late = make_patient(booking_clinic, given_name="Olive", family_name="Latecomer")
    series = book(make_plan(late, sessions=3))
    Appointment.objects.filter(series=series).update(reminder_due_at=long_ago)
    DBTaskResult.objects.all().delete()
    stuck = send_reminder.enqueue(1, 0)
    DBTaskResult.objects.filter(pk=stuck.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    return booking_clinic


def test_the_admin_sees_failed_interrupted_and_overdue_messages(
    problems: Any, make_user: Any
) -> None:
    client = Client()
    client.force_login(make_user("clinic_admin", problems))
    response = client.get("/clinic/messages/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Failedmail" in page
    assert "Not sent (failed)" in page
    assert "Interrupted" in page
    assert "will be sent again" in page
    assert "Finemail" not in page, "a message that went out at the first try is no problem"
    assert "Latecomer" in page
    assert "Appointment reminders" in page
    assert "send_reminder" not in page
    assert "reminder:1:0" not in page
    assert AuditEvent.objects.filter(object_type="jobs.Delivery").count() == 1


def test_other_roles_and_other_clinics_do_not_see_them(
    problems: Any, make_user: Any, other_clinic: Any
) -> None:
    client = Client()
    client.force_login(make_user("front_desk", problems))
    assert client.get("/clinic/messages/").status_code == 403
    client.force_login(make_user("clinic_admin", other_clinic))
    page = client.get("/clinic/messages/").content.decode()
    assert "Failedmail" not in page
    assert "Latecomer" not in page
