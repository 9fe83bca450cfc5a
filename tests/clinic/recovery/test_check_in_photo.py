"""A check-in may carry a photo of the treated skin: only with the patient's portal account
and photo consent for the record; it is sanitised and kept with the session's photographs,
and a file that is not a usable image is a form error that records nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cit.clinic.photos.actions import open_photo_file
from cit.clinic.photos.models import Photo
from cit.clinic.recovery.links import check_in_token
from cit.clinic.recovery.models import CheckIn, DiaryEntry
from tests.clinic.photos.conftest import consent, jpeg_bytes, photo_dir  # noqa: F401

ANSWERS = {"redness": "2", "swelling": "1", "pain": "3", "pain_trend": "better"}
pytestmark = pytest.mark.django_db
LABEL = "A photo of the treated skin (optional)"


def _link(check_in: CheckIn) -> str:
    return f"/diary/{check_in_token(check_in)}/"


def _upload(data: bytes, name: str = "skin.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_no_photo_without_consent(day_two: CheckIn, portal_user: Any) -> None:
    client = Client()
    assert LABEL not in client.get(_link(day_two)).content.decode()
    done = client.post(_link(day_two), {**ANSWERS, "photo": _upload(jpeg_bytes())})
    assert done.status_code == 200
    assert DiaryEntry.objects.count() == 1
    assert not Photo.objects.exists()


def test_a_photo_goes_with_the_session_without_its_location(
    day_two: CheckIn, portal_user: Any, nurse: Any
) -> None:
    consent(nurse, day_two.patient, "record")
    client = Client()
    assert LABEL in client.get(_link(day_two)).content.decode()
    done = client.post(_link(day_two), {**ANSWERS, "photo": _upload(jpeg_bytes(gps=True))})
    assert done.status_code == 200
    photo = Photo.objects.get()
    assert (photo.patient_id, photo.session_note_id, photo.uploaded_by_id) == (
        day_two.patient_id,
        day_two.note_id,
        portal_user.pk,
    )
    with open_photo_file(photo) as stored:
        assert b"Exif" not in stored.read(4096)


def test_a_file_that_is_not_an_image_records_nothing(
    day_two: CheckIn, portal_user: Any, nurse: Any
) -> None:
    consent(nurse, day_two.patient, "record")
    page = Client().post(
        _link(day_two), {**ANSWERS, "photo": _upload(b"not a picture at all", "skin.jpg")}
    )
    assert page.status_code == 422
    assert not DiaryEntry.objects.exists()
    assert not Photo.objects.exists()
    day_two.refresh_from_db()
    assert day_two.answered_at is None
