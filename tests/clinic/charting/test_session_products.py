"""Lots used in a session go through the lot register: expired lots are refused and only
products made for intradermal use may be applied during needling."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cit.clinic.charting.models import SessionProduct
from cit.clinic.charting.sessions import do_record_product
from cit.clinic.inventory.models import LotUse
from tests.clinic.charting.conftest import make_lot

pytestmark = pytest.mark.django_db


def test_an_expired_cartridge_is_refused_and_stock_is_untouched(
    draft_note: Any, nurse: Any, clinic: Any
) -> None:
    lot = make_lot(
        clinic,
        "needle_cartridge",
        "Cartridge",
        expires_on=draft_note.session_date - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as error:
        do_record_product(actor=nurse, note=draft_note, lot=lot, purpose="needle_cartridge")
    assert "expired on" in error.value.message_dict["lot"][0]
    lot.refresh_from_db()
    assert lot.quantity_on_hand == 10
    assert not LotUse.objects.exists()
    assert not SessionProduct.objects.exists()


def test_a_serum_not_made_for_intradermal_use_is_refused_during_needling(
    draft_note: Any, nurse: Any, clinic: Any
) -> None:
    lot = make_lot(clinic, "serum", "Vitamin C serum", intradermal=False)
    with pytest.raises(ValidationError) as error:
        do_record_product(actor=nurse, note=draft_note, lot=lot, purpose="during_needling")
    assert "not made for intradermal use" in error.value.message_dict["lot"][0]
    assert not LotUse.objects.exists()
    # After needling it is fine.
    do_record_product(actor=nurse, note=draft_note, lot=lot, purpose="post_procedure")


def test_intradermal_serum_and_cartridge_are_recorded_and_decrement_stock(
    draft_note: Any, nurse: Any, clinic: Any, cartridge_lot: Any
) -> None:
    serum = make_lot(clinic, "serum", "Sterile hyaluronic acid", intradermal=True)
    do_record_product(actor=nurse, note=draft_note, lot=cartridge_lot, purpose="needle_cartridge")
    do_record_product(
        actor=nurse, note=draft_note, lot=serum, purpose="during_needling", quantity=2
    )
    serum.refresh_from_db()
    cartridge_lot.refresh_from_db()
    assert (serum.quantity_on_hand, cartridge_lot.quantity_on_hand) == (8, 9)
    uses = LotUse.objects.filter(patient=draft_note.patient)
    assert uses.count() == 2
    assert all(use.used_on == draft_note.session_date for use in uses)
    assert set(draft_note.products.values_list("purpose", flat=True)) == {
        "needle_cartridge",
        "during_needling",
    }


def test_a_product_of_the_wrong_kind_is_refused(draft_note: Any, nurse: Any, clinic: Any) -> None:
    lot = make_lot(clinic, "aftercare", "Mineral sunscreen")
    with pytest.raises(ValidationError, match="not a needle cartridge"):
        do_record_product(actor=nurse, note=draft_note, lot=lot, purpose="needle_cartridge")
