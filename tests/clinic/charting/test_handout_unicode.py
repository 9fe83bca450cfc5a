"""The handout prints every patient's name as written (Polish, Vietnamese, Greek, Cyrillic,
Chinese, Japanese, Korean, and Arabic and Hebrew right to left) with the shipped fonts; a
name they cannot print (Devanagari) is not turned into "?" but replaced by a plain
sentence; every page carries the patient header and "Page n of m"; a day's care is never
split across pages. Read back with pypdf's text extraction."""

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
        ("芳", "王"),  # Chinese, from the fallback font
        ("さくら", "山田"),  # Japanese kana and kanji
        ("민준", "김"),  # Korean Hangul
    ],
)
def test_names_print_intact(signed_note: Any, given: str, family: str) -> None:
    text = "\n".join(_pages(aftercare_pdf(_rename(signed_note, given, family))))
    assert f"Aftercare for {given} {family}," in text
    assert "?" not in text.replace("?)", "")  # nothing turned into a question mark


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("محمد", "الحسن"),  # Arabic: letters joined by HarfBuzz
        ("שרה", "כהן"),  # Hebrew
    ],
)
def test_right_to_left_names_print_in_reading_order(
    signed_note: Any, given: str, family: str
) -> None:
    # Laid out right to left, the name reads back in its logical order as one run (the
    # extraction puts the comma that follows it on the run's visual left).
    text = "\n".join(_pages(aftercare_pdf(_rename(signed_note, given, family))))
    assert f"{given} {family}" in text
    assert "could not be printed" not in text
    assert "?" not in text


def test_a_name_the_font_cannot_print_is_said_plainly(signed_note: Any) -> None:
    text = "\n".join(_pages(aftercare_pdf(_rename(signed_note, "देवी", "शर्मा"))))
    assert "देवी" not in text
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


@pytest.mark.parametrize(
    ("order", "birth", "session"),
    [("dmy", "10 December 1985", "{d} {B} {Y}"), ("mdy", "December 10, 1985", "{B} {d}, {Y}")],
)
def test_the_handout_writes_dates_in_the_clinics_order(
    signed_note: Any, order: str, birth: str, session: str
) -> None:
    from cit.clinic.patients.models import Patient

    Patient.objects.filter(pk=signed_note.patient_id).update(birth_date="1985-12-10")
    clinic = signed_note.patient.clinic
    clinic.date_order = order
    clinic.save(update_fields=["date_order"])
    signed_note.patient.refresh_from_db()
    day = signed_note.session_date
    written = session.format(d=day.day, B=f"{day:%B}", Y=day.year)
    text = "\n".join(_pages(aftercare_pdf(signed_note)))
    assert f"born {birth}" in text
    assert f"session on {written}" in text
