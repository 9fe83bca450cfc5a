"""Clinical photographs as Media (their JPEG as Binary) and outcome ratings as Observations
beside the questionnaire's own, read and searched through /fhir/ with the pages' access:
only photos the patient's current consent allows for the record, audited reads."""

from __future__ import annotations

import base64
import datetime
import io
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from PIL import Image

from cit.clinic.audit.models import AuditAction, AuditEvent
from cit.clinic.outcomes.actions import do_record_rating
from cit.clinic.photos.actions import (
    do_archive_photo,
    do_withdraw_photo_consent,
    open_photo_file,
)
from tests.api.fhir.conftest import World, client_for
from tests.clinic.photos.conftest import consent, photo_dir, stored_photo  # noqa: F401

pytestmark = pytest.mark.django_db
GB_ITEMS = (
    "macular", "mild_atrophic", "moderate_atrophic", "punched_out_shallow", "broad_shallow",
    "punched_out_deep_normal", "punched_out_deep_abnormal", "linear_troughed", "broad_deep",
    "papular", "keloidal",
)  # fmt: skip


def _search(client: Any, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def _ids(bundle: dict[str, Any]) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


@pytest.fixture
def rated(world: World, nurse: Any, today: datetime.date) -> Any:
    # G&B quantitative, by hand: macular band 2 scores 2, papular band 1 scores 2, the other
    # nine scar types none: total 4.
    values = dict.fromkeys(GB_ITEMS, 0) | {"macular": 2, "papular": 1}
    return do_record_rating(
        actor=nurse,
        patient=world.patient,
        values=values,
        rated_on=today,
        scale_id="goodman-baron-quantitative",
        session_note=world.note,
    )


def test_an_outcome_rating_is_an_observation_beside_the_questionnaires(
    world: World, nurse: Any, rated: Any, today: datetime.date
) -> None:
    client = client_for(nurse)
    bundle = _search(client, f"/fhir/Observation?patient=Patient/{world.patient.pk}")
    ids = _ids(bundle)
    assert f"outcome-{rated.pk}" in ids
    assert len(ids) == bundle["total"] == 3  # pregnancy, breastfeeding, the rating
    observation = client.get(f"/fhir/Observation/outcome-{rated.pk}").json()
    get_fhir_model_class("Observation").model_validate(observation)
    assert observation["status"] == "final"
    assert observation["code"]["coding"][0]["code"] == "goodman-baron-quantitative"
    assert observation["code"]["text"].startswith("Goodman & Baron quantitative")
    assert observation["valueQuantity"]["value"] == 4
    assert observation["effectiveDateTime"] == today.isoformat()
    assert observation["subject"]["reference"] == f"Patient/{world.patient.pk}"
    assert observation["partOf"] == [{"reference": f"Procedure/{world.note.pk}"}]
    assert observation["category"][0]["coding"][0]["code"] == "exam"
    components = {
        c["code"]["coding"][0]["code"]: (c["code"]["text"], c["valueQuantity"]["value"])
        for c in observation["component"]
    }
    assert len(components) == 11
    assert components["goodman-baron-quantitative.macular"] == (
        "Macular (red or pigmented, flat)",
        2,
    )
    assert components["goodman-baron-quantitative.papular"] == ("Hyperplastic papular scars", 1)
    assert components["goodman-baron-quantitative.keloidal"][1] == 0


def test_paging_walks_through_both_sources_once(
    world: World, nurse: Any, rated: Any, today: datetime.date
) -> None:
    do_record_rating(
        actor=nurse,
        patient=world.patient,
        values={"value": 3},
        rated_on=today,
        scale_id="goodman-baron-qualitative",
    )
    client = client_for(nurse)
    url: str | None = f"/fhir/Observation?patient=Patient/{world.patient.pk}&_count=1"
    seen: list[str] = []
    while url:
        bundle = _search(client, url)
        assert bundle["total"] == 4
        seen += _ids(bundle)
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    assert len(seen) == len(set(seen)) == 4
    assert sum(1 for resource_id in seen if resource_id.startswith("outcome-")) == 2
    assert _ids(_search(client, f"/fhir/Observation?_id=outcome-{rated.pk}")) == [
        f"outcome-{rated.pk}"
    ]


def test_a_photo_is_media_and_its_jpeg_a_binary(world: World, nurse: Any, today: Any) -> None:
    consent(nurse, world.patient, "record")
    photo = stored_photo(nurse, world.patient, "face_frontal", today, width=80, height=40)
    client = client_for(nurse)
    bundle = _search(client, f"/fhir/Media?patient=Patient/{world.patient.pk}")
    assert _ids(bundle) == [str(photo.pk)]
    media = bundle["entry"][0]["resource"]
    get_fhir_model_class("Media").model_validate(media)
    assert media["view"]["text"] == "Face, frontal"
    assert (media["width"], media["height"]) == (80, 40)
    assert media["createdDateTime"] == today.isoformat()
    url = media["content"]["url"]
    assert url.endswith(f"/fhir/Binary/photo-{photo.pk}")
    with open_photo_file(photo) as stored:
        pixels = stored.read()
    image = client.get(f"/fhir/Binary/photo-{photo.pk}", HTTP_ACCEPT="image/jpeg")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content) == pixels
    assert "no-store" in image["Cache-Control"]
    as_json = client.get(f"/fhir/Binary/photo-{photo.pk}", HTTP_ACCEPT="application/fhir+json")
    assert as_json.json()["contentType"] == "image/jpeg"
    assert base64.b64decode(as_json.json()["data"]) == pixels
    assert Image.open(io.BytesIO(pixels)).size == (80, 40)
    reads = AuditEvent.objects.filter(
        action=AuditAction.VIEW, patient=world.patient, detail__fhir=f"Binary/photo-{photo.pk}"
    )
    assert reads.count() == 2


