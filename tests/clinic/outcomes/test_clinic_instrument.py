"""A clinic's own licensed instrument: its definition validated as JSON, rated like any
scale (the total is the sum of its items), and its minimal important change band plotted."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cit.clinic.outcomes.models import ClinicInstrument, OutcomeRating

DEFINITION = {
    "rater": "patient",
    "better": "higher",
    "items": [
        {"id": "q1", "label": "Question one", "minimum": 1, "maximum": 4},
        {"id": "q2", "label": "Question two", "minimum": 1, "maximum": 4},
        {"id": "q3", "label": "Question three", "minimum": 0, "maximum": 10},
    ],
    "minimal_important_change": 2,
    "mic_source": "The instrument's licensed manual, 2020",
}


def _instrument(clinic: Any, definition: Any = None) -> ClinicInstrument:
    instrument = ClinicInstrument(
        clinic=clinic,
        code="licensed-q",
        title="Licensed questionnaire",
        licence="Licence 123 held by the clinic until 2030",
        definition=definition or DEFINITION,
    )
    instrument.full_clean()
    instrument.save()
    return instrument


@pytest.mark.parametrize(
    "broken",
    [
        {**DEFINITION, "items": []},
        {**DEFINITION, "rater": "robot"},
        {**DEFINITION, "items": [{"id": "q1", "label": "x", "minimum": 4, "maximum": 1}]},
        {**DEFINITION, "items": DEFINITION["items"] * 2},
        {**DEFINITION, "mic_source": None},
        {**DEFINITION, "extra": True},
        "not an object",
    ],
)
def test_invalid_definitions_refused(clinic: Any, broken: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        _instrument(clinic, broken)
    assert "definition" in refused.value.message_dict


def test_patient_rates_the_instrument_and_sees_the_band(
    client: Any, clinic: Any, portal_user: Any, portal_patient: Any, today: Any
) -> None:
    instrument = _instrument(clinic)
    client.force_login(portal_user)
    url = f"/patients/{portal_patient.pk}/outcomes/rate-clinic/{instrument.pk}/"
    assert client.get(url).status_code == 200
    # 3 + 2 + 7 = 12
    response = client.post(
        url, {"rated_on": today.isoformat(), "in_q1": "3", "in_q2": "2", "in_q3": "7"}
    )
    assert response.status_code == 302
    assert OutcomeRating.objects.get(instrument=instrument).total == 12
    refused = client.post(
        url, {"rated_on": today.isoformat(), "in_q1": "5", "in_q2": "2", "in_q3": "7"}
    )
    assert refused.status_code == 422
    page = client.get(f"/patients/{portal_patient.pk}/outcomes/").content.decode()
    match = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert match
    assert (
        "<!-- Within the minimal important change -->" in base64.b64decode(match.group(1)).decode()
    )


def test_another_clinics_instrument_is_404(
    client: Any, other_clinic: Any, nurse: Any, portal_patient: Any
) -> None:
    instrument = _instrument(other_clinic)
    client.force_login(nurse)
    url = f"/patients/{portal_patient.pk}/outcomes/rate-clinic/{instrument.pk}/"
    assert client.get(url).status_code == 404


def test_nothing_is_shipped() -> None:
    from cit.protocol.knowledge import get_knowledge

    titles = " ".join(scale.title.lower() for scale in get_knowledge().scales.values())
    for licensed in ("face-q", "acne-q", "scar-q", "dlqi"):
        assert licensed not in titles


def test_admin_validates_the_definition(clinic: Any, django_user_model: Any) -> None:
    import json

    from django.test import Client

    root = django_user_model.objects.create_superuser(
        "root", "root@example.com", "pw-123456789", role="clinic_admin"
    )
    client = Client()
    client.force_login(root)
    url = "/admin/outcomes/clinicinstrument/add/"
    assert client.get(url).status_code == 200
    form = {
        "clinic": clinic.pk,
        "code": "licensed-q",
        "title": "Licensed questionnaire",
        "licence": "Licence 123",
        "definition": json.dumps({**DEFINITION, "rater": "robot"}),
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert b"rater" in refused.content
    assert not ClinicInstrument.objects.exists()
    saved = client.post(url, {**form, "definition": json.dumps(DEFINITION)})
    assert saved.status_code == 302
    assert ClinicInstrument.objects.get().scale().maximum == 18  # 4 + 4 + 10
