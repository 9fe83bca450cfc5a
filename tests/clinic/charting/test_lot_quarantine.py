"""A recalled lot is quarantined: charting does not offer it and refuses it; its uses stay
as the recall list. Expired and empty lots are not offered either (issue 10)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cit.clinic.audit.models import AuditEvent
from cit.clinic.charting.sessions import do_record_product
from cit.clinic.inventory.actions import do_recall_lot
from cit.clinic.inventory.models import Lot, LotUse
from tests.clinic.charting.conftest import make_lot

pytestmark = pytest.mark.django_db


def _offered(client: Client, note: Any) -> str:
    """The options of the note page's lot list."""
    page = client.get(f"/sessions/{note.pk}/").content.decode()
    match = re.search(r'<select name="lot".*?</select>', page, re.S)
    assert match is not None
    return match.group(0)


def test_a_recalled_lot_is_not_offered_and_is_refused(
    draft_note: Any, nurse: Any, physician: Any, clinic: Any
) -> None:
    good = make_lot(clinic, "needle_cartridge", "Cartridge A")
    bad = make_lot(clinic, "needle_cartridge", "Cartridge B")
    do_record_product(actor=nurse, note=draft_note, lot=bad, purpose="needle_cartridge")
    client = Client()
    client.force_login(nurse)
    page = _offered(client, draft_note)
    assert f'value="{bad.pk}"' in page
    assert f'value="{good.pk}"' in page

    # A licensed clinician recalls it from the recall page, with the reason.
    doctor = Client()
    doctor.force_login(physician)
    response = doctor.post(f"/inventory/lots/{bad.pk}/recall/", {"reason": "Maker's notice 2026-7"})
    assert response.status_code == 302
    bad.refresh_from_db()
    assert bad.is_recalled
    assert bad.recall_reason == "Maker's notice 2026-7"
    assert AuditEvent.objects.filter(object_type="inventory.Lot", object_id=str(bad.pk)).exists()

    page = _offered(client, draft_note)
    assert f'value="{bad.pk}"' not in page, "quarantined: not offered"
    assert f'value="{good.pk}"' in page
    with pytest.raises(ValidationError, match="recalled"):
        do_record_product(actor=nurse, note=draft_note, lot=bad, purpose="needle_cartridge")
    assert bad.uses.count() == 1, "the earlier use stays: it is the recall list"
    recall = doctor.get(f"/inventory/lots/{bad.pk}/recall/").content.decode()
    assert draft_note.patient.full_name in recall
    assert "quarantined" in recall

    # Recalling twice or without a reason changes nothing.
    with pytest.raises(ValidationError):
        do_recall_lot(actor=physician, lot=bad, reason="again, again")
    with pytest.raises(ValidationError):
        do_recall_lot(actor=physician, lot=good, reason=" ")
    assert not Lot.objects.get(pk=good.pk).is_recalled


def test_expired_and_empty_lots_are_not_offered(draft_note: Any, nurse: Any, clinic: Any) -> None:
    expired = make_lot(
        clinic,
        "needle_cartridge",
        "Old cartridge",
        expires_on=draft_note.session_date - datetime.timedelta(days=1),
    )
    last_day = make_lot(
        clinic, "needle_cartridge", "Last-day cartridge", expires_on=draft_note.session_date
    )
    empty = make_lot(clinic, "needle_cartridge", "Empty cartridge", quantity=1)
    Lot.objects.filter(pk=empty.pk).update(quantity_on_hand=0)
    client = Client()
    client.force_login(nurse)
    page = _offered(client, draft_note)
    assert f'value="{expired.pk}"' not in page
    assert f'value="{empty.pk}"' not in page
    assert f'value="{last_day.pk}"' in page, "a lot may be used on its expiry day"
    assert not LotUse.objects.exists()


def test_a_recall_reason_longer_than_the_record_holds_is_refused(nurse: Any, clinic: Any) -> None:
    # PostgreSQL refused a 100,000-character reason with a 500 (found by the page sweep).
    lot = make_lot(clinic, "needle_cartridge", "Cartridge C")
    with pytest.raises(ValidationError) as refused:
        do_recall_lot(actor=nurse, lot=lot, reason="x" * 100_000)
    assert "reason" in refused.value.message_dict
    lot.refresh_from_db()
    assert not lot.is_recalled
