"""A treatment session's note: started after the checklist and re-screen, zones charted
within their depth limits, products and lots recorded, and signed."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.appointments.visits import complete_visit_for_note, start_visit_for_note
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting.consent import form_in_effect, valid_consent
from cit.clinic.charting.depth_rules import (
    depth_refusals,
    may_break_skin,
    parse_depth,
    skin_breaking_threshold,
    zone_limits,
)
from cit.clinic.charting.errors import conflict, refusal
from cit.clinic.charting.models import (
    Endpoint,
    Procedure,
    ProductPurpose,
    SessionNote,
    SessionProduct,
    ZoneTreatment,
)
from cit.clinic.facilities.models import Device, DeviceKind
from cit.clinic.intake.actions import do_rescreen, effective_screening
from cit.clinic.inventory.actions import do_use_lot
from cit.clinic.inventory.models import Lot, ProductKind
from cit.clinic.patients.models import Patient
from cit.clinic.recovery.actions import schedule_check_ins
from cit.protocol.aftercare import AFTERCARE_DAYS, aftercare
from cit.protocol.consent import CONSENT_VALID_DAYS
from cit.protocol.model import Decision
from cit.protocol.profiles import Settings, load_profile
from cit.protocol.serialise import aftercare_to_dict

# A drawn signature is a small PNG; anything bigger is not a signature pad image.


TREATABLE = {Decision.TREAT.value, Decision.TREAT_WITH_PRECAUTIONS.value}


NEEDLING_DEVICE_KINDS = {DeviceKind.PEN, DeviceKind.ROLLER}


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
        raise conflict("note", "This session note is signed; add an amendment instead.")
    return locked


def _check_numbing(applied: datetime.time | None, removed: datetime.time | None) -> None:
    if removed is not None and applied is None:
        raise refusal("numbing_removed_at", "Record when the numbing cream was applied first.")
    if applied is not None and removed is not None and removed <= applied:
        raise refusal("numbing_removed_at", "Numbing must be removed after it was applied.")


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
        raise refusal("procedure", f"Choose one of: {', '.join(Procedure.values)}.")
    if session_date > patient.clinic.today():
        raise refusal("session_date", "A session is charted on the day it happens, not before.")
    if (
        device.clinic_id != patient.clinic_id
        or device.kind not in NEEDLING_DEVICE_KINDS
        or device.is_archived
    ):
        raise refusal("device", "Choose a needling device (pen or roller) of this clinic.")
    _check_numbing(numbing_applied_at, numbing_removed_at)
    consent = valid_consent(patient, procedure, session_date)
    if consent is None:
        form = form_in_effect(patient.clinic, procedure, session_date)
        label = Procedure(procedure).label.lower()
        raise conflict(
            "consent",
            f"No consent form for {label} is published yet."
            if form is None
            else f"The patient has not signed {form} (in effect) within the last "
            f"{CONSENT_VALID_DAYS} days; ask them to sign before the session.",
        )
    try:
        screening = do_rescreen(actor=actor, patient=patient, on=session_date, request=request)
    except ValidationError as error:
        raise conflict("screening", " ".join(error.messages)) from None
    effective = effective_screening(screening)
    if effective.decision not in TREATABLE:
        titles = "; ".join(f["title"] for f in effective.findings if f["override"] is None)
        raise conflict(
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
    depth = parse_depth(depth_mm)
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
        raise refusal("purpose", "Choose what the product was used for.")
    product = lot.product
    allowed = _PURPOSE_KINDS[ProductPurpose(purpose)]
    if product.kind not in allowed:
        kinds = " or ".join(str(ProductKind(kind).label).lower() for kind in sorted(allowed))
        raise refusal("lot", f"{product.name} is not a {kinds}.")
    if purpose == ProductPurpose.DURING_NEEDLING and not product.intradermal_use:
        raise refusal(
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
    schedule_check_ins(locked)
    return locked


def aftercare_handout(note: SessionNote) -> list[dict[str, Any]]:
    """The aftercare instructions for the session day and the week after, from the engine."""
    profile = load_profile(note.patient.clinic.protocol_profile)
    return [
        aftercare_to_dict(aftercare(note.session_date, day, profile))
        for day in range(AFTERCARE_DAYS)
    ]
