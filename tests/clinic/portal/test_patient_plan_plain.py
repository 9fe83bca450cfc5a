"""A patient opening their own plan page reads it in plain words: no engine decision,
rule ids, enum values, protocol version or hash, file paths or depth tables. Another
patient's plan stays closed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from cit.protocol.knowledge import get_knowledge

pytestmark = pytest.mark.django_db


def test_own_plan_in_plain_words(portal_patient: Any, booked: Any, portal_user: Any) -> None:
    client = Client()
    client.force_login(portal_user)
    response = client.get(f"/patients/{portal_patient.pk}/plan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 sessions, about 4 weeks apart" in html
    knowledge = get_knowledge()
    for word in (knowledge.content_hash, knowledge.protocol_version, "seeds/", "profile"):
        assert word not in html
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text)  # acne_scars, do_not_treat…
    assert "Planned depth" not in html
    assert '<form method="post" novalidate' not in html


def test_a_refused_screening_is_not_shown_to_the_patient_as_rules(
    portal_patient: Any, portal_user: Any
) -> None:
    from cit.clinic.intake.actions import do_record_intake

    do_record_intake(
        actor=None,
        patient=portal_patient,
        data={
            "birth_date": "1985-06-01",
            "sex": "female",
            "pregnant": True,
            "goals": [{"indication": "rejuvenation", "areas": ["face"]}],
        },
        source="portal",
        today=portal_patient.clinic.today(),
    )
    client = Client()
    client.force_login(portal_user)
    html = client.get(f"/patients/{portal_patient.pk}/plan/").content.decode()
    assert "Your clinician will agree a plan with you" in html
    assert "do_not_treat" not in html
    assert "pregnan" not in html.lower()


def test_another_patients_plan_is_closed(
    portal_patient: Any, booked: Any, other_patient: Any
) -> None:
    client = Client()
    client.force_login(other_patient.portal_user)
    assert client.get(f"/patients/{portal_patient.pk}/plan/").status_code in (403, 404)
