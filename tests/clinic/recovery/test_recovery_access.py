"""Who reaches the diary: a patient only their own check-ins (another patient's is a 404);
clinical staff of the clinic read the answers and act; the front desk sees that an alert
exists but not the answers; staff of another clinic are refused. Missed check-ins show."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cit.clinic.audit.models import AuditEvent
from cit.clinic.recovery.actions import do_submit_check_in
from cit.clinic.recovery.models import CheckIn, RecoveryAlert
from tests.clinic.recovery.conftest import answers


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def urgent_alert(signed_note: Any, on_day: Any) -> RecoveryAlert:
    on_day(5)
    check_in = CheckIn.objects.get(note=signed_note, day=5)
    submitted = do_submit_check_in(
        check_in=check_in, answers=answers(pus=True, note="yellow crust"), via="portal"
    )
    assert submitted.alert is not None
    return submitted.alert


@pytest.mark.django_db
def test_a_patient_answers_their_own_check_in_from_the_portal(
    signed_note: Any, on_day: Any, portal_user: Any
) -> None:
    on_day(1)
    client = client_for(portal_user)
    diary = client.get("/portal/diary/")
    check_in = CheckIn.objects.get(note=signed_note, day=1)
    assert f"/portal/diary/{check_in.pk}/" in diary.content.decode()
    done = client.post(
        f"/portal/diary/{check_in.pk}/",
        {"redness": "1", "swelling": "0", "pain": "2", "pain_trend": "same"},
    )
    assert done.status_code == 200
    check_in.refresh_from_db()
    assert check_in.entry.submitted_via == "portal"
    event = AuditEvent.objects.get(object_type="recovery.DiaryEntry")
    assert event.actor == portal_user


@pytest.mark.django_db
def test_another_patient_gets_404(
    signed_note: Any, on_day: Any, portal_user: Any, other_patient_user: Any, urgent_alert: Any
) -> None:
    client = client_for(other_patient_user)
    day_three = CheckIn.objects.get(note=signed_note, day=3)
    assert client.get(f"/portal/diary/{day_three.pk}/").status_code == 404
    assert client.post(f"/portal/diary/{day_three.pk}/", answers()).status_code == 404
    assert client.get(f"/patients/{signed_note.patient_id}/recovery/").status_code == 404
    assert client.get(f"/recovery/alerts/{urgent_alert.pk}/").status_code == 404
    assert "Ada" not in client.get("/portal/diary/").content.decode()
    day_three.refresh_from_db()
    assert day_three.answered_at is None


@pytest.mark.django_db
def test_a_check_in_not_yet_due_is_not_open(
    signed_note: Any, on_day: Any, portal_user: Any
) -> None:
    on_day(1)
    day_fourteen = CheckIn.objects.get(note=signed_note, day=14)
    assert client_for(portal_user).get(f"/portal/diary/{day_fourteen.pk}/").status_code == 404


@pytest.mark.django_db
def test_clinical_staff_read_the_answers(urgent_alert: Any, nurse: Any) -> None:
    page = client_for(nurse).get(f"/recovery/alerts/{urgent_alert.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pus or yellow crusts" in text
    assert "yellow crust" in text
    home = client_for(nurse).get("/").content.decode()
    assert f"/recovery/alerts/{urgent_alert.pk}/" in home
    assert AuditEvent.objects.filter(object_type="recovery.RecoveryAlert", action="view").exists()


@pytest.mark.django_db
def test_front_desk_sees_the_alert_exists_but_not_the_answers(
    urgent_alert: Any, clinic: Any, make_user: Any, signed_note: Any
) -> None:
    desk = client_for(make_user("front_desk", clinic))
    home = desk.get("/").content.decode()
    assert "Ada Lovelace" in home
    assert "needs a clinician's review" in home
    assert "Urgent" not in home
    page = desk.get(f"/patients/{signed_note.patient_id}/recovery/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "A check-in needs a clinician" in text
    for answer in ("Pus", "yellow crust", "Urgent"):
        assert answer not in text
    assert desk.get(f"/recovery/alerts/{urgent_alert.pk}/").status_code == 403
    refused = desk.post(f"/recovery/alerts/{urgent_alert.pk}/acknowledge/", {"action_taken": "x"})
    assert refused.status_code == 403
    urgent_alert.refresh_from_db()
    assert urgent_alert.acknowledged_at is None


@pytest.mark.django_db
def test_staff_of_another_clinic_are_refused(
    urgent_alert: Any, other_clinic: Any, make_user: Any, signed_note: Any
) -> None:
    outsider = client_for(make_user("physician", other_clinic))
    assert outsider.get(f"/recovery/alerts/{urgent_alert.pk}/").status_code == 403
    assert outsider.get(f"/patients/{signed_note.patient_id}/recovery/").status_code == 403
    assert "Ada" not in outsider.get("/recovery/").content.decode()


@pytest.mark.django_db
def test_missed_check_ins_show_on_the_patient_and_clinic_pages(
    signed_note: Any, on_day: Any, nurse: Any, clinic: Any, make_user: Any
) -> None:
    # Day 2 at noon: the day-1 check-in (due day 1 09:00) was missed at day 2 09:00; the
    # day-2 one is due but not yet missed.
    on_day(2)
    desk = client_for(make_user("front_desk", clinic))
    listing = desk.get("/recovery/").content.decode()
    assert "day 1 after the session" in listing
    assert "day 2 after the session" not in listing
    page = client_for(nurse).get(f"/patients/{signed_note.patient_id}/recovery/")
    assert page.content.decode().count('data-testid="missed"') == 1


@pytest.mark.django_db
def test_acknowledge_and_record_through_the_pages(urgent_alert: Any, nurse: Any) -> None:
    client = client_for(nurse)
    url = f"/recovery/alerts/{urgent_alert.pk}/"
    assert client.post(url + "acknowledge/", {"action_taken": ""}).status_code == 422
    assert client.post(url + "acknowledge/", {"action_taken": "Called"}).status_code == 302
    bad = client.post(
        url + "adverse-event/",
        {"event_type": "nope", "severity": "moderate", "onset_on": "2001-01-01"},
    )
    assert bad.status_code == 422
    assert not urgent_alert.adverse_events.exists()


def _worklist(page: str) -> str:
    return page.split('data-testid="worklist-recovery-alerts"')[1].split("</section>")[0]


def _by(moment: datetime.datetime, clinic: Any) -> str:
    """``H:i, j M`` in the clinic's zone, worked out here with strftime."""
    local = moment.astimezone(clinic.tzinfo)
    return f"{local:%H:%M}, {local.day} {local:%b}"


@pytest.mark.django_db
def test_the_home_worklists_alert_item_by_role_then_overdue(
    urgent_alert: Any, nurse: Any, clinic: Any, make_user: Any
) -> None:
    desk = client_for(make_user("front_desk", clinic))
    by = _by(urgent_alert.respond_by, clinic)
    assert urgent_alert.respond_by > timezone.now()
    assert (
        f'<li><a href="/recovery/alerts/{urgent_alert.pk}/">Ada Lovelace</a> — Urgent, '
        f"respond by {by}</li>"
    ) in " ".join(_worklist(client_for(nurse).get("/").content.decode()).split())
    assert (
        f'<li><a href="/patients/{urgent_alert.patient_id}/recovery/">Ada Lovelace</a> — '
        f"needs a clinician's review, respond by {by}</li>"
    ) in " ".join(_worklist(desk.get("/").content.decode()).split())
    late = timezone.now() - datetime.timedelta(hours=2)
    RecoveryAlert.objects.filter(pk=urgent_alert.pk).update(respond_by=late)
    assert (
        f'— Urgent, <span class="bad-text">overdue since {_by(late, clinic)}</span></li>'
    ) in " ".join(_worklist(client_for(nurse).get("/").content.decode()).split())
