"""Consent: versioned forms, who publishes, drawn and typed signatures, which one is valid."""

from __future__ import annotations

import base64
import datetime
import struct
import zlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cit.clinic.archive import RecordImmutable
from cit.clinic.audit.models import AuditEvent
from cit.clinic.charting.consent import (
    SIGNATURE_MAX_BYTES,
    do_publish_consent_form,
    do_sign_consent,
    valid_consent,
)
from cit.clinic.charting.models import ConsentForm, ConsentSignature
from tests.clinic.charting.conftest import CONSENT_TEXT, png_data_url

pytestmark = pytest.mark.django_db

PNG_PREFIX = "data:image/png;base64,"


def _damaged_png(damage: str) -> str:
    """The blank signature PNG with its header intact and its image data broken."""
    png = base64.b64decode(png_data_url().removeprefix(PNG_PREFIX))
    at = png.index(b"IDAT")  # the chunk's 4-byte length comes just before its type
    length = struct.unpack(">I", png[at - 4 : at])[0]
    after = png[at + 8 + length :]  # past the data and its checksum
    if damage == "cut short":
        png = png[: at + 4 + length // 2]
    elif damage == "checksum wrong":
        png = png[: at + 4] + bytes([png[at + 4] ^ 0xFF]) + png[at + 5 :]
    else:  # "not deflate data": checksum right, pixels undecodable
        data = b"not deflate data"
        crc = struct.pack(">I", zlib.crc32(b"IDAT" + data))
        png = png[: at - 4] + struct.pack(">I", len(data)) + b"IDAT" + data + crc + after
    return PNG_PREFIX + base64.b64encode(png).decode()


def test_a_new_version_never_edits_the_old_one(
    clinic: Any, physician: Any, consent_form: Any, today: datetime.date
) -> None:
    second = do_publish_consent_form(
        actor=physician,
        clinic=clinic,
        procedure="microneedling",
        title="Consent (2026)",
        body=CONSENT_TEXT + " Updated.",
        effective_on=today,
    )
    assert (consent_form.version, second.version) == (1, 2)
    consent_form.refresh_from_db()
    assert consent_form.title == "Micro-needling consent"
    consent_form.title = "Edited"
    with pytest.raises(RecordImmutable):
        consent_form.save()
    with pytest.raises(RecordImmutable):
        ConsentForm.objects.filter(pk=consent_form.pk).update(title="Edited")


def test_typed_and_drawn_signatures_are_stored_with_version_time_and_witness(
    screened_patient: Any, consent_form: Any, nurse: Any, today: datetime.date
) -> None:
    typed = do_sign_consent(
        actor=nurse,
        patient=screened_patient,
        form=consent_form,
        method="typed",
        typed_name=" ada  LOVELACE ",
    )
    drawn = do_sign_consent(
        actor=nurse,
        patient=screened_patient,
        form=consent_form,
        method="drawn",
        drawn_signature=png_data_url(),
    )
    assert typed.typed_name == "ada  LOVELACE"
    assert typed.drawn_signature == ""
    assert drawn.drawn_signature.startswith("data:image/png;base64,")
    assert drawn.typed_name == ""
    assert drawn.form.version == 1
    assert drawn.witnessed_by == nurse
    assert drawn.signed_at
    assert valid_consent(screened_patient, "microneedling", today) == drawn
    assert (
        AuditEvent.objects.filter(
            patient=screened_patient, object_type="charting.ConsentSignature", action="create"
        ).count()
        == 2
    )


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"method": "typed", "typed_name": ""}, "typed_name", "Type the patient"),
        ({"method": "typed", "typed_name": "Grace Hopper"}, "typed_name", "patient's full name"),
        ({"method": "drawn", "drawn_signature": ""}, "drawn_signature", "sign in the box"),
        (
            {"method": "drawn", "drawn_signature": "data:image/gif;base64,R0lGOD"},
            "drawn_signature",
            "PNG",
        ),
        (
            {"method": "drawn", "drawn_signature": "data:image/png;base64,@@@"},
            "drawn_signature",
            "not valid",
        ),
        (
            {"method": "drawn", "drawn_signature": "data:image/png;base64,aGVsbG8gd29ybGQ="},
            "drawn_signature",
            "not a PNG",
        ),
        (
            {"method": "drawn", "drawn_signature": png_data_url(5000, 10)},
            "drawn_signature",
            "impossible",
        ),
        (
            {
                "method": "drawn",
                "drawn_signature": "data:image/png;base64," + "A" * (SIGNATURE_MAX_BYTES * 2),
            },
            "drawn_signature",
            "too large",
        ),
        *[
            (
                {"method": "drawn", "drawn_signature": _damaged_png(damage)},
                "drawn_signature",
                "damaged",
            )
            for damage in ("cut short", "checksum wrong", "not deflate data")
        ],
        ({"method": "smoke"}, "method", "drawn or a typed"),
    ],
)
def test_bad_signatures_are_refused_and_nothing_is_stored(
    screened_patient: Any,
    consent_form: Any,
    nurse: Any,
    fields: dict[str, str],
    field: str,
    reason: str,
) -> None:
    with pytest.raises(ValidationError) as error:
        do_sign_consent(actor=nurse, patient=screened_patient, form=consent_form, **fields)
    assert reason in " ".join(error.value.message_dict[field])
    assert not ConsentSignature.objects.exists()


