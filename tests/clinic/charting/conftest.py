"""Charting fixtures: a clinic with a pen, lots, a published consent form and a patient
whose intake screens "treat", so each test starts from a realistic visit."""

from __future__ import annotations

import base64
import datetime
import struct
import zlib
from decimal import Decimal
from typing import Any

import pytest

from cit.clinic.charting.consent import do_publish_consent_form, do_sign_consent
from cit.clinic.charting.sessions import (
    do_chart_zone,
    do_record_product,
    do_sign_note,
    do_start_session,
)
from cit.clinic.facilities.models import Device
from cit.clinic.intake.actions import do_record_intake
from cit.clinic.inventory.models import Lot, Product

# The browser fixtures (log_in, screenshot, console_errors) live with tests/browser.
from tests.browser.conftest import console_errors, log_in, screenshot  # noqa: F401

CONSENT_TEXT = (
    "Micro-needling creates controlled micro-injuries to induce collagen. Risks include "
    "redness, swelling, bruising, infection and pigment change."
)


def png_data_url(width: int = 40, height: int = 20) -> str:
    """A real (blank) PNG as the signature canvas would send it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\xff\xff\xff" * width for _ in range(height))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


def intake(**extra: Any) -> dict[str, Any]:
    return {
        "birth_date": "1985-12-10",
        "sex": "female",
        "goals": [{"indication": "rejuvenation", "areas": ["face"]}],
        **extra,
    }


@pytest.fixture
def today(clinic: Any) -> datetime.date:
    return datetime.datetime.now(clinic.tzinfo).date()


@pytest.fixture
def pen(clinic: Any) -> Device:
    return Device.objects.create(
        clinic=clinic,
        kind="pen",
        model="SkinPen Precision",
        serial_number="SP-1",
        max_depth_mm=Decimal("1.50"),
    )


@pytest.fixture
def consent_form(clinic: Any, physician: Any, today: datetime.date) -> Any:
    return do_publish_consent_form(
        actor=physician,
        clinic=clinic,
        procedure="microneedling",
        title="Micro-needling consent",
        body=CONSENT_TEXT,
        effective_on=today - datetime.timedelta(days=30),
    )


@pytest.fixture
def screened_patient(clinic: Any, make_patient: Any, nurse: Any) -> Any:
    """The shared patient with an intake recorded by the nurse that screens "treat"."""
    patient = make_patient(clinic)
    do_record_intake(
        actor=nurse, patient=patient, data=intake(), source="desk", today=patient.clinic.today()
    )
    return patient


@pytest.fixture
def consented_patient(screened_patient: Any, consent_form: Any, nurse: Any) -> Any:
    do_sign_consent(
        actor=nurse,
        patient=screened_patient,
        form=consent_form,
        method="typed",
        typed_name="Ada Lovelace",
    )
    return screened_patient


def make_lot(
    clinic: Any,
    kind: str,
    name: str,
    *,
    intradermal: bool = False,
    expires_on: datetime.date = datetime.date(2031, 1, 1),
    quantity: int = 10,
) -> Lot:
    product, _ = Product.objects.get_or_create(
        clinic=clinic, kind=kind, name=name, defaults={"intradermal_use": intradermal}
    )
    return Lot.objects.create(
        product=product,
        lot_number=f"{name[:3].upper()}-{Lot.objects.count() + 1}",
        expires_on=expires_on,
        received_on=datetime.date(2020, 1, 1),
        quantity_received=quantity,
        quantity_on_hand=quantity,
    )


@pytest.fixture
def cartridge_lot(clinic: Any) -> Lot:
    return make_lot(clinic, "needle_cartridge", "12-pin cartridge")


@pytest.fixture
def draft_note(consented_patient: Any, nurse: Any, pen: Any, today: datetime.date) -> Any:
    return do_start_session(
        actor=nurse, patient=consented_patient, session_date=today, device=pen, photos_taken=True
    )


@pytest.fixture
def signed_note(draft_note: Any, nurse: Any, cartridge_lot: Lot) -> Any:
    do_chart_zone(
        actor=nurse,
        note=draft_note,
        zone="cheeks",
        depth_mm="1.0",
        passes=3,
        endpoint="pinpoint_bleeding",
    )
    do_chart_zone(
        actor=nurse,
        note=draft_note,
        zone="forehead",
        depth_mm="0.5",
        passes=2,
        endpoint="even_erythema",
    )
    do_record_product(actor=nurse, note=draft_note, lot=cartridge_lot, purpose="needle_cartridge")
    return do_sign_note(actor=nurse, note=draft_note)
