"""Patients registered at the same moment never share a medical record number."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connection

from cit.clinic.patients.actions import do_register_patient
from cit.clinic.patients.models import Patient

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def test_concurrent_registrations_get_distinct_sequential_numbers(clinic: Any) -> None:
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def register(number: int) -> None:
        try:
            start.wait()
            do_register_patient(
                actor=None,
                clinic=clinic,
                given_name=f"Concurrent{number}",
                family_name="Patient",
                birth_date=datetime.date(1980, 1, 1),
                sex="female",
            )
        except BaseException as error:  # collected and re-raised in the test thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Patient.objects.values_list("record_number", flat=True))
    assert numbers == [f"TC{n:06d}" for n in range(1, THREADS + 1)]
    clinic.refresh_from_db()
    assert clinic.last_record_number == THREADS