def test_no_media_without_consent_for_the_record_nor_once_archived(
    world: World, nurse: Any, today: Any
) -> None:
    client = client_for(nurse)
    consent(nurse, world.patient, "record")
    kept = stored_photo(nurse, world.patient, "face_frontal", today)
    archived = stored_photo(nurse, world.patient, "face_oblique_left", today)
    do_archive_photo(actor=nurse, photo=archived)
    assert _ids(_search(client, "/fhir/Media")) == [str(kept.pk)]
    assert client.get(f"/fhir/Binary/photo-{archived.pk}").status_code == 404
    do_withdraw_photo_consent(actor=nurse, patient=world.patient, stated_on=today)
    assert _ids(_search(client, "/fhir/Media")) == []
    assert client.get(f"/fhir/Media/{kept.pk}").status_code == 404
    assert client.get(f"/fhir/Binary/photo-{kept.pk}").status_code == 404


@pytest.mark.parametrize("binary_id", ["1", "photo-", "photo-x", "photo-" + "9" * 30, "Ω"])
def test_binary_ids_that_name_no_photo_are_not_found(
    world: World, nurse: Any, binary_id: str
) -> None:
    assert client_for(nurse).get(f"/fhir/Binary/{binary_id}").status_code == 404


def test_photos_follow_the_pages_access(
    world: World, nurse: Any, make_user: Any, other_clinic: Any, today: Any
) -> None:
    consent(nurse, world.patient, "record")
    photo = stored_photo(nurse, world.patient, "face_frontal", today)
    desk = client_for(make_user("front_desk", world.clinic))
    assert desk.get(f"/fhir/Binary/photo-{photo.pk}").status_code == 403
    assert desk.get("/fhir/Media").status_code == 403
    stranger = client_for(make_user("registered_nurse", other_clinic))
    assert stranger.get(f"/fhir/Binary/photo-{photo.pk}").status_code == 404
    assert stranger.get(f"/fhir/Media/{photo.pk}").status_code == 404


def test_the_capability_statement_lists_media_and_binary(client: Any) -> None:
    body = client.get("/fhir/metadata").json()
    kinds = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert {"Media", "Binary", "Observation"} <= set(kinds)
    assert [i["code"] for i in kinds["Binary"]["interaction"]] == ["read"]
