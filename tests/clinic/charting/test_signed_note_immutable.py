"""A signed note cannot be changed by any path: page forms, the API, the admin, model
save, queryset update, or raw SQL (database triggers)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from cit.clinic.archive import RecordImmutable
from cit.clinic.charting.models import NoteImmutable, SessionNote, SessionProduct, ZoneTreatment
from tests.clinic.charting.conftest import make_lot

pytestmark = pytest.mark.django_db


def _snapshot(note: SessionNote) -> tuple[Any, ...]:
    note = SessionNote.objects.get(pk=note.pk)
    zones = list(note.zones.order_by("zone").values_list("zone", "depth_mm", "passes", "endpoint"))
    products = note.products.count()
    return (
        note.immediate_reactions,
        note.photos_taken,
        note.numbing_applied_at,
        note.signed_at,
        zones,
        products,
    )


def test_page_forms_cannot_change_a_signed_note(signed_note: Any, nurse: Any, clinic: Any) -> None:
    before = _snapshot(signed_note)
    client = Client()
    client.force_login(nurse)
    lot = make_lot(clinic, "serum", "HA", intradermal=True)
    posts = {
        "zones": {"zone": "cheeks", "depth_mm": "0.5", "passes": "1", "endpoint": "even_erythema"},
        "details": {"photos_taken": "no", "immediate_reactions": "changed"},
        "products": {"purpose": "during_needling", "lot": lot.pk, "quantity": "1"},
        "sign": {},
    }
    for part, data in posts.items():
        client.post(f"/sessions/{signed_note.pk}/{part}/", data)
        client.post(f"/sessions/{signed_note.pk}/{part}/", data, HTTP_HX_REQUEST="true")
    assert _snapshot(signed_note) == before
    lot.refresh_from_db()
    assert lot.quantity_on_hand == 10


def test_the_api_cannot_change_a_signed_note(signed_note: Any, nurse: Any) -> None:
    before = _snapshot(signed_note)
    client = Client()
    client.force_login(nurse)
    base = f"/api/sessions/{signed_note.pk}"
    calls = [
        ("PATCH", base, {"immediate_reactions": "changed"}),
        (
            "POST",
            f"{base}/zones",
            {"zone": "cheeks", "depth_mm": "0.5", "passes": 1, "endpoint": "even_erythema"},
        ),
        ("POST", f"{base}/sign", {}),
    ]
    for method, path, body in calls:
        response = client.generic(method, path, json.dumps(body), content_type="application/json")
        assert response.status_code == 409, (path, response.content)
        assert response.json()["errors"][0]["field"] == "note"
    assert _snapshot(signed_note) == before


def test_the_admin_offers_no_edit(signed_note: Any, django_user_model: Any) -> None:
    admin = django_user_model.objects.create_superuser(
        "root", "root@example.com", "pw-123456789", role="clinic_admin"
    )
    client = Client()
    client.force_login(admin)
    url = f"/admin/charting/sessionnote/{signed_note.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="immediate_reactions"' not in page.content
    response = client.post(url, {"immediate_reactions": "changed", "photos_taken": "on"})
    assert response.status_code == 403
    assert client.post(f"/admin/charting/sessionnote/{signed_note.pk}/delete/").status_code == 403
    assert _snapshot(signed_note)[0] == ""


def test_model_save_and_delete_are_refused(signed_note: Any) -> None:
    stale = SessionNote.objects.get(pk=signed_note.pk)
    stale.immediate_reactions = "changed"
    with pytest.raises(NoteImmutable):
        stale.save()
    zone = ZoneTreatment.objects.filter(note=signed_note).first()
    assert zone is not None
    zone.passes = 9
    with pytest.raises(NoteImmutable):
        zone.save()
    with pytest.raises(NoteImmutable):
        ZoneTreatment(
            note=signed_note,
            zone="neck",
            depth_mm="0.3",
            passes=1,
            endpoint="even_erythema",
            charted_by=signed_note.signed_by,
        ).save()
    with pytest.raises(NoteImmutable):
        signed_note.delete()
    with pytest.raises(NoteImmutable):
        zone.delete()
    amendment_model_save = signed_note.consent
    with pytest.raises(RecordImmutable):
        amendment_model_save.save()


def test_queryset_update_and_delete_are_refused(signed_note: Any) -> None:
    for queryset in (
        SessionNote.objects.filter(pk=signed_note.pk),
        ZoneTreatment.objects.filter(note=signed_note),
        SessionProduct.objects.filter(note=signed_note),
    ):
        with pytest.raises(NoteImmutable):
            queryset.update(pk=queryset.first().pk)
        with pytest.raises(NoteImmutable):
            queryset.delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE charting_sessionnote SET immediate_reactions = 'raw' WHERE id = %s",
        "UPDATE charting_zonetreatment SET passes = 9 WHERE note_id = %s",
        "INSERT INTO charting_zonetreatment"
        " (note_id, zone, depth_mm, passes, endpoint, charted_at, charted_by_id)"
        " SELECT id, 'neck', 0.3, 1, 'even_erythema', started_at, started_by_id"
        " FROM charting_sessionnote WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_changes(signed_note: Any, sql: str) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [signed_note.pk])
    assert _snapshot(signed_note)[0] == ""


def test_a_draft_can_still_be_changed_in_the_database(draft_note: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE charting_sessionnote SET immediate_reactions = 'ok' WHERE id = %s",
            [draft_note.pk],
        )
    draft_note.refresh_from_db()
    assert draft_note.immediate_reactions == "ok"
