"""Charting actions: consent, starting a session, charting zones and lots, signing, amending.

Each ``do_*`` function is one transaction and writes its own audit events. Input problems
raise ``ValidationError`` naming the field (nothing is written); a request that conflicts
with the record's state (a signed note, no valid consent, a screening that does not allow
treatment) raises :class:`ChartingConflict`. Clinical limits come from the knowledge base
and the clinic's protocol profile, never from this module.

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
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from PIL import Image

from cit.clinic.accounts.models import Provider, User
from cit.clinic.accounts.permissions import Capability, has_capability
from cit.clinic.appointments.visits import complete_visit_for_note, start_visit_for_note
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting.models import (
    ConsentForm,
    ConsentSignature,
    Endpoint,
    NoteAmendment,
    Procedure,
    ProductPurpose,
    SessionNote,
    SessionProduct,
    SignatureMethod,
    ZoneTreatment,
)
from cit.clinic.facilities.models import Clinic, Device, DeviceKind
from cit.clinic.intake.actions import do_rescreen, effective_screening
from cit.clinic.inventory.actions import do_use_lot
from cit.clinic.inventory.models import Lot, ProductKind
from cit.clinic.patients.models import Patient
from cit.protocol import depth as depth_rules
from cit.protocol.aftercare import AFTERCARE_DAYS, aftercare
from cit.protocol.consent import CONSENT_VALID_DAYS
from cit.protocol.depth import NEEDLE_DEPTH_CAP_MM, ZoneLimits
from cit.protocol.model import Decision
from cit.protocol.profiles import Settings, load_profile
from cit.protocol.serialise import aftercare_to_dict

# A drawn signature is a small PNG; anything bigger is not a signature pad image.
SIGNATURE_MAX_BYTES = 200_000
SIGNATURE_MAX_SIDE = 2000
PNG_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TREATABLE = {Decision.TREAT.value, Decision.TREAT_WITH_PRECAUTIONS.value}
NEEDLING_DEVICE_KINDS = {DeviceKind.PEN, DeviceKind.ROLLER}


class ChartingConflict(ValidationError):
    """The request is well formed but the record's state does not allow it (HTTP 409)."""


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _conflict(field: str, message: str) -> ChartingConflict:
    return ChartingConflict({field: [message]})


# ------------------------------------------------------------------------------ consent


def may_publish_consent_forms(user: Any) -> bool:
    """Clinic admins and licensed clinicians publish consent text (issue 4)."""
    return has_capability(user, Capability.CONSENT_PUBLISH)


def form_in_effect(clinic: Clinic, procedure: str, on: datetime.date) -> ConsentForm | None:
    return (
        ConsentForm.objects.filter(clinic=clinic, procedure=procedure, effective_on__lte=on)
        .order_by("-version")
        .first()
    )


