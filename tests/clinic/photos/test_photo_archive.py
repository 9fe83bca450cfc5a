"""A wrong or blurred photo is archived, not deleted: kept, audited, no longer shown."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditAction, AuditEvent
from cit.clinic.photos.actions import photos_for
from cit.clinic.photos.models import Photo
from tests.clinic.photos.conftest import consent, stored_photo

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 9, 1)


def test_an_archived_photo_is_kept_but_not_shown(
    clinic: Any, make_patient: Any, make_user: Any, photo_dir: Path
) -> None:
    doctor = make_user("physician", clinic)
    patient = make_patient(clinic)
    consent(doctor, patient)
    photo = stored_photo(doctor, patient, "face_frontal", DAY)
    client = Client()
    client.force_login(doctor)

    response = client.post(f"/patients/{patient.pk}/photos/{photo.token}/archive/")

    assert response.status_code == 302
    assert list(photos_for(patient)) == []
    assert Photo.objects.get(pk=photo.pk).is_archived
    assert (photo_dir / photo.image_name).is_file()
    assert client.get(f"/photos/{photo.token}/image/").status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.ARCHIVE, object_id=str(photo.pk)).exists()


def test_only_clinical_staff_of_the_patient_may_archive(
    clinic: Any, other_clinic: Any, make_patient: Any, make_user: Any
) -> None:
    doctor = make_user("physician", clinic)
    portal = make_user("patient", clinic)
    patient = make_patient(clinic, portal_user=portal)
    consent(doctor, patient)
    photo = stored_photo(doctor, patient, "face_frontal", DAY)
    for user in (portal, make_user("physician", other_clinic), make_user("front_desk", clinic)):
        client = Client()
        client.force_login(user)
        assert (
            client.post(f"/patients/{patient.pk}/photos/{photo.token}/archive/").status_code == 403
        )
    assert not Photo.objects.get(pk=photo.pk).is_archived
