"""Photos taken from a session note: the views of the zones charted in that session, dated
the session day and linked to its note."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cit.clinic.charting.sessions import do_chart_zone
from cit.clinic.photos.models import Photo
from tests.clinic.charting.conftest import (  # noqa: F401
    consent_form,
    consented_patient,
    draft_note,
    pen,
    screened_patient,
    today,
)
from tests.clinic.photos.conftest import consent, jpeg_bytes

pytestmark = pytest.mark.django_db


def test_capture_for_a_session_offers_its_zones_views_and_links_the_photo(
    draft_note: Any,  # noqa: F811
    nurse: Any,  # noqa: F811
) -> None:
    do_chart_zone(
        actor=nurse,
        note=draft_note,
        zone="scalp",
        depth_mm="1.0",
        passes=2,
        endpoint="even_erythema",
    )
    treated = draft_note.patient
    consent(nurse, treated)
    client = Client()
    client.force_login(nurse)
    url = f"/patients/{treated.pk}/photos/capture/?session={draft_note.pk}"

    page = client.get(url).content.decode()
    assert "Scalp, vertex" in page
    assert "Scalp, frontal hairline" in page
    assert "Face, frontal" not in page

    day = draft_note.session_date.isoformat()
    response = client.post(
        url,
        {
            "view": "scalp_vertex",
            "session": draft_note.pk,
            "scalp_vertex-taken_on": day,
            "scalp_vertex-photo": SimpleUploadedFile("v.jpg", jpeg_bytes(), "image/jpeg"),
        },
    )

    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.session_note == draft_note
    assert photo.taken_on == draft_note.session_date