def test_only_the_version_in_effect_may_be_signed_and_a_new_one_asks_again(
    clinic: Any,
    screened_patient: Any,
    consent_form: Any,
    nurse: Any,
    physician: Any,
    today: datetime.date,
) -> None:
    do_sign_consent(
        actor=nurse,
        patient=screened_patient,
        form=consent_form,
        method="typed",
        typed_name="Ada Lovelace",
    )
    future = do_publish_consent_form(
        actor=physician,
        clinic=clinic,
        procedure="microneedling",
        title="v2",
        body=CONSENT_TEXT,
        effective_on=today + datetime.timedelta(days=7),
    )
    with pytest.raises(ValidationError, match="not in effect until"):
        do_sign_consent(
            actor=nurse,
            patient=screened_patient,
            form=future,
            method="typed",
            typed_name="Ada Lovelace",
        )
    # The old signature covers today, not the day the new version takes effect.
    assert valid_consent(screened_patient, "microneedling", today) is not None
    assert valid_consent(screened_patient, "microneedling", future.effective_on) is None
    current = do_publish_consent_form(
        actor=physician,
        clinic=clinic,
        procedure="microneedling",
        title="v3",
        body=CONSENT_TEXT,
        effective_on=today,
    )
    assert valid_consent(screened_patient, "microneedling", today) is None
    with pytest.raises(ValidationError, match="Version 3 of this form is in effect"):
        do_sign_consent(
            actor=nurse,
            patient=screened_patient,
            form=consent_form,
            method="typed",
            typed_name="Ada Lovelace",
        )
    do_sign_consent(
        actor=nurse,
        patient=screened_patient,
        form=current,
        method="typed",
        typed_name="Ada Lovelace",
    )
    assert valid_consent(screened_patient, "microneedling", today).form == current  # type: ignore[union-attr]
    # Micro-needling consent does not cover a PRP session.
    assert valid_consent(screened_patient, "microneedling_prp", today) is None


def test_consent_of_another_clinic_cannot_be_signed(
    other_clinic: Any, make_user: Any, screened_patient: Any, nurse: Any, today: datetime.date
) -> None:
    foreign = do_publish_consent_form(
        actor=make_user("physician", other_clinic),
        clinic=other_clinic,
        procedure="microneedling",
        title="Theirs",
        body=CONSENT_TEXT,
        effective_on=today,
    )
    with pytest.raises(ValidationError, match="another clinic"):
        do_sign_consent(
            actor=nurse,
            patient=screened_patient,
            form=foreign,
            method="typed",
            typed_name="Ada Lovelace",
        )


@pytest.mark.parametrize(
    ("role", "may_publish"),
    [
        ("clinic_admin", True),
        ("physician", True),
        ("registered_nurse", True),
        ("esthetician", False),
        ("front_desk", False),
    ],
)
def test_clinic_admins_and_licensed_clinicians_publish(
    clinic: Any, make_user: Any, role: str, may_publish: bool, today: datetime.date
) -> None:
    client = Client()
    client.force_login(make_user(role, clinic))
    response = client.post(
        "/consent-forms/",
        {
            "procedure": "microneedling",
            "title": "Consent",
            "body": CONSENT_TEXT,
            "effective_on": today.isoformat(),
        },
    )
    assert response.status_code == (302 if may_publish else 403)
    assert ConsentForm.objects.exists() is may_publish


def test_signing_page_shows_field_errors_and_stores_nothing(
    screened_patient: Any, consent_form: Any, nurse: Any
) -> None:
    client = Client()
    client.force_login(nurse)
    response = client.post(
        f"/patients/{screened_patient.pk}/consent/",
        {"method": "typed", "typed_name": "Someone Else", "patient_confirms": "on"},
    )
    assert response.status_code == 422  # refused: the form with its errors
    assert b'data-field="typed_name"' in response.content
    assert not ConsentSignature.objects.exists()
    response = client.post(
        f"/patients/{screened_patient.pk}/consent/",
        {"method": "typed", "typed_name": "Ada Lovelace", "patient_confirms": "on"},
    )
    assert response.status_code == 302
    assert ConsentSignature.objects.get().witnessed_by == nurse
