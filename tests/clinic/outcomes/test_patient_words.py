"""The patient rates in plain words: each patient-rated scale asks its question, not the
scale's technical name."""

from __future__ import annotations

from typing import Any


def test_patient_sees_questions(client: Any, portal_user: Any, portal_patient: Any) -> None:
    client.force_login(portal_user)
    page = client.get(f"/patients/{portal_patient.pk}/outcomes/").content.decode()
    links = page.split('data-testid="rate-links"')[1].split("</ul>")[0]
    assert "How satisfied are you with your treatment?" in links
    assert "Compared with before your treatment, how does the treated area look now?" in links
    assert "GAIS" not in links
    assert "Global Aesthetic" not in links
    form = client.get(f"/patients/{portal_patient.pk}/outcomes/rate/striae-patient-rating/")
    text = form.content.decode()
    assert "How much better do your stretch marks look, from 0 (no better) to 10" in text
    assert "Session (optional)" not in text  # sessions are the clinic's to link
    assert "<h1>Your rating</h1>" in text


def test_staff_see_scale_names(client: Any, nurse: Any, portal_patient: Any) -> None:
    client.force_login(nurse)
    page = client.get(f"/patients/{portal_patient.pk}/outcomes/").content.decode()
    assert "Global Aesthetic Improvement Scale, rated by the patient" in page
