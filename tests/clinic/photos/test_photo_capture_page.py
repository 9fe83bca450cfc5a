"""The capture page: each standard view of the zones treated has its own upload; a bad file
is a form error that stores nothing, a good one is stored sanitised and audited."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from cit.clinic.audit.models import AuditAction, AuditEvent
from cit.clinic.photos.models import Photo
from tests.clinic.photos.conftest import GPS_IFD, consent, jpeg_bytes

pytestmark = pytest.mark.django_db


def _post(client: Client, patient: Any, view: str, upload: Any, day: datetime.date) -> Any:
    return client.post(
        f"/patients/{patient.pk}/photos/capture/?on={day.isoformat()}",
        {"view": view, f"{view}-taken_on": day.isoformat(), f"{view}-photo": upload},
    )


def test_the_page_offers_the_views_of_the_chosen_zones(
    clinic: Any, make_patient: Any, physician: Any
) -> None:
    patient = make_patient(clinic)
    consent(physician, patient)
    client = Client()
    client.force_login(physician)
    page = client.get(f"/patients/{patient.pk}/photos/capture/?zone=scalp").content.decode()
    assert "Scalp, vertex" in page
    assert "Scalp, frontal hairline" in page
    assert "Face, frontal" not in page
    assert 'accept="image/*"' in page
    assert 'capture="environment"' in page
    face = client.get(f"/patients/{patient.pk}/photos/capture/").content.decode()
    assert "Face, 45° oblique left" in face
    assert "Face, 90° lateral right" in face


def test_a_bad_file_is_a_form_error_and_nothing_is_stored(
    clinic: Any, make_patient: Any, physician: Any, photo_dir: Path
) -> None:
    patient = make_patient(clinic)
    consent(physician, patient)
    client = Client()
    client.force_login(physician)
    fake = SimpleUploadedFile("face.jpg", b"not an image at all", content_type="image/jpeg")

    response = _post(client, patient, "face_frontal", fake, clinic.today())

    assert response.status_code == 422
    assert "not a photo we can read" in response.content.decode()
    assert not Photo.objects.exists()
    assert not photo_dir.exists() or not any(photo_dir.rglob("*.jpg"))


def test_a_good_photo_is_stored_clean_and_audited(
    clinic: Any, make_patient: Any, physician: Any, photo_dir: Path
) -> None:
    patient = make_patient(clinic)
    consent(physician, patient)
    client = Client()
    client.force_login(physician)
    day = clinic.today()
    upload = SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes(gps=True), content_type="image/jpeg")

    response = _post(client, patient, "face_oblique_left", upload, day)

    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.patient, photo.view, photo.taken_on) == (patient, "face_oblique_left", day)
    stored = Image.open(photo_dir / photo.image_name)
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert len(stored.getexif()) == 0
    assert "IMG_0001" not in photo.image_name
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, patient=patient, object_id=str(photo.pk)
    ).exists()


def test_without_record_consent_the_upload_is_refused(
    clinic: Any, make_patient: Any, physician: Any
) -> None:
    patient = make_patient(clinic)
    client = Client()
    client.force_login(physician)
    upload = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")

    response = _post(client, patient, "face_frontal", upload, clinic.today())

    assert response.status_code == 422
    assert not Photo.objects.exists()
    assert "not consented" in response.content.decode()


def test_an_unknown_view_or_session_is_a_client_error(
    clinic: Any, make_patient: Any, physician: Any
) -> None:
    patient = make_patient(clinic)
    consent(physician, patient)
    client = Client()
    client.force_login(physician)
    upload = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
    assert _post(client, patient, "elbow", upload, clinic.today()).status_code == 400
    assert client.get(f"/patients/{patient.pk}/photos/capture/?session=x").status_code == 400
    assert client.get(f"/patients/{patient.pk}/photos/capture/?session=999").status_code == 404
    assert client.get(f"/patients/{patient.pk}/photos/capture/?on=99999-01-01").status_code == 400


def test_front_desk_cannot_take_photos(clinic: Any, make_patient: Any, make_user: Any) -> None:
    patient = make_patient(clinic)
    client = Client()
    client.force_login(make_user("front_desk", clinic))
    assert client.get(f"/patients/{patient.pk}/photos/capture/").status_code == 403
