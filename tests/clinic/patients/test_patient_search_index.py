"""On PostgreSQL a patient search reads the trigram index on the search key, not the table."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection

from cit.clinic.paging import keyset_page
from cit.clinic.patients.matching import search_key
from cit.clinic.patients.models import Patient
from cit.clinic.patients.queries import PATIENT_ORDER, search_candidates, search_keep

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only"
    ),
]

GIVEN = ["Amara", "Bjorn", "Chloe", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas"]


def _fill(clinic: Any, count: int) -> None:
    rows = []
    for number in range(count):
        given, family = GIVEN[number % len(GIVEN)], f"Family{number:05d}"
        record = f"TC-{number:06d}"
        email = f"p{number}@mail.example"
        rows.append(
            Patient(
                clinic=clinic,
                record_number=record,
                given_name=given,
                family_name=family,
                birth_date=datetime.date(1980, 1, 1) + datetime.timedelta(days=number % 9000),
                sex="female",
                email=email,
                search_key=search_key(given, family, record, email, ""),
            )
        )
    Patient.objects.bulk_create(rows, batch_size=1000)
    Patient.objects.create(
        clinic=clinic,
        record_number="TC-999999",
        given_name="Olivia",
        family_name="Martínez",
        birth_date=datetime.date(1990, 3, 14),
        sex="female",
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patients_patient")


def _plan(rows: Any) -> str:
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test-sized table is read whole faster than through any index; at a clinic's
        # size the planner's choice is the index, which this makes it show now.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(line for (line,) in cursor.fetchall())


@pytest.mark.parametrize("query", ["martinez", "Martí", "rtí"])
def test_a_name_search_uses_the_trigram_index(clinic: Any, query: str) -> None:
    _fill(clinic, 5000)
    candidates = search_candidates(Patient.objects.filter(clinic=clinic), query)
    found = keyset_page(
        candidates, ordering=PATIENT_ORDER, cursor=None, size=25, keep=search_keep(query)
    )
    assert [p.family_name for p in found] == ["Martínez"]
    plan = _plan(search_candidates(Patient.objects.filter(clinic=clinic), query))
    assert "patient_search_key_trgm" in plan, plan
