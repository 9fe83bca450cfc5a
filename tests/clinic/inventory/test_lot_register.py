"""The lot register: stock goes down with each use, never below zero, never from an
expired lot; warnings before expiry and at low stock; a recall finds every patient."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from cit.clinic.audit.models import AuditEvent
from cit.clinic.inventory.actions import (
    do_add_product,
    do_receive_lot,
    do_use_lot,
    stock_warnings,
)
from cit.clinic.inventory.models import Lot, LotUse

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def serum(clinic: Any) -> Any:
    return do_add_product(
        clinic=clinic, kind="serum", name="HA glide", intradermal_use=True, low_stock_threshold=2
    )


@pytest.fixture
def lot(serum: Any) -> Lot:
    return do_receive_lot(
        product=serum,
        lot_number="L-1",
        expires_on=TODAY + datetime.timedelta(days=100),
        received_on=TODAY - datetime.timedelta(days=10),
        quantity=5,
    )


@pytest.mark.django_db
def test_use_decrements_stock_and_is_audited(
    lot: Lot, nurse: Any, clinic: Any, make_patient: Any
) -> None:
    patient = make_patient(clinic)
    use = do_use_lot(actor=nurse, lot=lot, patient=patient, quantity=2, used_on=TODAY)
    lot.refresh_from_db()
    assert lot.quantity_on_hand == 3
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.patient_id, event.object_id) == ("create", patient.pk, str(use.pk))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days_after_expiry", "allowed"),
    [(-1, True), (0, True), (1, False)],
    ids=["before", "on", "after"],
)
def test_expired_lot_is_refused_from_the_day_after_expiry(
    lot: Lot, nurse: Any, clinic: Any, make_patient: Any, days_after_expiry: int, allowed: bool
) -> None:
    patient = make_patient(clinic)
    day = lot.expires_on + datetime.timedelta(days=days_after_expiry)
    if allowed:
        do_use_lot(actor=nurse, lot=lot, patient=patient, quantity=1, used_on=day)
        assert LotUse.objects.count() == 1
    else:
        with pytest.raises(ValidationError, match="expired on"):
            do_use_lot(actor=nurse, lot=lot, patient=patient, quantity=1, used_on=day)
        lot.refresh_from_db()
        assert lot.quantity_on_hand == 5
        assert not LotUse.objects.exists()


@pytest.mark.django_db
def test_more_than_on_hand_is_refused_and_nothing_changes(
    lot: Lot, nurse: Any, clinic: Any, make_patient: Any
) -> None:
    with pytest.raises(ValidationError, match="Only 5 unit"):
        do_use_lot(actor=nurse, lot=lot, patient=make_patient(clinic), quantity=6, used_on=TODAY)
    lot.refresh_from_db()
    assert lot.quantity_on_hand == 5
    assert not LotUse.objects.exists()


@pytest.mark.django_db
def test_lot_of_another_clinic_or_archived_is_refused(
    lot: Lot, nurse: Any, other_clinic: Any, clinic: Any, make_patient: Any
) -> None:
    with pytest.raises(ValidationError, match="another clinic"):
        do_use_lot(
            actor=nurse, lot=lot, patient=make_patient(other_clinic), quantity=1, used_on=TODAY
        )
    lot.archive()
    with pytest.raises(ValidationError, match="withdrawn"):
        do_use_lot(actor=nurse, lot=lot, patient=make_patient(clinic), quantity=1, used_on=TODAY)
    assert not LotUse.objects.exists()


@pytest.mark.django_db
def test_receiving_refuses_expiry_before_receipt(serum: Any) -> None:
    with pytest.raises(ValidationError, match="expire after the day it was received"):
        do_receive_lot(
            product=serum, lot_number="BAD", expires_on=TODAY, received_on=TODAY, quantity=1
        )
    assert not Lot.objects.exists()


@pytest.mark.django_db
def test_warnings_expiring_expired_and_low_stock(serum: Any, lot: Lot) -> None:
    assert stock_warnings(serum.clinic, TODAY) == []
    soon = do_receive_lot(
        product=serum,
        lot_number="SOON",
        expires_on=TODAY + datetime.timedelta(days=30),
        received_on=TODAY - datetime.timedelta(days=1),
        quantity=1,
    )
    kinds = {(w.kind, w.lot_id) for w in stock_warnings(serum.clinic, TODAY)}
    assert kinds == {("expiring", soon.pk)}
    thirty_one = stock_warnings(serum.clinic, TODAY - datetime.timedelta(days=1))
    assert thirty_one == [], "31 days before expiry is not yet a warning"
    after_expiry = TODAY + datetime.timedelta(days=31)
    warnings = {w.kind for w in stock_warnings(serum.clinic, after_expiry)}
    assert "expired" in warnings
    Lot.objects.filter(pk=lot.pk).update(quantity_on_hand=1)
    low = [w for w in stock_warnings(serum.clinic, TODAY) if w.kind == "low_stock"]
    assert len(low) == 1
    assert "2 unit(s) in date" in low[0].message


@pytest.mark.django_db(transaction=True)
def test_two_sessions_cannot_both_take_the_last_unit(
    lot: Lot, nurse: Any, clinic: Any, make_patient: Any
) -> None:
    Lot.objects.filter(pk=lot.pk).update(quantity_on_hand=1)
    patients = [make_patient(clinic, given_name=f"P{n}") for n in range(6)]
    start = threading.Barrier(len(patients))
    outcomes: list[str] = []

    def take(patient: Any) -> None:
        try:
            start.wait()
            do_use_lot(actor=nurse, lot=lot, patient=patient, quantity=1, used_on=TODAY)
            outcomes.append("used")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(p,)) for p in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 5 + ["used"]
    lot.refresh_from_db()
    assert lot.quantity_on_hand == 0
    assert LotUse.objects.count() == 1


@pytest.mark.django_db
def test_pages_register_receive_and_recall(
    clinic: Any, make_user: Any, make_patient: Any, serum: Any, lot: Lot, nurse: Any
) -> None:
    patient = make_patient(clinic)
    do_use_lot(actor=nurse, lot=lot, patient=patient, quantity=1, used_on=TODAY)
    client = Client()
    client.force_login(make_user("physician", clinic))
    bad = client.post(
        "/inventory/lots/new/",
        {
            "product": serum.pk,
            "lot_number": "L-2",
            "expires_on": "2026-01-01",
            "received_on": "2026-02-01",
            "quantity": "4",
        },
        follow=True,
    )
    assert "Lot not received" in bad.content.decode()
    assert not Lot.objects.filter(lot_number="L-2").exists()
    client.post(
        "/inventory/lots/new/",
        {
            "product": serum.pk,
            "lot_number": "L-2",
            "expires_on": "2027-06-01",
            "received_on": "2026-11-01",
            "quantity": "4",
        },
    )
    assert Lot.objects.get(lot_number="L-2").quantity_on_hand == 4
    register = client.get("/inventory/").content.decode()
    assert "L-1" in register
    assert "L-2" in register
    recall = client.get(f"/inventory/lots/{lot.pk}/recall/")
    assert patient.record_number in recall.content.decode()
    assert AuditEvent.objects.filter(
        patient=patient, action="view", detail__purpose="recall"
    ).exists()


@pytest.mark.django_db
def test_recall_of_another_clinics_lot_is_404(other_clinic: Any, make_user: Any, lot: Lot) -> None:
    client = Client()
    client.force_login(make_user("clinic_admin", other_clinic))
    assert client.get(f"/inventory/lots/{lot.pk}/recall/").status_code == 404
