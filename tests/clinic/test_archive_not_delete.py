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
