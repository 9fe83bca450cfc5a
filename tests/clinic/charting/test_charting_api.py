"""The charting API walks a visit end to end and answers refusals in the error shape:
422 for bad input (with the field), 409 when the record's state refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditEvent
from tests.clinic.charting.conftest import CONSENT_TEXT, make_lot, png_data_url

pytestmark = pytest.mark.django_db


def _call(client: Client, method: str, path: str, body: Any = None) -> Any:
    data = json.dumps(body) if body is not None else ""
    return client.generic(method, f"/api{path}", data, content_type="application/json")


def test_a_visit_through_the_api(
    screened_patient: Any,
    physician: Any,
    nurse: Any,
    pen: Any,
    cartridge_lot: Any,
    clinic: Any,
    today: Any,
) -> None:
    client = Client()
    client.force_login(nurse)
    form = _call(
        client,
        "POST",
        "/consent-forms",
        {
            "procedure": "microneedling",
            "title": "Consent",
            "body": CONSENT_TEXT,
            "effective_on": today.isoformat(),
        },
    )
    assert form.status_code == 201
    assert form.json()["version"] == 1
    start = _call(
        client,
        "POST",
        f"/patients/{screened_patient.pk}/sessions",
        {"device_id": pen.pk, "photos_taken": True},
    )
    assert start.status_code == 409
    assert start.json()["errors"] == [
        {"field": "consent", "message": start.json()["errors"][0]["message"]}
    ]
    signature = _call(
        client,
        "POST",
        f"/patients/{screened_patient.pk}/consents",
        {"method": "drawn", "drawn_signature": png_data_url()},
    )
    assert signature.status_code == 201
    assert signature.json()["has_drawing"]
    start = _call(
        client,
        "POST",
        f"/patients/{screened_patient.pk}/sessions",
        {"device_id": pen.pk, "photos_taken": True},
    )
    assert start.status_code == 201, start.content
    note = start.json()
    assert note["status"] == "draft"
    assert note["screening"]["decision"] == "treat"
    path = f"/sessions/{note['id']}"

    too_deep = _call(
        client,
        "POST",
        f"{path}/zones",
        {"zone": "nose", "depth_mm": "1.0", "passes": 2, "endpoint": "even_erythema"},
    )
    assert too_deep.status_code == 422
    assert too_deep.json()["errors"][0]["field"] == "depth_mm"
    assert "maximum of 0.75 mm" in too_deep.json()["errors"][0]["message"]
    bad_shape = _call(
        client,
        "POST",
        f"{path}/zones",
        {"zone": "nose", "depth_mm": "x", "passes": 2, "endpoint": "even_erythema"},
    )
    assert bad_shape.status_code == 422
    charted = _call(
        client,
        "POST",
        f"{path}/zones",
        {"zone": "nose", "depth_mm": "0.5", "passes": 2, "endpoint": "even_erythema"},
    )
    assert charted.status_code == 200
    assert charted.json()["zones"][0]["zone"] == "nose"

    plain = make_lot(clinic, "serum", "Toner")
    refused = _call(
        client, "POST", f"{path}/products", {"lot_id": plain.pk, "purpose": "during_needling"}
    )
    assert refused.status_code == 422
    assert "intradermal" in refused.json()["errors"][0]["message"]
    assert (
        _call(
            client,
            "POST",
            f"{path}/products",
            {"lot_id": cartridge_lot.pk, "purpose": "needle_cartridge"},
        ).status_code
        == 200
    )
    assert _call(client, "PATCH", path, {"immediate_reactions": "Even erythema"}).status_code == 200

    signed = _call(client, "POST", f"{path}/sign")
    assert signed.status_code == 200
    assert signed.json()["status"] == "signed"
    assert _call(client, "POST", f"{path}/sign").status_code == 409
    amendment = _call(
        client,
        "POST",
        f"{path}/amendments",
        {"target": "zone:nose:passes", "new_value": "3", "reason": "Miscounted"},
    )
    assert amendment.status_code == 201
    assert amendment.json()["previous_value"] == "2"
    assert amendment.json()["amended_by"] == nurse.username
    detail = _call(client, "GET", path).json()
    assert detail["zones"][0]["passes"] == 2
    assert detail["current_values"]["zone:nose:passes"] == "3"
    aftercare = _call(client, "GET", f"{path}/aftercare").json()
    assert aftercare[0]["day"] == 0
    assert aftercare[0]["instructions"]
    assert AuditEvent.objects.filter(
        channel="api", object_type="charting.SessionNote", action="view"
    ).exists()


def test_unknown_device_and_lot_are_field_errors(
    draft_note: Any, nurse: Any, consented_patient: Any
) -> None:
    client = Client()
    client.force_login(nurse)
    response = _call(
        client,
        "POST",
        f"/patients/{consented_patient.pk}/sessions",
        {"device_id": 999, "photos_taken": True},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "device_id"
    response = _call(
        client, "POST", f"/sessions/{draft_note.pk}/products", {"lot_id": 999, "purpose": "numbing"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lot_id"
    assert _call(client, "GET", "/sessions/999999").status_code == 404


def test_openapi_declares_the_charting_errors() -> None:
    from cit.api.api import api

    schema = api.get_openapi_schema()
    responses = schema["paths"]["/api/sessions/{note_id}/sign"]["post"]["responses"]
    assert {400, 403, 404, 409, 422} <= {int(code) for code in responses}
