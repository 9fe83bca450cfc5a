"""The chart page: the face map shows the knowledge-base zones, htmx swaps the zone panel,
refusals come back as field errors and change nothing, and reads are audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditEvent
from cit.clinic.charting.models import SessionNote, ZoneTreatment
from cit.clinic.charting.sessions import do_start_session
from cit.protocol.knowledge import get_knowledge

pytestmark = pytest.mark.django_db


def test_the_face_map_has_every_knowledge_base_zone(draft_note: Any, nurse: Any) -> None:
    client = Client()
    client.force_login(nurse)
    page = client.get(f"/sessions/{draft_note.pk}/").content.decode()
    for zone in get_knowledge().zones:
        assert f'data-zone="{zone}"' in page
    assert 'data-max="0.50"' in page  # periorbital, from the knowledge base
    assert "<script>" not in page
    assert "style=" not in page  # the CSP allows neither
    assert AuditEvent.objects.filter(
        actor=nurse, object_type="charting.SessionNote", action="view"
    ).exists()


def test_htmx_charting_swaps_the_zone_panel_with_field_errors(
    draft_note: Any, esthetician: Any
) -> None:
    client = Client()
    client.force_login(esthetician)
    url = f"/sessions/{draft_note.pk}/zones/"
    data = {"zone": "cheeks", "depth_mm": "1.0", "passes": "2", "endpoint": "even_erythema"}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert (
        response.status_code == 422
    )  # refused: the form with its errors and body.startswith('<div id="zone-panel"')
    assert 'data-field="depth_mm"' in body
    assert "breaks the skin" in body
    assert not ZoneTreatment.objects.exists()
    response = client.post(url, {**data, "depth_mm": "0.3"}, HTTP_HX_REQUEST="true")
    assert 'data-zone-row="cheeks"' in response.content.decode()
    assert 'class="zone charted" data-zone="cheeks"' in response.content.decode()


def test_plain_form_refusal_rerenders_the_page(draft_note: Any, nurse: Any) -> None:
    client = Client()
    client.force_login(nurse)
    response = client.post(
        f"/sessions/{draft_note.pk}/details/",
        {"photos_taken": "yes", "numbing_applied_at": "10:00", "numbing_removed_at": "09:00"},
    )
    assert response.status_code == 422  # refused: the form with its errors
    assert b'data-field="numbing_removed_at"' in response.content
    assert SessionNote.objects.get().numbing_applied_at is None


def test_start_page_refusal_names_the_missing_consent(
    screened_patient: Any, consent_form: Any, nurse: Any, pen: Any, today: Any
) -> None:
    client = Client()
    client.force_login(nurse)
    response = client.post(
        f"/patients/{screened_patient.pk}/sessions/new/",
        {
            "procedure": "microneedling",
            "session_date": today.isoformat(),
            "device": pen.pk,
            "photos_taken": "yes",
        },
    )
    assert (
        response.status_code == 422
    )  # refused: the form with its errors and b"has not signed" in response.content
    assert not SessionNote.objects.exists()


def test_the_patient_sees_signed_notes_only(
    signed_note: Any, nurse: Any, pen: Any, clinic: Any, make_user: Any
) -> None:
    user = make_user("patient", clinic)
    patient = signed_note.patient
    draft_note = do_start_session(
        actor=nurse,
        patient=patient,
        session_date=signed_note.session_date,
        device=pen,
        photos_taken=False,
    )
    patient.portal_user = user
    patient.save()
    client = Client()
    client.force_login(user)
    listing = client.get(f"/patients/{patient.pk}/sessions/").content.decode()
    assert f"/sessions/{signed_note.pk}/" in listing
    assert f"/sessions/{draft_note.pk}/" not in listing
    page = client.get(f"/sessions/{signed_note.pk}/").content.decode()
    assert "Add an amendment" not in page
    assert 'data-testid="zone-form"' not in page
    assert "Aftercare for this session" in page
    assert client.get(f"/sessions/{draft_note.pk}/").status_code == 403
    assert AuditEvent.objects.filter(
        actor=user, action="denied", object_id=str(draft_note.pk)
    ).exists()
