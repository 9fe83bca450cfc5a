"""The aftercare handout of a signed session as a PDF, for staff and for the patient."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_signed_note_handout_is_a_pdf_with_the_weeks_care(signed_note: Any, nurse: Any) -> None:
    client = Client()
    client.force_login(nurse)
    response = client.get(f"/sessions/{signed_note.pk}/aftercare.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"aftercare-{signed_note.session_date:%Y-%m-%d}.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 2000
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.patient_id) == ("export", signed_note.patient_id)


def test_handout_text_comes_from_the_engine(signed_note: Any) -> None:
    from fpdf import FPDF

    from cit.clinic.charting import handout

    captured: list[str] = []
    original = FPDF.multi_cell

    def spy(self: FPDF, w: float, h: float, text: str = "", *args: Any, **kwargs: Any) -> Any:
        captured.append(text)
        return original(self, w, h, text, *args, **kwargs)

    FPDF.multi_cell = spy  # type: ignore[method-assign]
    try:
        handout.aftercare_pdf(signed_note)
    finally:
        FPDF.multi_cell = original  # type: ignore[method-assign]
    text = "\n".join(captured)
    assert signed_note.patient.full_name in text
    assert "Day 0" in text
    assert "Day 7" in text
    assert "sunscreen" in text.lower()
    assert "fever" in text.lower(), "the urgent signs are listed"


def test_handout_recovery_agrees_with_the_plan(signed_note: Any, monkeypatch: Any) -> None:
    """The handout prints the plan's recovery line for the session's deepest depth, and
    "largely healed by day 3" only for the shallowest band (CLINICAL.md section 5)."""
    from fpdf import FPDF

    from cit.clinic.charting import handout
    from cit.protocol.planning import recovery_for_depth

    def text_for(depth: float) -> str:
        captured: list[str] = []
        original = FPDF.multi_cell

        def spy(self: FPDF, w: float, h: float, text: str = "", *args: Any, **kwargs: Any) -> Any:
            captured.append(text)
            return original(self, w, h, text, *args, **kwargs)

        monkeypatch.setattr(handout, "deepest_depth", lambda note: depth)
        FPDF.multi_cell = spy  # type: ignore[method-assign]
        try:
            handout.aftercare_pdf(signed_note)
        finally:
            FPDF.multi_cell = original  # type: ignore[method-assign]
        return "\n".join(captured)

    deep = text_for(2.0)
    assert recovery_for_depth(2.0).text in deep
    assert "6-7 days" in deep
    assert "largely healed" not in deep.lower()
    assert "Days 1-3: Some swelling." in deep
    assert "Days 0-7: Possible bruising" in deep  # through the 6-7 days of downtime
    shallow = text_for(0.5)
    assert recovery_for_depth(0.5).text in shallow
    assert "2-3 days" in shallow
    assert "Days 3-3" not in shallow
    assert "largely healed by day 3" in shallow.lower()


def test_a_draft_has_no_handout_yet(draft_note: Any, nurse: Any) -> None:
    client = Client()
    client.force_login(nurse)
    assert client.get(f"/sessions/{draft_note.pk}/aftercare.pdf").status_code == 409


def test_patient_gets_own_signed_handout_front_desk_does_not(
    signed_note: Any, make_user: Any, clinic: Any
) -> None:
    patient_user = make_user("patient", clinic)
    patient = signed_note.patient
    patient.portal_user = patient_user
    patient.save()
    portal = Client()
    portal.force_login(patient_user)
    assert portal.get(f"/sessions/{signed_note.pk}/aftercare.pdf").status_code == 200
    desk = Client()
    desk.force_login(make_user("front_desk", clinic))
    assert desk.get(f"/sessions/{signed_note.pk}/aftercare.pdf").status_code == 403


def test_pdf_bytes_are_readable(signed_note: Any) -> None:
    from cit.clinic.charting.handout import aftercare_pdf

    data = aftercare_pdf(signed_note)
    assert io.BytesIO(data).read(5) == b"%PDF-"
    assert data.rstrip().endswith(b"%%EOF")


def test_the_handout_footer_has_no_protocol_hash(signed_note: Any) -> None:
    """The patient's handout gives the protocol's edition, not its content hash (issue 10)."""
    from pypdf import PdfReader

    from cit.clinic.charting.handout import aftercare_pdf
    from cit.protocol.knowledge import get_knowledge

    reader = PdfReader(io.BytesIO(aftercare_pdf(signed_note)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    knowledge = get_knowledge()
    assert f"edition {knowledge.version}" in text
    assert knowledge.content_hash not in text
    assert "seeds/" not in text
