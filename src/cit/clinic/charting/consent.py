"""Consent: the clinic's versioned forms, the one in effect on a day, and the patient's
signature (drawn or typed, witnessed) on it.

Consent validity (the rule a session start applies): the patient must have signed the
version of the clinic's consent form for the session's procedure that is in effect on the
session day (the highest version whose ``effective_on`` is on or before it), on or before
that day and within the last :data:`cit.protocol.consent.CONSENT_VALID_DAYS` days.
Publishing a new version therefore asks every patient to sign again from its effective date.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import io
import struct
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet, Subquery
from django.http import HttpRequest
from PIL import Image

from cit.clinic.accounts.models import User
from cit.clinic.accounts.permissions import Capability, has_capability
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting.errors import refusal
from cit.clinic.charting.models import (
    ConsentForm,
    ConsentSignature,
    Procedure,
    SignatureMethod,
)
from cit.clinic.facilities.models import Clinic
from cit.clinic.patients.models import Patient
from cit.protocol.consent import CONSENT_VALID_DAYS

# A drawn signature is a small PNG; anything bigger is not a signature pad image.


# A drawn signature is a small PNG; anything bigger is not a signature pad image.
SIGNATURE_MAX_BYTES = 200_000


SIGNATURE_MAX_SIDE = 2000


PNG_PREFIX = "data:image/png;base64,"


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def may_publish_consent_forms(user: Any) -> bool:
    """Clinic admins and licensed clinicians publish consent text (issue 4)."""
    return has_capability(user, Capability.CONSENT_PUBLISH)


def form_in_effect(clinic: Clinic, procedure: str, on: datetime.date) -> ConsentForm | None:
    return (
        ConsentForm.objects.filter(clinic=clinic, procedure=procedure, effective_on__lte=on)
        .order_by("-version")
        .first()
    )


def _validity(clinic: Clinic, on: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """(oldest, day_end): a signature at or after ``oldest`` and before ``day_end`` is valid
    on ``on``."""
    day_end = datetime.datetime.combine(
        on + datetime.timedelta(days=1), datetime.time(), clinic.tzinfo
    )
    return day_end - datetime.timedelta(days=CONSENT_VALID_DAYS + 1), day_end


def _signatures_valid_on(
    clinic: Clinic, procedure: str, on: datetime.date
) -> QuerySet[ConsentSignature]:
    """Signatures (of any of the clinic's patients) that make ``procedure`` on ``on``
    consented: to the form in effect that day, signed within the validity before its end."""
    form = form_in_effect(clinic, procedure, on)
    if form is None:
        return ConsentSignature.objects.none()
    oldest, day_end = _validity(clinic, on)
    return ConsentSignature.objects.filter(form=form, signed_at__lt=day_end, signed_at__gte=oldest)


def valid_consent(patient: Patient, procedure: str, on: datetime.date) -> ConsentSignature | None:
    """The patient's signature that makes ``procedure`` on ``on`` consented (module doc)."""
    return (
        _signatures_valid_on(patient.clinic, procedure, on)
        .filter(patient=patient)
        .order_by("-signed_at")
        .first()
    )


def signatures_valid_on(
    clinic: Clinic, procedure: str, on: datetime.date
) -> QuerySet[ConsentSignature]:
    """``_signatures_valid_on`` in one query, the form in effect picked by the database (no
    form, no signature): a list of visits asks it of each patient in an EXISTS."""
    in_effect = (
        ConsentForm.objects.filter(clinic=clinic, procedure=procedure, effective_on__lte=on)
        .order_by("-version")
        .values("id")[:1]
    )
    oldest, day_end = _validity(clinic, on)
    return ConsentSignature.objects.filter(
        form_id=Subquery(in_effect), signed_at__lt=day_end, signed_at__gte=oldest
    )


@transaction.atomic
def do_publish_consent_form(
    *,
    actor: User,
    clinic: Clinic,
    procedure: str,
    title: str,
    body: str,
    effective_on: datetime.date,
    request: HttpRequest | None = None,
) -> ConsentForm:
    """Publish the next version of the clinic's consent form for ``procedure``."""
    errors: dict[str, list[str]] = {}
    if procedure not in Procedure.values:
        errors["procedure"] = [f"Choose one of: {', '.join(Procedure.values)}."]
    if not title.strip():
        errors["title"] = ["Give the form a title."]
    if len(body.strip()) < 20:
        errors["body"] = ["The consent text is too short to inform a patient."]
    if errors:
        raise ValidationError(errors)
    # Lock the clinic row so two publishers get consecutive versions.
    Clinic.objects.select_for_update().get(pk=clinic.pk)
    latest = ConsentForm.objects.filter(clinic=clinic, procedure=procedure).aggregate(
        latest=Max("version")
    )["latest"]
    form = ConsentForm.objects.create(
        clinic=clinic,
        procedure=procedure,
        version=(latest or 0) + 1,
        title=title.strip(),
        body=body.strip(),
        effective_on=effective_on,
        published_by=actor,
    )
    record_event(request, AuditAction.CREATE, actor=actor, obj=form, detail={"v": form.version})
    return form


def validate_drawn_signature(data_url: str) -> None:
    """A PNG data URL of sensible size and dimensions, or a ValidationError saying why."""
    if not data_url.startswith(PNG_PREFIX):
        raise refusal("drawn_signature", "The drawn signature must be a PNG image.")
    encoded = data_url[len(PNG_PREFIX) :]
    if len(encoded) > SIGNATURE_MAX_BYTES * 4 // 3 + 4:
        raise refusal("drawn_signature", "The drawn signature image is too large.")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise refusal("drawn_signature", "The drawn signature is not valid image data.") from None
    if len(raw) > SIGNATURE_MAX_BYTES:
        raise refusal("drawn_signature", "The drawn signature image is too large.")
    if len(raw) < 33 or not raw.startswith(PNG_MAGIC) or raw[12:16] != b"IHDR":
        raise refusal("drawn_signature", "The drawn signature is not a PNG image.")
    width, height = struct.unpack(">II", raw[16:24])
    if not (0 < width <= SIGNATURE_MAX_SIDE and 0 < height <= SIGNATURE_MAX_SIDE):
        raise refusal("drawn_signature", "The drawn signature has impossible dimensions.")
    # The header can be right while the chunks are broken (bad checksums, cut short): only
    # decoding the whole image shows it. verify() checks the chunks and then spends the
    # image, so it is opened again to decode the pixels.
    try:
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
            image.verify()
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
            image.load()
    except (OSError, SyntaxError, ValueError):
        raise refusal("drawn_signature", "The drawn signature image is damaged.") from None


def _normalised(name: str) -> str:
    return " ".join(name.casefold().split())


@transaction.atomic
def do_sign_consent(
    *,
    actor: User,
    patient: Patient,
    form: ConsentForm,
    method: str,
    typed_name: str = "",
    drawn_signature: str = "",
    request: HttpRequest | None = None,
) -> ConsentSignature:
    """Store the patient's signature on ``form``, witnessed by ``actor``.

    Only the version in effect today may be signed; a typed signature must contain the
    patient's family name (it is their name, not the witness's).
    """
    today = patient.clinic.today()
    if form.clinic_id != patient.clinic_id:
        raise refusal("form", "This consent form belongs to another clinic.")
    current = form_in_effect(patient.clinic, form.procedure, today)
    if current is None or current.pk != form.pk:
        if form.effective_on > today:
            message = f"Version {form.version} is not in effect until {form.effective_on}."
        else:
            message = f"Version {current.version} of this form is in effect; sign that one."  # type: ignore[union-attr]
        raise refusal("form", message)
    typed_name = typed_name.strip()
    if method == SignatureMethod.TYPED:
        if not typed_name:
            raise refusal("typed_name", "Type the patient's full name to sign.")
        if _normalised(patient.family_name) not in _normalised(typed_name):
            raise refusal(
                "typed_name", f"The typed name must be the patient's full name ({patient})."
            )
        drawn_signature = ""
    elif method == SignatureMethod.DRAWN:
        if not drawn_signature:
            raise refusal("drawn_signature", "Ask the patient to sign in the box.")
        validate_drawn_signature(drawn_signature)
        typed_name = ""
    else:
        raise refusal("method", "Choose a drawn or a typed signature.")
    signature = ConsentSignature.objects.create(
        patient=patient,
        form=form,
        method=method,
        typed_name=typed_name[:200],
        drawn_signature=drawn_signature,
        witnessed_by=actor,
    )
    record_event(
        request,
        AuditAction.CREATE,
        actor=actor,
        patient=patient,
        obj=signature,
        detail={"form": form.pk, "version": form.version, "method": method},
    )
    return signature
