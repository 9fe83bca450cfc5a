"""The clinic admin sets the consultation length and the roles that hold consultations
(audited); nobody else may; bad values change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_default_is_30_minutes_with_every_clinical_role(clinic: Any) -> None:
    assert clinic.consultation_minutes == 30
    assert sorted(clinic.consultation_roles) == [
        "esthetician",
        "nurse_practitioner",
        "physician",
        "physician_assistant",
        "registered_nurse",
    ]


def test_the_admin_changes_them(clinic: Any, make_user: Any) -> None:
    admin = make_user("clinic_admin", clinic)
    client = _client(admin)
    assert "30 minutes" in client.get("/clinic/").content.decode()
    assert client.get("/clinic/consultations/").status_code == 200
    response = client.post(
        "/clinic/consultations/",
        {"consultation_minutes": "45", "consultation_roles": ["physician", "registered_nurse"]},
    )
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.consultation_minutes == 45
    assert clinic.consultation_roles == ["physician", "registered_nurse"]
    event = AuditEvent.objects.filter(actor=admin).order_by("-pk").first()
    assert event is not None
    assert event.detail["consultations"]["before"]["minutes"] == 30
    assert "45 minutes" in client.get("/clinic/").content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"consultation_minutes": "5", "consultation_roles": ["physician"]},
        {"consultation_minutes": "500", "consultation_roles": ["physician"]},
        {"consultation_minutes": "abc", "consultation_roles": ["physician"]},
        {"consultation_minutes": "30"},
        {"consultation_minutes": "30", "consultation_roles": ["front_desk"]},
        {"consultation_minutes": "30", "consultation_roles": ["patient"]},
    ],
)
def test_bad_values_change_nothing(clinic: Any, make_user: Any, data: dict[str, Any]) -> None:
    response = _client(make_user("clinic_admin", clinic)).post("/clinic/consultations/", data)
    assert 400 <= response.status_code < 500
    clinic.refresh_from_db()
    assert clinic.consultation_minutes == 30
    assert len(clinic.consultation_roles) == 5


@pytest.mark.parametrize("role", ["front_desk", "physician", "registered_nurse", "patient"])
def test_only_the_admin_may(clinic: Any, make_user: Any, role: str) -> None:
    client = _client(make_user(role, clinic))
    assert client.get("/clinic/consultations/").status_code == 403
    data = {"consultation_minutes": "60", "consultation_roles": ["physician"]}
    assert client.post("/clinic/consultations/", data).status_code == 403
    clinic.refresh_from_db()
    assert clinic.consultation_minutes == 30