def valid_consent(patient: Patient, procedure: str, on: datetime.date) -> ConsentSignature | None:
    """The patient's signature that makes ``procedure`` on ``on`` consented (module doc)."""
    form = form_in_effect(patient.clinic, procedure, on)
    if form is None:
        return None
    tz = patient.clinic.tzinfo
    day_end = datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time(), tz)
    oldest = day_end - datetime.timedelta(days=CONSENT_VALID_DAYS + 1)
    return (
        ConsentSignature.objects.filter(
            patient=patient, form=form, signed_at__lt=day_end, signed_at__gte=oldest
        )
        .order_by("-signed_at")
        .first()
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
        raise _refuse("drawn_signature", "The drawn signature must be a PNG image.")
    encoded = data_url[len(PNG_PREFIX) :]
    if len(encoded) > SIGNATURE_MAX_BYTES * 4 // 3 + 4:
        raise _refuse("drawn_signature", "The drawn signature image is too large.")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse("drawn_signature", "The drawn signature is not valid image data.") from None
    if len(raw) > SIGNATURE_MAX_BYTES:
        raise _refuse("drawn_signature", "The drawn signature image is too large.")
    if len(raw) < 33 or not raw.startswith(PNG_MAGIC) or raw[12:16] != b"IHDR":
        raise _refuse("drawn_signature", "The drawn signature is not a PNG image.")
    width, height = struct.unpack(">II", raw[16:24])
    if not (0 < width <= SIGNATURE_MAX_SIDE and 0 < height <= SIGNATURE_MAX_SIDE):
        raise _refuse("drawn_signature", "The drawn signature has impossible dimensions.")
    # The header can be right while the chunks are broken (bad checksums, cut short): only
    # decoding the whole image shows it. verify() checks the chunks and then spends the
    # image, so it is opened again to decode the pixels.
    try:
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
            image.verify()
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
            image.load()
    except (OSError, SyntaxError, ValueError):
        raise _refuse("drawn_signature", "The drawn signature image is damaged.") from None


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
        raise _refuse("form", "This consent form belongs to another clinic.")
    current = form_in_effect(patient.clinic, form.procedure, today)
    if current is None or current.pk != form.pk:
        if form.effective_on > today:
            message = f"Version {form.version} is not in effect until {form.effective_on}."
        else:
            message = f"Version {current.version} of this form is in effect; sign that one."  # type: ignore[union-attr]
        raise _refuse("form", message)
    typed_name = typed_name.strip()
    if method == SignatureMethod.TYPED:
        if not typed_name:
            raise _refuse("typed_name", "Type the patient's full name to sign.")
        if _normalised(patient.family_name) not in _normalised(typed_name):
            raise _refuse(
                "typed_name", f"The typed name must be the patient's full name ({patient})."
            )
        drawn_signature = ""
    elif method == SignatureMethod.DRAWN:
        if not drawn_signature:
            raise _refuse("drawn_signature", "Ask the patient to sign in the box.")
        validate_drawn_signature(drawn_signature)
        typed_name = ""
    else:
        raise _refuse("method", "Choose a drawn or a typed signature.")
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


# ------------------------------------------------------------------------------ sessions


def _settings(patient: Patient) -> Settings:
    return load_profile(patient.clinic.protocol_profile).settings


def _locked_draft(note: SessionNote) -> SessionNote:
    """The note's row, locked, refusing when it is already signed (two users may race)."""
    locked: SessionNote = (
        SessionNote.objects.select_for_update()
        .select_related("patient__clinic", "device")
        .get(pk=note.pk)
    )
    if locked.is_signed:
        raise _conflict("note", "This session note is signed; add an amendment instead.")
    return locked


def _check_numbing(applied: datetime.time | None, removed: datetime.time | None) -> None:
    if removed is not None and applied is None:
        raise _refuse("numbing_removed_at", "Record when the numbing cream was applied first.")
    if applied is not None and removed is not None and removed <= applied:
        raise _refuse("numbing_removed_at", "Numbing must be removed after it was applied.")


@transaction.atomic
def do_start_session(
    *,
    actor: User,
    patient: Patient,
    session_date: datetime.date,
    device: Device,
    photos_taken: bool,
    procedure: str = Procedure.MICRONEEDLING,
    numbing_applied_at: datetime.time | None = None,
    numbing_removed_at: datetime.time | None = None,
    request: HttpRequest | None = None,
) -> SessionNote:
    """Start a session note after the pre-procedure checklist.

    The patient is re-screened for the session day; the session starts only when that
    screening allows treatment and a valid consent (module doc) is on file. A refused
    start writes nothing, not even the re-screen.
    """
    if procedure not in Procedure.values:
        raise _refuse("procedure", f"Choose one of: {', '.join(Procedure.values)}.")
    if session_date > patient.clinic.today():
        raise _refuse("session_date", "A session is charted on the day it happens, not before.")
    if (
        device.clinic_id != patient.clinic_id
        or device.kind not in NEEDLING_DEVICE_KINDS
        or device.is_archived
    ):
        raise _refuse("device", "Choose a needling device (pen or roller) of this clinic.")
    _check_numbing(numbing_applied_at, numbing_removed_at)
    consent = valid_consent(patient, procedure, session_date)
    if consent is None:
        form = form_in_effect(patient.clinic, procedure, session_date)
        label = Procedure(procedure).label.lower()
        raise _conflict(
            "consent",
            f"No consent form for {label} is published yet."
            if form is None
            else f"The patient has not signed {form} (in effect) within the last "
            f"{CONSENT_VALID_DAYS} days; ask them to sign before the session.",
        )
    try:
        screening = do_rescreen(actor=actor, patient=patient, on=session_date, request=request)
    except ValidationError as error:
        raise _conflict("screening", " ".join(error.messages)) from None
    effective = effective_screening(screening)
    if effective.decision not in TREATABLE:
        titles = "; ".join(f["title"] for f in effective.findings if f["override"] is None)
        raise _conflict(
            "screening",
            f"The re-screen for {session_date:%d %b %Y} says {effective.decision.label.lower()}"
            + (f" ({titles})" if titles else "")
            + "; the session cannot start.",
        )
    note = SessionNote.objects.create(
        patient=patient,
        procedure=procedure,
        session_date=session_date,
        screening=screening,
        consent=consent,
        photos_taken=photos_taken,
        numbing_applied_at=numbing_applied_at,
        numbing_removed_at=numbing_removed_at,
        device=device,
        started_by=actor,
    )
    record_event(
        request,
        AuditAction.CREATE,
        actor=actor,
        patient=patient,
        obj=note,
        detail={"screening": screening.decision, "consent": consent.pk},
    )
    # The day's booked visit is now in treatment (same transaction).
    start_visit_for_note(actor=actor, note=note, request=request)
    return note


EDITABLE_DRAFT_FIELDS = (
    "photos_taken",
    "numbing_applied_at",
    "numbing_removed_at",
    "immediate_reactions",
    "post_procedure_notes",
)


@transaction.atomic
def do_update_session(
    *,
    actor: User,
    note: SessionNote,
    changes: dict[str, Any],
    request: HttpRequest | None = None,
) -> SessionNote:
    """Change checklist times, reactions and post-procedure notes of a draft note."""
    unknown = set(changes) - set(EDITABLE_DRAFT_FIELDS)
    if unknown:
        raise ValidationError({name: ["This cannot be changed here."] for name in unknown})
    locked = _locked_draft(note)
    for name, value in changes.items():
        setattr(locked, name, value)
    _check_numbing(locked.numbing_applied_at, locked.numbing_removed_at)
    locked.save()
    record_event(
        request,
        AuditAction.UPDATE,
        actor=actor,
        patient=locked.patient,
        obj=locked,
        detail={"fields": sorted(changes)},
    )
    return locked


# ------------------------------------------------------------------------------ depth rules


def zone_limits(clinic: Clinic) -> dict[str, ZoneLimits]:
    """The zones, in knowledge-base order, with the clinic profile's depth ranges."""
    return depth_rules.zone_limits(load_profile(clinic.protocol_profile))


def skin_breaking_threshold(clinic: Clinic) -> Decimal:
    return depth_rules.skin_breaking_threshold(load_profile(clinic.protocol_profile))


def may_break_skin(user: User, day: datetime.date) -> bool:
    provider = Provider.objects.active().filter(user=user).select_related("user").first()
    return provider is not None and provider.may_break_skin_on(day)


def depth_refusals(*, user: User, note: SessionNote, zone: str, depth_mm: Decimal) -> list[str]:
    """Why ``user`` may not needle ``zone`` at ``depth_mm`` in this session (empty: allowed);
    the rules are :func:`cit.protocol.depth.depth_refusals`."""
    return depth_rules.depth_refusals(
        depth_mm,
        zone=zone,
        profile=load_profile(note.patient.clinic.protocol_profile),
        device=str(note.device),
        device_max_mm=note.device.max_depth_mm,
        may_break_skin=lambda: may_break_skin(user, note.session_date),
    )


def _parse_depth(value: Any) -> Decimal:
    try:
        depth = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise _refuse("depth_mm", "Enter the depth in millimetres, e.g. 0.5.") from None
    if not depth.is_finite() or depth <= 0 or depth > NEEDLE_DEPTH_CAP_MM:
        raise _refuse(
            "depth_mm", f"Depth must be more than 0 and at most {NEEDLE_DEPTH_CAP_MM} mm."
        )
    return depth


@transaction.atomic
def do_chart_zone(
    *,
    actor: User,
    note: SessionNote,
    zone: str,
    depth_mm: Any,
    passes: int,
    endpoint: str,
    request: HttpRequest | None = None,
) -> ZoneTreatment:
    """Record (or, while the note is a draft, re-record) how one zone was needled."""
    locked = _locked_draft(note)
    depth = _parse_depth(depth_mm)
    errors: dict[str, list[str]] = {}
    if not isinstance(passes, int) or not 1 <= passes <= 20:
        errors["passes"] = ["Passes must be a whole number from 1 to 20."]
    if endpoint not in Endpoint.values:
        errors["endpoint"] = ["Choose the endpoint reached."]
    reasons = depth_refusals(user=actor, note=locked, zone=zone, depth_mm=depth)
    if reasons:
        errors["zone" if zone not in zone_limits(locked.patient.clinic) else "depth_mm"] = reasons
    if errors:
        raise ValidationError(errors)
    treatment = ZoneTreatment.objects.filter(note=locked, zone=zone).first()
    created = treatment is None
    if treatment is None:
        treatment = ZoneTreatment(note=locked, zone=zone, charted_by=actor)
    treatment.depth_mm = depth
    treatment.passes = passes
    treatment.endpoint = endpoint
    treatment.charted_by = actor
    treatment.save()
    record_event(
        request,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        actor=actor,
        patient=locked.patient,
        obj=treatment,
        detail={"zone": zone, "depth_mm": str(depth), "passes": passes, "endpoint": endpoint},
    )
    return treatment


_PURPOSE_KINDS = {
    ProductPurpose.NEEDLE_CARTRIDGE: {ProductKind.NEEDLE_CARTRIDGE},
    ProductPurpose.NUMBING: {ProductKind.ANAESTHETIC},
    ProductPurpose.DURING_NEEDLING: {ProductKind.SERUM, ProductKind.PRP_KIT},
    ProductPurpose.POST_PROCEDURE: {ProductKind.SERUM, ProductKind.AFTERCARE},
}


@transaction.atomic
def do_record_product(
    *,
    actor: User,
    note: SessionNote,
    lot: Lot,
    purpose: str,
    quantity: int = 1,
    request: HttpRequest | None = None,
) -> SessionProduct:
    """Record a lot used in the session; the lot register refuses expired or short lots."""
    locked = _locked_draft(note)
    if purpose not in ProductPurpose.values:
        raise _refuse("purpose", "Choose what the product was used for.")
    product = lot.product
    allowed = _PURPOSE_KINDS[ProductPurpose(purpose)]
    if product.kind not in allowed:
        kinds = " or ".join(str(ProductKind(kind).label).lower() for kind in sorted(allowed))
        raise _refuse("lot", f"{product.name} is not a {kinds}.")
    if purpose == ProductPurpose.DURING_NEEDLING and not product.intradermal_use:
        raise _refuse(
            "lot",
            f"{product.name} is not made for intradermal use, so it may not be applied "
            "during needling (it can be applied after, as a post-procedure product).",
        )
    use = do_use_lot(
        actor=actor,
        lot=lot,
        patient=locked.patient,
        quantity=quantity,
        used_on=locked.session_date,
        note=f"Session note {locked.pk}: {ProductPurpose(purpose).label}",
        request=request,
    )
    return SessionProduct.objects.create(note=locked, purpose=purpose, lot_use=use)


def sign_refusals(note: SessionNote, user: User) -> list[str]:
    """What still stops ``user`` from signing the note (empty: it may be signed)."""
    reasons = []
    zones = list(note.zones.all())
    if not zones:
        reasons.append("Chart at least one zone before signing.")
    if (
        note.device.kind == DeviceKind.PEN
        and not note.products.filter(purpose=ProductPurpose.NEEDLE_CARTRIDGE).exists()
    ):
        reasons.append("Record the needle cartridge lot used with the pen.")
    if note.numbing_applied_at is not None and note.numbing_removed_at is None:
        reasons.append("Record when the numbing cream was removed.")
    threshold = skin_breaking_threshold(note.patient.clinic)
    if any(zone.depth_mm > threshold for zone in zones) and not may_break_skin(
        user, note.session_date
    ):
        reasons.append(
            "This note records skin-breaking depth; a licensed medical professional signs it."
        )
    return reasons


@transaction.atomic
def do_sign_note(
    *, actor: User, note: SessionNote, request: HttpRequest | None = None
) -> SessionNote:
    """Sign the note: from now on it changes only through amendments."""
    locked = _locked_draft(note)
    reasons = sign_refusals(locked, actor)
    if reasons:
        raise ValidationError({"note": reasons})
    locked.signed_at = timezone.now()
    locked.signed_by = actor
    locked.save()
    record_event(
        request,
        AuditAction.UPDATE,
        actor=actor,
        patient=locked.patient,
        obj=locked,
        detail={"signed": True},
    )
    # Its visit is completed (same transaction).
    complete_visit_for_note(actor=actor, note=locked, request=request)
    # The recovery diary's check-ins; their messages are enqueued on commit.
    from cit.clinic.recovery.actions import schedule_check_ins

    schedule_check_ins(locked)
    return locked


# ------------------------------------------------------------------------------ amendments

NOTE_TARGETS = {
    "immediate_reactions": "Immediate reactions",
    "post_procedure_notes": "Post-procedure notes",
    "photos_taken": "Photos taken",
    "numbing_applied_at": "Numbing applied at",
    "numbing_removed_at": "Numbing removed at",
    "addendum": "Addendum (free text)",
}
ZONE_FIELDS = {"depth_mm": "depth (mm)", "passes": "passes", "endpoint": "endpoint"}


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value)


