"""The consent a patient signed, as a PDF: the form's words, the signature (typed or drawn),
when and the witness; names in any Latin, Greek or Cyrillic script intact. Staff who may read
the chart and the patient themself get it, audited; another patient gets 404 and front desk
403 (the role rules of the chart)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from cit.clinic.audit.models import AuditEvent
from cit.clinic.charting.consent import do_sign_consent
from cit.clinic.charting.models import ConsentSignature
from tests.clinic.charting.conftest import CONSENT_TEXT, png_data_url

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def signature(clinic: Any, make_patient: Any, consent_form: Any, nurse: Any, make_user: Any) -> Any:
    portal = make_user("patient", clinic)
    patient = make_patient(
        clinic, portal_user=portal, given_name="Светлана", family_name="Nguyễn-Łęcka"
    )
    return do_sign_consent(
        actor=nurse,
        patient=patient,
        form=consent_form,
        method="typed",
        typed_name="Светлана Nguyễn-Łęcka",
    )


def test_the_patient_downloads_their_signed_consent(signature: Any) -> None:
    client = Client()
    client.force_login(signature.patient.portal_user)
    response = client.get(f"/consents/{signature.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(_text(response.content).split())
    assert "Micro-needling consent" in text
    assert " ".join(CONSENT_TEXT.split()) in text
    assert "Typed signature: Светлана Nguyễn-Łęcka" in text
    assert "Signed by Светлана Nguyễn-Łęcka on" in text
    assert "Witnessed by" in text
    assert "Page 1 of 1" in text
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.patient_id) == ("export", signature.patient_id)


def test_staff_who_read_the_chart_get_it_front_desk_does_not(
    signature: Any, nurse: Any, make_user: Any, clinic: Any
) -> None:
    staff = Client()
    staff.force_login(nurse)
    assert staff.get(f"/consents/{signature.pk}.pdf").status_code == 200
    desk = Client()
    desk.force_login(make_user("front_desk", clinic))
    assert desk.get(f"/consents/{signature.pk}.pdf").status_code == 403


def test_another_patient_gets_404_and_the_refusal_is_audited(
    signature: Any, make_user: Any, make_patient: Any, clinic: Any
) -> None:
    other_user = make_user("patient", clinic)
    make_patient(clinic, portal_user=other_user, given_name="Eve", family_name="Other")
    client = Client()
    client.force_login(other_user)
    response = client.get(f"/consents/{signature.pk}.pdf")
    assert response.status_code == 404
    assert b"%PDF" not in response.content
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.patient_id) == ("denied", signature.patient_id)
    assert client.get("/consents/999999.pdf").status_code == 404


def test_a_drawn_signature_is_drawn(screened_patient: Any, consent_form: Any, nurse: Any) -> None:
    from cit.clinic.charting.consent_pdf import consent_pdf

    drawn = do_sign_consent(
        actor=nurse,
        patient=screened_patient,
        form=consent_form,
        method="drawn",
        drawn_signature=png_data_url(),
    )
    data = consent_pdf(ConsentSignature.objects.get(pk=drawn.pk))
    assert "Drawn signature:" in _text(data)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages[0].images) == 1


def test_the_patient_finds_the_link_on_their_sessions_page(signature: Any) -> None:
    client = Client()
    client.force_login(signature.patient.portal_user)
    page = client.get(f"/patients/{signature.patient_id}/sessions/").content.decode()
    assert f"/consents/{signature.pk}.pdf" in page
