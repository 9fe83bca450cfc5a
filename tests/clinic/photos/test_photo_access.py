"""A photo is reached only through the authorised, audited view: staff of the patient's
clinic who see clinical records, and the patient their own. Anyone else gets 404, and no
page or URL gives away where the file is kept."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditAction, AuditEvent
from tests.clinic.photos.conftest import consent, stored_photo

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 9, 1)


@pytest.fixture
def setting(clinic: Any, other_clinic: Any, make_user: Any, make_patient: Any) -> Any:
    doctor = make_user("physician", clinic)
    own_portal = make_user("patient", clinic)
    other_portal = make_user("patient", clinic)
    patient = make_patient(clinic, portal_user=own_portal)
    make_patient(clinic, portal_user=other_portal, given_name="Bea", email="bea@example.com")
    consent(doctor, patient, "record", "teaching")
    photo = stored_photo(doctor, patient, "face_frontal", DAY, gps=True)
    return {
        "doctor": doctor,
        "patient": patient,
        "photo": photo,
        "own_portal": own_portal,
        "other_portal": other_portal,
        "other_clinic_doctor": make_user("physician", other_clinic),
        "desk": make_user("front_desk", clinic),
        "admin": make_user("clinic_admin", clinic),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_clinician_and_patient_get_the_photo_not_cached(setting: Any) -> None:
    photo = setting["photo"]
    for user in (setting["doctor"], setting["own_portal"]):
        response = _client(user).get(f"/photos/{photo.token}/image/")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(photo.pk))
    assert views.count() == 2


@pytest.mark.parametrize("who", ["other_portal", "other_clinic_doctor", "desk", "admin"])
def test_anyone_else_gets_404(setting: Any, who: str) -> None:
    photo = setting["photo"]
    client = _client(setting[who])
    for url in (
        f"/photos/{photo.token}/image/",
        f"/photos/{photo.token}/thumbnail/",
        f"/photos/teaching/{photo.token}/image/",
    ):
        assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, object_id=str(photo.pk)).exists()


def test_a_patient_cannot_use_the_teaching_view_even_for_their_own_photo(setting: Any) -> None:
    photo = setting["photo"]
    assert (
        _client(setting["own_portal"]).get(f"/photos/teaching/{photo.token}/image/").status_code
        == 404
    )


def test_anonymous_users_are_sent_to_log_in(setting: Any) -> None:
    response = Client().get(f"/photos/{setting['photo'].token}/image/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_guessed_token_or_the_storage_name_reaches_nothing(setting: Any) -> None:
    client = _client(setting["doctor"])
    photo = setting["photo"]
    assert client.get("/photos/1/image/").status_code == 404
    assert client.get(f"/photos/{Path(photo.image_name).stem}/image/").status_code == 404


def test_no_page_exposes_the_storage_path(setting: Any, photo_dir: Path) -> None:
    photo = setting["photo"]
    patient = setting["patient"]
    client = _client(setting["doctor"])
    stem = Path(photo.image_name).stem
    assert (photo_dir / photo.image_name).is_file()
    assert len(photo.token) >= 40
    assert stem not in photo.token
    for url in (
        f"/patients/{patient.pk}/photos/",
        f"/patients/{patient.pk}/photos/views/face_frontal/",
        f"/patients/{patient.pk}/photos/compare/",
        f"/patients/{patient.pk}/photos/capture/",
        "/photos/teaching/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert stem not in html, url
        assert str(photo_dir) not in html, url
        assert "/media/" not in html


def test_photo_pages_refuse_other_clinics_and_patients(setting: Any) -> None:
    patient = setting["patient"]
    for who in ("other_portal", "other_clinic_doctor"):
        response = _client(setting[who]).get(f"/patients/{patient.pk}/photos/")
        assert response.status_code in (403, 404)
    assert _client(setting["desk"]).get(f"/patients/{patient.pk}/photos/").status_code == 403
