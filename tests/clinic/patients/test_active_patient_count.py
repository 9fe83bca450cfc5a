"""Each clinic keeps its count of patients not archived; the home pages show it without
counting rows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cit.clinic.facilities.models import Clinic
from cit.clinic.patients.actions import do_archive_patient, do_restore_patient
from cit.clinic.patients.models import Patient


def stored_count(clinic: Clinic) -> int:
    clinic.refresh_from_db(fields=["active_patients"])
    return clinic.active_patients


@pytest.mark.django_db
def test_registering_archiving_and_restoring_keep_the_count(
    clinic: Any, other_clinic: Any, make_patient: Any, physician: Any
) -> None:
    ada, grace, _alan = (make_patient(clinic, given_name=n) for n in ("Ada", "Grace", "Alan"))
    make_patient(other_clinic)
    assert stored_count(clinic) == 3
    assert stored_count(other_clinic) == 1

    do_archive_patient(actor=physician, patient=ada)
    do_archive_patient(actor=physician, patient=grace)
    assert stored_count(clinic) == 1
    # Archiving an archived record again changes nothing.
    ada.refresh_from_db()
    ada.archive()
    assert stored_count(clinic) == 1

    do_restore_patient(actor=physician, patient=grace)
    ada.refresh_from_db()
    ada.save()  # an edit of an existing record is no new patient
    assert stored_count(clinic) == 2
    assert stored_count(other_clinic) == 1


@pytest.mark.django_db
def test_a_patient_written_outside_the_actions_is_counted_too(clinic: Any) -> None:
    """The demo loader writes patients with update_or_create."""
    fields = {"birth_date": datetime.date(1990, 1, 1), "sex": "female", "record_number": "TC9"}
    Patient.objects.update_or_create(clinic=clinic, family_name="Demo", defaults=fields)
    Patient.objects.update_or_create(clinic=clinic, family_name="Demo", defaults=fields)
    assert stored_count(clinic) == 1
    assert stored_count(clinic) == Patient.objects.active().filter(clinic=clinic).count()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["front_desk", "physician", "clinic_admin"])
def test_the_home_page_shows_the_count_without_counting_rows(
    role: str, clinic: Any, make_patient: Any, make_user: Any, physician: Any
) -> None:
    for given in ("Ada", "Grace", "Alan", "Edsger"):
        make_patient(clinic, given_name=given)
    do_archive_patient(
        actor=physician, patient=Patient.objects.get(clinic=clinic, given_name="Alan")
    )
    client = Client()
    client.force_login(make_user(role, clinic))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert "3 active patient" in response.content.decode()
    counted = [
        q["sql"] for q in queries if 'COUNT(*) AS "__count" FROM "patients_patient"' in q["sql"]
    ]
    assert counted == []
