"""A rating made at a session is linked to its note: from the note (``?note=``) the form
starts on that session and its day; a note of another patient is refused."""

from __future__ import annotations

from typing import Any

from cit.clinic.outcomes.models import OutcomeRating
from tests.clinic.charting.conftest import (  # noqa: F401
    cartridge_lot,
    consent_form,
    consented_patient,
    draft_note,
    pen,
    screened_patient,
    signed_note,
    today,
)


def test_rating_linked_to_the_session(client: Any, nurse: Any, signed_note: Any) -> None:  # noqa: F811
    client.force_login(nurse)
    url = f"/patients/{signed_note.patient_id}/outcomes/rate/gais-clinician/"
    page = client.get(f"{url}?note={signed_note.pk}").content.decode()
    assert f'<option value="{signed_note.pk}" selected>' in page
    assert f'value="{signed_note.session_date.isoformat()}"' in page
    assert "(signed)" in page
    for bad in ("abc", "99999999", "-1"):
        assert client.get(f"{url}?note={bad}").status_code == 200
    response = client.post(
        url,
        {
            "rated_on": signed_note.session_date.isoformat(),
            "in_value": "3",
            "session_note": signed_note.pk,
        },
    )
    assert response.status_code == 302
    rating = OutcomeRating.objects.get()
    assert (rating.session_note, rating.total, rating.rater_kind) == (signed_note, 3, "clinician")


def test_another_patients_session_refused(
    client: Any,
    nurse: Any,  # noqa: F811
    signed_note: Any,  # noqa: F811
    make_patient: Any,
) -> None:
    other = make_patient(signed_note.patient.clinic, given_name="Grace", email="g@example.com")
    client.force_login(nurse)
    response = client.post(
        f"/patients/{other.pk}/outcomes/rate/glogau/",
        {
            "rated_on": signed_note.session_date.isoformat(),
            "in_value": "2",
            "session_note": signed_note.pk,
        },
    )
    assert response.status_code == 422
    assert not OutcomeRating.objects.exists()
