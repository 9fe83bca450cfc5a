"""Every table header on the calendar and a patient's bookings has words for a screen
reader (axe "empty-table-header"): the action column and the time rows included."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


class _Headers(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "th":
            self._inside = True
            self.headers.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.headers[-1] += data


def _empty_headers(html: str) -> int:
    parser = _Headers()
    parser.feed(html)
    assert parser.headers, "no table headers at all"
    return sum(1 for text in parser.headers if not text.strip())


@pytest.mark.parametrize("view", ["day", "week"])
@pytest.mark.parametrize("by", ["provider", "room"])
def test_calendar_headers_have_text(
    booking_clinic: Any, desk: Any, nurse: Any, view: str, by: str
) -> None:
    client = Client()
    client.force_login(desk)
    response = client.get(f"/calendar/?view={view}&by={by}")
    assert response.status_code == 200
    assert _empty_headers(response.content.decode()) == 0


def test_patient_bookings_headers_have_text(
    booking_clinic: Any, desk: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    patient = make_patient(booking_clinic)
    book(make_plan(patient, sessions=3))
    client = Client()
    client.force_login(desk)
    response = client.get(f"/patients/{patient.pk}/bookings/")
    assert response.status_code == 200
    assert _empty_headers(response.content.decode()) == 0