def amendment_targets(note: SessionNote) -> dict[str, tuple[str, str]]:
    """Every amendable item of the note: target -> (label, value as signed)."""
    targets = {
        name: (label, "" if name == "addendum" else _shown(getattr(note, name)))
        for name, label in NOTE_TARGETS.items()
    }
    titles = {zone: limits.title for zone, limits in zone_limits(note.patient.clinic).items()}
    for zone in note.zones.all():
        for field, label in ZONE_FIELDS.items():
            value = getattr(zone, field)
            if field == "endpoint":
                value = Endpoint(value).label
            title = titles.get(zone.zone, zone.zone)
            targets[f"zone:{zone.zone}:{field}"] = (f"{title} {label}", _shown(value))
    return targets


def current_values(note: SessionNote) -> dict[str, str]:
    """The value of each target after all amendments (the signed value where none)."""
    values = {target: value for target, (_, value) in amendment_targets(note).items()}
    for amendment in note.amendments.all():
        if amendment.target != "addendum":
            values[amendment.target] = amendment.new_value
    return values


def _normalise_amendment(actor: User, note: SessionNote, target: str, new_value: str) -> str:
    """Validate the new value as the charting actions would; return it as shown."""
    new_value = new_value.strip()
    if target.startswith("zone:"):
        _, zone, field = target.split(":", 2)
        if field == "depth_mm":
            depth = _parse_depth(new_value)
            reasons = depth_refusals(user=actor, note=note, zone=zone, depth_mm=depth)
            if reasons:
                raise ValidationError({"new_value": reasons})
            return str(depth)
        if field == "passes":
            if not new_value.isdigit() or not 1 <= int(new_value) <= 20:
                raise _refuse("new_value", "Passes must be a whole number from 1 to 20.")
            return str(int(new_value))
        labels = {str(label).casefold(): str(label) for label in Endpoint.labels}
        by_value = {value: str(Endpoint(value).label) for value in Endpoint.values}
        shown = by_value.get(new_value) or labels.get(new_value.casefold())
        if shown is None:
            raise _refuse("new_value", f"Choose one of: {', '.join(Endpoint.labels)}.")
        return shown
    if target == "photos_taken":
        if new_value.casefold() not in ("yes", "no"):
            raise _refuse("new_value", "Answer yes or no.")
        return new_value.casefold()
    if target in ("numbing_applied_at", "numbing_removed_at"):
        try:
            return datetime.time.fromisoformat(new_value).strftime("%H:%M")
        except ValueError:
            raise _refuse("new_value", "Enter a time as HH:MM.") from None
    if not new_value:
        raise _refuse("new_value", "Write the corrected text.")
    return new_value


