"""The handout prints every patient's name as written (Polish, Vietnamese, Greek, Cyrillic)
with the shipped font; a name the font cannot print (Chinese) is not turned into "?" but
replaced by a plain sentence; every page carries the patient header and "Page n of m"; a
day's care is never split across pages. Read back with pypdf's text extraction."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from cit.clinic.charting.handout import aftercare_pdf

pytestmark = pytest.mark.django_db


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _rename(note: Any, given: str, family: str) -> Any:
    from cit.clinic.patients.models import Patient

    Patient.objects.filter(pk=note.patient_id).update(given_name=given, family_name=family)
    note.patient.refresh_from_db()
    return note


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("Łucja", "Żółkiewska"),  # Polish
        ("Thị Ánh", "Nguyễn"),  # Vietnamese: stacked diacritics
        ("Αλέξανδρος", "Παπαδόπουλος"),  # Greek
        ("Жанна", "Щербакова"),  # Cyrillic
    ],
)
def test_names_print_intact(signed_note: Any, given: str, family: str) -> None:
    text = "\n".join(_pages(aftercare_pdf(_rename(signed_note, given, family))))
    assert f"Aftercare for {given} {family}," in text
    assert "?" not in text.replace("?)", "")  # nothing turned into a question mark


def test_a_name_the_font_cannot_print_is_said_plainly(signed_note: Any) -> None:
    text = "\n".join(_pages(aftercare_pdf(_rename(signed_note, "王", "芳"))))
    assert "王" not in text
    assert "?" not in text
    assert "the name could not be printed in this document" in text


def test_every_page_has_the_patient_header_and_page_n_of_m(signed_note: Any) -> None:
    note = _rename(signed_note, "Łucja", "Żółkiewska")
    pages = _pages(aftercare_pdf(note))
    assert len(pages) >= 2, "the handout of a week's care runs over more than one page"
    record = note.patient.record_number
    for number, text in enumerate(pages, start=1):
        assert f"Aftercare for Łucja Żółkiewska, record {record}" in text
        assert f"Page {number} of {len(pages)}" in text


@pytest.mark.parametrize("push_mm", range(0, 100, 8))
def test_no_day_is_split_across_pages(signed_note: Any, monkeypatch: Any, push_mm: int) -> None:
    """Wherever the day-by-day part starts on the page (pushed down by ``push_mm``), each
    day's label and all its instructions are on the same page."""
    from cit.clinic.charting.document import PatientDocument
    from cit.protocol.aftercare import aftercare
    from cit.protocol.profiles import load_profile

    original = PatientDocument.heading

    def pushed(self: PatientDocument, text: str, size: float = 13) -> None:
        if text == "Day by day":
            self.ln(push_mm)
        original(self, text, size)

    monkeypatch.setattr(PatientDocument, "heading", pushed)
    pages = _pages(aftercare_pdf(signed_note))
    profile = load_profile(signed_note.patient.clinic.protocol_profile)
    for day in range(8):
        care = aftercare(signed_note.session_date, day, profile)
        (page,) = [text for text in pages if re.search(rf"\bDay {day} \(", text)]
        flat = " ".join(page.split())
        for instruction in care.instructions:
            assert " ".join(instruction.text.split()) in flat, (day, instruction.text)
