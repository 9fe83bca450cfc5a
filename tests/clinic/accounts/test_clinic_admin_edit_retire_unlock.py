"""Administration beyond "add": edit and retire rooms and devices; unlock a locked
account (issue 10)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditEvent
from cit.clinic.facilities.models import Device, Room

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-1"


@pytest.fixture
def clinic_admin_client(clinic: Any, make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("clinic_admin", clinic))
    return client


def test_edit_and_retire_a_room(clinic_admin_client: Client, clinic: Any) -> None:
    room = Room.objects.create(clinic=clinic, name="Room 1")
    assert clinic_admin_client.get(f"/clinic/rooms/{room.pk}/").status_code == 200
    assert (
        clinic_admin_client.post(f"/clinic/rooms/{room.pk}/", {"name": "Garden room"}).status_code
        == 302
    )
    room.refresh_from_db()
    assert room.name == "Garden room"
    assert clinic_admin_client.post(f"/clinic/rooms/{room.pk}/", {"retire": "1"}).status_code == 302
    room.refresh_from_db()
    assert room.is_archived
    assert "Garden room retired" in clinic_admin_client.get("/clinic/").content.decode()
    assert "Garden room" not in clinic_admin_client.get("/clinic/").content.decode(), (
        "message shown once"
    )
    assert clinic_admin_client.get(f"/clinic/rooms/{room.pk}/").status_code == 404, (
        "retired: no edit page"
    )
    assert AuditEvent.objects.filter(object_type="facilities.Room", action="archive").exists()


def test_a_device_edit_with_a_bad_depth_is_a_form_error(
    clinic_admin_client: Client, clinic: Any
) -> None:
    pen = Device.objects.create(
        clinic=clinic, kind="pen", model="Pen", serial_number="P1", max_depth_mm=Decimal("2.5")
    )
    data = {"kind": "pen", "model": "Pen X", "serial_number": "P1", "max_depth_mm": "9"}
    response = clinic_admin_client.post(f"/clinic/devices/{pen.pk}/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ensure this value is less than or equal to 3.0" in page
    assert "max_depth_mm" not in page.split("<main", 1)[1].split("name=")[0]
    pen.refresh_from_db()
    assert pen.model == "Pen"
    data["max_depth_mm"] = "2.0"
    assert clinic_admin_client.post(f"/clinic/devices/{pen.pk}/", data).status_code == 302
    pen.refresh_from_db()
    assert (pen.model, pen.max_depth_mm) == ("Pen X", Decimal("2.00"))


def test_other_roles_and_clinics_cannot_edit(
    clinic: Any, other_clinic: Any, make_user: Any, clinic_admin_client: Client
) -> None:
    theirs = Room.objects.create(clinic=other_clinic, name="Their room")
    assert clinic_admin_client.get(f"/clinic/rooms/{theirs.pk}/").status_code == 404
    ours = Room.objects.create(clinic=clinic, name="Our room")
    nurse = Client()
    nurse.force_login(make_user("registered_nurse", clinic))
    assert nurse.post(f"/clinic/rooms/{ours.pk}/", {"retire": "1"}).status_code == 403
    ours.refresh_from_db()
    assert not ours.is_archived


def test_admin_unlocks_a_locked_account(
    clinic: Any, make_user: Any, clinic_admin_client: Client, settings: Any
) -> None:
    desk_user = make_user("front_desk", clinic, username="desk", password=PASSWORD)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "desk", "password": "wrong"})
    assert (
        client.post("/accounts/login/", {"username": "desk", "password": PASSWORD}).status_code
        == 429
    )
    page = clinic_admin_client.get("/clinic/").content.decode()
    assert f"/clinic/accounts/{desk_user.pk}/unlock/" in page
    assert clinic_admin_client.post(f"/clinic/accounts/{desk_user.pk}/unlock/").status_code == 302
    assert AuditEvent.objects.filter(detail__unlocked="desk").exists()
    assert "No account is locked." in clinic_admin_client.get("/clinic/").content.decode()
    response = client.post("/accounts/login/", {"username": "desk", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_admin_edits_the_opening_hours(clinic_admin_client: Client, clinic: Any) -> None:
    import datetime

    from cit.clinic.facilities.models import OpeningHours

    page = clinic_admin_client.get("/clinic/hours/")
    assert page.status_code == 200
    week = {f"day_{day}": "closed" for day in range(7)}
    week["day_0"] = "09:00-13:00, 14:00-18:00"
    week["day_5"] = "10:00-14:00"
    assert clinic_admin_client.post("/clinic/hours/", week).status_code == 302
    saved = [
        (p.weekday, p.opens, p.closes)
        for p in OpeningHours.objects.filter(clinic=clinic).order_by("weekday", "opens")
    ]
    t = datetime.time
    assert saved == [
        (0, t(9), t(13)),
        (0, t(14), t(18)),
        (5, t(10), t(14)),
    ]
    assert AuditEvent.objects.filter(detail__has_key="opening_hours").exists()

    week["day_1"] = "18:00-09:00"
    response = clinic_admin_client.post("/clinic/hours/", week)
    assert response.status_code == 200, "a bad window is a form error, not a 500"
    assert OpeningHours.objects.filter(clinic=clinic).count() == 3, "nothing changed"


def test_admin_adds_and_edits_staff_with_licences(
    clinic_admin_client: Client, clinic: Any, make_user: Any
) -> None:
    import datetime

    from cit.clinic.accounts.models import Provider, User

    new = {
        "username": "nurse.kim",
        "password": "a-long-password-9",
        "first_name": "Kim",
        "last_name": "Lee",
        "email": "kim@clinic.example",
        "role": "registered_nurse",
        "licence_type": "",
        "licence_number": "",
        "licence_expires_on": "",
    }
    refused = clinic_admin_client.post("/clinic/staff/new/", new)
    assert refused.status_code == 200, "a nurse without a licence is a form error"
    assert "need their licence" in refused.content.decode()
    assert not User.objects.filter(username="nurse.kim").exists()

    soon = clinic.today() + datetime.timedelta(days=20)
    new.update(licence_type="rn", licence_number="RN-77", licence_expires_on=soon.isoformat())
    assert clinic_admin_client.post("/clinic/staff/new/", new).status_code == 302
    kim = User.objects.get(username="nurse.kim")
    assert (kim.role, kim.clinic_id, kim.check_password("a-long-password-9")) == (
        "registered_nurse",
        clinic.pk,
        True,
    )
    assert Provider.objects.get(user=kim).licence_number == "RN-77"
    overview = clinic_admin_client.get("/clinic/").content.decode()
    assert "licence expires in 20 day(s)" in overview
    assert "Registered nurse" in overview
    assert "registered_nurse<" not in overview

    # Renewed licence, then deactivated (she may no longer log in).
    edit = {
        "first_name": "Kim",
        "last_name": "Lee",
        "email": "kim@clinic.example",
        "role": "registered_nurse",
        "licence_type": "rn",
        "licence_number": "RN-77",
        "licence_expires_on": (soon + datetime.timedelta(days=730)).isoformat(),
        "is_active": "on",
    }
    assert clinic_admin_client.post(f"/clinic/staff/{kim.pk}/", edit).status_code == 302
    assert Provider.objects.get(user=kim).licence_expires_on == soon + datetime.timedelta(days=730)
    del edit["is_active"]
    assert clinic_admin_client.post(f"/clinic/staff/{kim.pk}/", edit).status_code == 302
    kim.refresh_from_db()
    assert not kim.is_active
    assert AuditEvent.objects.filter(object_type="accounts.User", action="update").count() == 2

    # A taken user name and a bad first password are form errors.
    again = clinic_admin_client.post("/clinic/staff/new/", {**new, "password": "123"})
    page = again.content.decode()
    assert again.status_code == 200
    assert "This user name is taken." in page
    assert "too short" in page
