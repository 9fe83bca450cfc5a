from __future__ import annotations

from typing import Any

import pytest

from cit.clinic.archive import HardDeleteRefused
from cit.clinic.facilities.models import Room
from cit.clinic.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_patient_cannot_be_deleted_only_archived(clinic: Any, make_patient: Any) -> None:
    patient = make_patient(clinic)
    with pytest.raises(HardDeleteRefused, match="archive them instead"):
        patient.delete()
    with pytest.raises(HardDeleteRefused):
        Patient.objects.filter(pk=patient.pk).delete()
    patient.archive()
    assert Patient.objects.filter(pk=patient.pk).exists()
    assert not Patient.objects.active().filter(pk=patient.pk).exists()
    assert Patient.objects.archived().filter(pk=patient.pk).exists()
    patient.restore()
    assert Patient.objects.active().filter(pk=patient.pk).exists()


def test_room_archive_keeps_row(clinic: Any) -> None:
    room = Room.objects.create(clinic=clinic, name="Room 1")
    room.archive()
    first_archived_at = room.archived_at
    room.archive()  # archiving twice keeps the first date
    room.refresh_from_db()
    assert room.archived_at == first_archived_at
    assert room.is_archived


def test_admin_archive_page_archives(clinic: Any, make_user: Any, make_patient: Any) -> None:
    from django.test import Client

    patient = make_patient(clinic)
    client = Client()
    client.force_login(make_user("clinic_admin", clinic))
    response = client.post(f"/patients/{patient.pk}/archive/")
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.is_archived
    listing = client.get("/patients/").content.decode()
    assert patient.record_number not in listing
    assert patient.record_number in client.get("/patients/?archived=on").content.decode()


def test_archive_asks_first_and_an_admin_restores(
    clinic: Any, make_user: Any, make_patient: Any
) -> None:
    from django.test import Client

    from cit.clinic.audit.models import AuditEvent

    patient = make_patient(clinic)
    admin = Client()
    admin.force_login(make_user("clinic_admin", clinic))
    detail = admin.get(f"/patients/{patient.pk}/").content.decode()
    assert f'href="/patients/{patient.pk}/archive/"' in detail, "a link to the question"
    ask = admin.get(f"/patients/{patient.pk}/archive/")
    assert ask.status_code == 200
    assert "Archive this record" in ask.content.decode()
    patient.refresh_from_db()
    assert not patient.is_archived, "asking archives nothing"

    admin.post(f"/patients/{patient.pk}/archive/")
    patient.refresh_from_db()
    assert patient.is_archived
    page = admin.get(f"/patients/{patient.pk}/").content.decode()
    # No button that would lead to a page an archived record no longer has.
    for dead in ("questionnaire/", "screening/", "plan/", "sessions/", "bookings/", "edit/"):
        assert f'/patients/{patient.pk}/{dead}"' not in page
    assert "Restore this record" in page

    assert admin.post(f"/patients/{patient.pk}/restore/").status_code == 302
    patient.refresh_from_db()
    assert not patient.is_archived
    assert AuditEvent.objects.filter(patient=patient, detail__restored=True).exists()


def test_only_an_admin_restores(clinic: Any, make_user: Any, make_patient: Any) -> None:
    from django.test import Client

    patient = make_patient(clinic)
    patient.archive()
    desk = Client()
    desk.force_login(make_user("front_desk", clinic))
    assert desk.post(f"/patients/{patient.pk}/restore/").status_code == 403
    assert "Restore this record" not in desk.get(f"/patients/{patient.pk}/").content.decode()
    patient.refresh_from_db()
    assert patient.is_archived
