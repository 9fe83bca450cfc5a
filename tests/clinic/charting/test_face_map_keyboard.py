"""Face map by keyboard (issue 10): every zone is a link, so Tab reaches it and Enter
picks it even without JavaScript (the chart form opens with the zone chosen); after
"Save zone" focus lands on the status line that says what was saved, with or without
htmx."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from cit.clinic.charting.depth_rules import zone_limits

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse_client(nurse: Any) -> Client:
    client = Client()
    client.force_login(nurse)
    return client


def test_every_zone_is_a_link_to_the_chart_form(
    draft_note: Any, nurse_client: Client, clinic: Any
) -> None:
    html = nurse_client.get(f"/sessions/{draft_note.pk}/").content.decode()
    links = set(
        re.findall(
            r'<a class="zone[^"]*" data-zone="[a-z_]+"[^>]* href="\?zone=([a-z_]+)#zone-form"', html
        )
    )
    shown = set(re.findall(r'data-zone="([a-z_]+)"', html))
    assert shown
    assert links == shown
    assert set(zone_limits(clinic)) >= links


def test_a_zone_picked_without_script_is_chosen_in_the_form(
    draft_note: Any, nurse_client: Client
) -> None:
    html = nurse_client.get(f"/sessions/{draft_note.pk}/?zone=cheeks").content.decode()
    assert '<option value="cheeks" selected>' in html
    assert "Cheeks: 0.50–2.00 mm" in html  # CLINICAL.md: cheeks 0.5–2.0 mm
    assert 'id="zone-form"' in html


def test_saving_without_script_returns_to_the_status_line(
    draft_note: Any, nurse_client: Client
) -> None:
    response = nurse_client.post(
        f"/sessions/{draft_note.pk}/zones/",
        {"zone": "cheeks", "depth_mm": "1.0", "passes": "3", "endpoint": "pinpoint_bleeding"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{draft_note.pk}/?saved=cheeks#zone-status"
    html = nurse_client.get(response["Location"]).content.decode()
    status = re.search(r'<p id="zone-status"[^>]*>([^<]*)</p>', html)
    assert status is not None
    assert status.group(1) == "Saved: Cheeks at 1.00 mm."
    assert 'tabindex="-1"' in status.group(0)


def test_saving_with_htmx_marks_the_status_line_for_focus(
    draft_note: Any, nurse_client: Client
) -> None:
    response = nurse_client.post(
        f"/sessions/{draft_note.pk}/zones/",
        {"zone": "forehead", "depth_mm": "0.5", "passes": "2", "endpoint": "even_erythema"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    status = re.search(r'<p id="zone-status"[^>]*>([^<]*)</p>', html)
    assert status is not None
    assert "data-focus-after-swap" in status.group(0)
    assert status.group(1) == "Saved: Forehead at 0.50 mm."


def test_a_refused_zone_keeps_no_status(draft_note: Any, nurse_client: Client) -> None:
    response = nurse_client.post(
        f"/sessions/{draft_note.pk}/zones/",
        {"zone": "cheeks", "depth_mm": "2.9", "passes": "3", "endpoint": "pinpoint_bleeding"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "data-focus-after-swap" not in response.content.decode()


def test_a_signed_notes_map_has_nothing_to_operate(signed_note: Any, nurse_client: Client) -> None:
    html = nurse_client.get(f"/sessions/{signed_note.pk}/").content.decode()
    assert 'data-zone="cheeks"' in html
    assert "?zone=" not in html
