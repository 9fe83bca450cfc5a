"""The signed-in user comes back with their clinic in one query; a retired user does not."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cit.clinic.accounts.backends import ClinicUserBackend

pytestmark = pytest.mark.django_db


def test_the_user_and_their_clinic_in_one_query(desk: Any, clinic: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        user = ClinicUserBackend().get_user(desk.pk)
        assert user is not None
        assert user.clinic.timezone == clinic.timezone
    assert len(queries) == 1


def test_a_retired_user_is_not_signed_in(desk: Any) -> None:
    desk.is_active = False
    desk.save(update_fields=["is_active"])
    assert ClinicUserBackend().get_user(desk.pk) is None
    assert ClinicUserBackend().get_user(987654) is None


def test_a_signed_in_page_reads_user_and_clinic_together(desk: Any) -> None:
    client = Client()
    client.force_login(desk)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/patients/").status_code == 200
    user_queries = [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(user_queries) == 1
    assert '"facilities_clinic"' in user_queries[0]
    assert not any(
        q["sql"].startswith('SELECT "facilities_clinic"') for q in queries.captured_queries
    )
