"""Photo consent is scoped and withdrawable; only the current scope counts (issue 11)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditEvent
from cit.clinic.photos.actions import (
    PhotoRefused,
    clinic_photos_in_scope,
    current_photo_scopes,
    do_withdraw_photo_consent,
    photos_for,
)
from cit.clinic.photos.models import Photo
from tests.clinic.photos.conftest import consent, stored_photo

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 9, 1)


def test_no_photo_can_be_taken_without_consent_to_photos_in_the_record(
    clinic: Any, make_patient: Any, physician: Any
) -> None:
    patient = make_patient(clinic)
    with pytest.raises(PhotoRefused):
        stored_photo(physician, patient, "face_frontal", DAY)
    consent(physician, patient, "teaching")  # teaching alone is not the record
    with pytest.raises(PhotoRefused):
        stored_photo(physician, patient, "face_frontal", DAY)
    assert not Photo.objects.exists()


def test_withdrawn_consent_hides_the_photos_at_once(
    clinic: Any, make_patient: Any, physician: Any
) -> None:
    patient = make_patient(clinic)
    consent(physician, patient, "record", "teaching")
    photo = stored_photo(physician, patient, "face_frontal", DAY)
    client = Client()
    client.force_login(physician)
    assert client.get(f"/photos/{photo.token}/image/").status_code == 200
    assert list(photos_for(patient)) == [photo]

    withdrawal = do_withdraw_photo_consent(
        actor=physician,
        patient=patient,
        stated_on=DAY,
        scopes=["record", "teaching", "publication"],
    )

    assert withdrawal.recorded_by == physician
    assert withdrawal.stated_on == DAY
    assert current_photo_scopes(patient) == frozenset()
    assert list(photos_for(patient)) == []
    assert client.get(f"/photos/{photo.token}/image/").status_code == 404
    assert client.get(f"/photos/{photo.token}/thumbnail/").status_code == 404
    assert photo.token not in client.get(f"/patients/{patient.pk}/photos/").content.decode()
    assert AuditEvent.objects.filter(patient=patient, object_id=str(withdrawal.pk)).exists()


def test_withdrawing_one_use_keeps_the_others(
    clinic: Any, make_patient: Any, physician: Any
) -> None:
    patient = make_patient(clinic)
    consent(physician, patient, "record", "teaching", "publication")
    do_withdraw_photo_consent(actor=physician, patient=patient, stated_on=DAY, scopes=["teaching"])
    assert current_photo_scopes(patient) == {"record", "publication"}


def test_the_latest_statement_counts_not_an_earlier_wider_one(
    clinic: Any, make_patient: Any, physician: Any
) -> None:
    patient = make_patient(clinic)
    consent(physician, patient, "record", "teaching")
    consent(physician, patient, "record")
    assert current_photo_scopes(patient) == {"record"}


def test_teaching_use_needs_the_teaching_scope(
    clinic: Any, make_patient: Any, physician: Any
) -> None:
    teaching_ok = make_patient(clinic, given_name="Tess", email="tess@example.com")
    record_only = make_patient(clinic, given_name="Rita", email="rita@example.com")
    consent(physician, teaching_ok, "record", "teaching")
    consent(physician, record_only, "record")
    shown = stored_photo(physician, teaching_ok, "face_frontal", DAY)
    hidden = stored_photo(physician, record_only, "face_frontal", DAY)
    client = Client()
    client.force_login(physician)

    assert list(clinic_photos_in_scope(clinic, "teaching")) == [shown]
    assert list(photos_for(record_only, scope="teaching")) == []
    gallery = client.get("/photos/teaching/").content.decode()
    assert shown.token in gallery
    assert hidden.token not in gallery
    assert "Rita" not in gallery
    assert "Tess" not in gallery
    assert client.get(f"/photos/teaching/{shown.token}/thumbnail/").status_code == 200
    assert client.get(f"/photos/teaching/{hidden.token}/thumbnail/").status_code == 404
    # The record use still shows the record-only patient's photo.
    assert client.get(f"/photos/{hidden.token}/thumbnail/").status_code == 200


def test_a_withdrawn_teaching_consent_leaves_the_gallery_at_once(
    clinic: Any, make_patient: Any, physician: Any
) -> None:
    patient = make_patient(clinic)
    consent(physician, patient, "record", "teaching")
    photo = stored_photo(physician, patient, "face_frontal", DAY)
    do_withdraw_photo_consent(actor=physician, patient=patient, stated_on=DAY, scopes=["teaching"])
    assert list(clinic_photos_in_scope(clinic, "teaching")) == []
    assert list(photos_for(patient)) == [photo]


def test_the_patient_can_withdraw_their_own_photo_consent(
    clinic: Any, make_patient: Any, make_user: Any, physician: Any
) -> None:
    portal = make_user("patient", clinic)
    patient = make_patient(clinic, portal_user=portal)
    consent(physician, patient, "record", "teaching")
    client = Client()
    client.force_login(portal)

    response = client.post(
        f"/patients/{patient.pk}/photos/consent/",
        {"statement": "withdrawn", "scopes": ["teaching"], "stated_on": DAY.isoformat()},
    )

    assert response.status_code == 302
    assert current_photo_scopes(patient) == {"record"}
    # ... but cannot widen it themselves.
    response = client.post(
        f"/patients/{patient.pk}/photos/consent/",
        {"statement": "given", "scopes": ["publication"], "stated_on": DAY.isoformat()},
    )
    assert response.status_code == 400
    assert current_photo_scopes(patient) == {"record"}


def test_staff_record_consent_on_the_page(clinic: Any, make_patient: Any, make_user: Any) -> None:
    desk = make_user("front_desk", clinic)
    patient = make_patient(clinic)
    client = Client()
    client.force_login(desk)

    refused = client.post(
        f"/patients/{patient.pk}/photos/consent/",
        {"statement": "given", "stated_on": DAY.isoformat()},
    )
    assert refused.status_code == 422
    assert current_photo_scopes(patient) == frozenset()

    response = client.post(
        f"/patients/{patient.pk}/photos/consent/",
        {"statement": "given", "scopes": ["record", "publication"], "stated_on": DAY.isoformat()},
    )
    assert response.status_code == 302
    assert current_photo_scopes(patient) == {"record", "publication"}
    page = client.get(f"/patients/{patient.pk}/photos/consent/").content.decode()
    assert "Publication" in page
    assert desk.get_full_name() in page
