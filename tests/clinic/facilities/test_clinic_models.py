"""Model rules that hold in the database, not only in forms."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cit.clinic.facilities.models import Clinic, Device, OpeningHours
from cit.clinic.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_clinic_timezone_must_be_iana() -> None:
    with pytest.raises(ValidationError, match="not an IANA time zone"):
        Clinic(name="X", timezone="Mars/Olympus").full_clean()
    Clinic(name="X", timezone="Australia/Sydney").full_clean()


def test_opening_hours_must_open_before_closing(clinic: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(
            clinic=clinic, weekday=0, opens=datetime.time(18), closes=datetime.time(9)
        )


def test_needling_device_needs_depth_centrifuge_has_none(clinic: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.create(clinic=clinic, kind="pen", model="P", serial_number="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.create(
            clinic=clinic, kind="centrifuge", model="C", serial_number="2", max_depth_mm=1
        )
    Device.objects.create(
        clinic=clinic, kind="pen", model="P", serial_number="3", max_depth_mm=Decimal("2.5")
    )


def test_device_depth_is_bounded(clinic: Any) -> None:
    device = Device(clinic=clinic, kind="pen", model="P", serial_number="9", max_depth_mm=5)
    with pytest.raises(ValidationError, match="max_depth_mm"):
        device.full_clean()


def test_record_numbers_are_sequential_per_clinic(
    clinic: Any, other_clinic: Any, make_patient: Any
) -> None:
    first, second = make_patient(clinic), make_patient(clinic)
    elsewhere = make_patient(other_clinic)
    assert (first.record_number, second.record_number) == ("TC000001", "TC000002")
    assert elsewhere.record_number == "OC000001"


def test_record_number_unique_per_clinic(clinic: Any, make_patient: Any) -> None:
    patient = make_patient(clinic)
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(
            clinic=clinic,
            record_number=patient.record_number,
            given_name="B",
            family_name="C",
            birth_date=datetime.date(1990, 1, 1),
            sex="male",
        )


def test_fitzpatrick_type_is_one_to_six_in_the_database(clinic: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(
            clinic=clinic,
            record_number="X1",
            given_name="B",
            family_name="C",
            birth_date=datetime.date(1990, 1, 1),
            sex="male",
            fitzpatrick_type=7,
        )


def test_birth_date_cannot_be_in_the_future(clinic: Any, make_patient: Any) -> None:
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        make_patient(clinic, birth_date=tomorrow)
    assert not Patient.objects.exists()


def test_age_on_a_day(clinic: Any, make_patient: Any) -> None:
    patient = make_patient(clinic, birth_date=datetime.date(2000, 2, 29))
    assert patient.age_on(datetime.date(2018, 2, 28)) == 17
    assert patient.age_on(datetime.date(2018, 3, 1)) == 18


def test_provider_licence_rules(clinic: Any, make_user: Any) -> None:
    nurse = make_user("registered_nurse", clinic).provider
    esthetician = make_user("esthetician", clinic).provider
    valid_day = nurse.licence_expires_on
    assert nurse.may_break_skin_on(valid_day)
    assert not nurse.may_break_skin_on(valid_day + datetime.timedelta(days=1))
    assert not esthetician.may_break_skin_on(valid_day)