@transaction.atomic
def do_amend_note(
    *,
    actor: User,
    note: SessionNote,
    target: str,
    new_value: str,
    reason: str,
    request: HttpRequest | None = None,
) -> NoteAmendment:
    """Add a correction to a signed note; the signed value and earlier amendments stay."""
    # Lock the note so two amendments of one item record each other's value as previous.
    locked = (
        SessionNote.objects.select_for_update()
        .select_related("patient__clinic", "device")
        .get(pk=note.pk)
    )
    if not locked.is_signed:
        raise _conflict("note", "This note is a draft: change it directly, then sign it.")
    targets = amendment_targets(locked)
    if target not in targets:
        raise _refuse("target", "Choose an item of this note to amend.")
    if not reason.strip():
        raise _refuse("reason", "Say why the note is amended.")
    shown = _normalise_amendment(actor, locked, target, new_value)
    previous = "" if target == "addendum" else current_values(locked)[target]
    if target != "addendum" and shown == previous:
        raise _refuse("new_value", "This is the value already recorded.")
    amendment = NoteAmendment.objects.create(
        note=locked,
        target=target,
        previous_value=previous,
        new_value=shown,
        reason=reason.strip(),
        amended_by=actor,
    )
    record_event(
        request,
        AuditAction.CREATE,
        actor=actor,
        patient=locked.patient,
        obj=amendment,
        detail={"note": locked.pk, "target": target},
    )
    return amendment


# ------------------------------------------------------------------------------ aftercare


def aftercare_handout(note: SessionNote) -> list[dict[str, Any]]:
    """The aftercare instructions for the session day and the week after, from the engine."""
    profile = load_profile(note.patient.clinic.protocol_profile)
    return [
        aftercare_to_dict(aftercare(note.session_date, day, profile))
        for day in range(AFTERCARE_DAYS)
    ]
