"""The note API gives the decision that stood when the session started (the engine's,
as changed by standing overrides), with the engine's own answer beside it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cit.clinic.charting.sessions import do_start_session
from cit.clinic.intake.actions import do_override_finding, do_record_intake

pytestmark = pytest.mark.django_db

# Apixaban alone: the anticoagulant rule refers the patient; nothing else is found.
ON_APIXABAN = {
    "birth_date": "1985-06-01",
    "medications": [{"name": "Eliquis 5 mg"}],
    "goals": [{"indication": "rejuvenation", "areas": ["face"]}],
}


def test_note_api_returns_the_effective_decision_after_an_override(
    consented_patient: Any, nurse: Any, physician: Any, pen: Any, today: Any
) -> None:
    _, screening = do_record_intake(
        actor=nurse, patient=consented_patient, data=ON_APIXABAN, source="desk", today=today
    )
    do_override_finding(
        actor=physician,
        screening=screening,
        rule="anticoagulant",
        reason="Apixaban paused 48 h by cardiology",
    )
    note = do_start_session(
        actor=nurse, patient=consented_patient, device=pen, session_date=today, photos_taken=True
    )
    client = Client()
    client.force_login(nurse)
    body = client.get(f"/api/sessions/{note.pk}").json()
    assert body["screening"]["engine_decision"] == "refer"
    assert body["screening"]["decision"] == "treat"
    assert body["screening"]["overridden_rules"] == ["anticoagulant"]


def test_note_api_without_override_gives_the_engine_decision_twice(
    draft_note: Any, nurse: Any
) -> None:
    client = Client()
    client.force_login(nurse)
    body = client.get(f"/api/sessions/{draft_note.pk}").json()
    assert body["screening"]["decision"] == "treat"
    assert body["screening"]["engine_decision"] == "treat"
    assert body["screening"]["overridden_rules"] == []
