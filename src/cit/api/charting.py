"""Session charting over JSON (consent, session notes, signing, amendments).

The same actions, role rules and audit events as the pages. Invalid input answers 422
with field errors; a request the record's state refuses (a signed note, no valid
consent, a re-screen that does not allow treatment) answers 409 in the same shape.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from cit.api.bounds import Day
from cit.api.errors import ErrorOut
from cit.api.paging import DEFAULT_LIMIT, KeysetPagination
from cit.clinic.access import patient_for_request, require_capability, signed_in_user, staff_clinic
from cit.clinic.accounts.permissions import Capability
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting import amendments, consent, errors, sessions
from cit.clinic.charting.access import note_for_request
from cit.clinic.charting.models import ConsentForm, ConsentSignature, SessionNote
from cit.clinic.facilities.models import Device
from cit.clinic.intake.actions import effective_screening
from cit.clinic.inventory.models import Lot
from cit.clinic.paging import KeysetPage, keyset_page
from cit.lib.api_errors import error_body

router = Router(tags=["charting"])

ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
ProcedureCode = Literal["microneedling", "microneedling_prp"]
EndpointCode = Literal["even_erythema", "pinpoint_bleeding", "not_reached"]
PurposeCode = Literal["needle_cartridge", "numbing", "during_needling", "post_procedure"]


def _conflict(error: errors.ChartingConflict) -> Status[dict[str, Any]]:
    errors = [
        {"field": field, "message": message}
        for field, messages in error.message_dict.items()
        for message in messages
    ]
    return Status(409, error_body("The record's state does not allow this.", errors))


def _who(user: Any) -> str | None:
    return None if user is None else user.username


# ------------------------------------------------------------------------------ schemas


class ConsentFormOut(Schema):
    id: int
    procedure: str
    version: int
    title: str
    body: str
    effective_on: datetime.date
    published_at: datetime.datetime
    published_by: str

    @staticmethod
    def resolve_published_by(obj: ConsentForm) -> str:
        return obj.published_by.username


class ConsentFormIn(Schema):
    procedure: ProcedureCode
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=50_000)
    effective_on: Day


class ConsentSignIn(Schema):
    procedure: ProcedureCode = "microneedling"
    method: Literal["drawn", "typed"]
    typed_name: str = Field("", max_length=200)
    drawn_signature: str = Field("", max_length=300_000)


class ConsentSignatureOut(Schema):
    id: int
    form_id: int
    form_version: int
    procedure: str
    method: str
    typed_name: str
    has_drawing: bool
    signed_at: datetime.datetime
    witnessed_by: str

    @staticmethod
    def resolve_form_version(obj: ConsentSignature) -> int:
        return obj.form.version

    @staticmethod
    def resolve_procedure(obj: ConsentSignature) -> str:
        return obj.form.procedure

    @staticmethod
    def resolve_has_drawing(obj: ConsentSignature) -> bool:
        return bool(obj.drawn_signature)

    @staticmethod
    def resolve_witnessed_by(obj: ConsentSignature) -> str:
        return obj.witnessed_by.username


class SessionStartIn(Schema):
    session_date: Day | None = None
    procedure: ProcedureCode = "microneedling"
    device_id: int
    photos_taken: bool
    numbing_applied_at: datetime.time | None = None
    numbing_removed_at: datetime.time | None = None


class SessionPatch(Schema):
    photos_taken: bool | None = None
    numbing_applied_at: datetime.time | None = None
    numbing_removed_at: datetime.time | None = None
    immediate_reactions: str | None = Field(None, max_length=5000)
    post_procedure_notes: str | None = Field(None, max_length=5000)


class ZoneIn(Schema):
    zone: str = Field(..., max_length=30)
    depth_mm: Decimal = Field(..., gt=0, le=3, decimal_places=2)
    passes: int = Field(..., ge=1, le=20)
    endpoint: EndpointCode


class ProductIn(Schema):
    lot_id: int
    purpose: PurposeCode
    quantity: int = Field(1, ge=1, le=20)


class AmendIn(Schema):
    target: str = Field(..., max_length=60)
    new_value: str = Field(..., min_length=1, max_length=5000)
    reason: str = Field(..., min_length=1, max_length=2000)


class ZoneOut(Schema):
    zone: str
    depth_mm: Decimal
    passes: int
    endpoint: str
    charted_by: str | None


class ProductOut(Schema):
    purpose: str
    product: str
    lot_id: int
    lot_number: str
    expires_on: datetime.date
    quantity: int


class AmendmentOut(Schema):
    id: int
    target: str
    previous_value: str
    new_value: str
    reason: str
    amended_at: datetime.datetime
    amended_by: str | None


class NoteScreeningOut(Schema):
    id: int
    decision: str = Field(
        description="The effective decision when the session started: the engine's, as "
        "changed by the clinicians' overrides that stood then."
    )
    engine_decision: str = Field(description="The screening engine's own decision.")
    overridden_rules: list[str] = Field(
        description="The rules whose findings stood overridden when the session started."
    )
    screened_for: datetime.date
    protocol_version: str


class NoteOut(Schema):
    id: int
    patient_id: int
    procedure: str
    session_date: datetime.date
    status: Literal["draft", "signed"]
    screening: NoteScreeningOut
    consent_id: int
    photos_taken: bool
    numbing_applied_at: datetime.time | None
    numbing_removed_at: datetime.time | None
    device_id: int
    device: str
    device_max_depth_mm: Decimal | None
    immediate_reactions: str
    post_procedure_notes: str
    started_at: datetime.datetime
    started_by: str | None
    signed_at: datetime.datetime | None
    signed_by: str | None
    zones: list[ZoneOut]
    products: list[ProductOut]
    products_next: str | None = Field(
        None, description="More products than fit: the link to their next page."
    )
    amendments: list[AmendmentOut]
    amendments_next: str | None = Field(
        None, description="More amendments than fit: the link to their next page."
    )
    current_values: dict[str, str] | None


class NoteSummary(Schema):
    id: int
    session_date: datetime.date
    procedure: str
    status: Literal["draft", "signed"]
    signed_at: datetime.datetime | None


class AmendmentOutWithNote(AmendmentOut):
    note_id: int


def _note_out(note: SessionNote, request: HttpRequest | None = None) -> dict[str, Any]:
    note = SessionNote.objects.select_related(
        "patient__clinic", "device", "screening", "started_by", "signed_by"
    ).get(pk=note.pk)
    screening = effective_screening(note.screening, as_of=note.started_at)
    # The first page of each list; the rest through the paged endpoints the links name.
    products = keyset_page(_products(note), ordering=PRODUCT_ORDER, cursor=None, size=DEFAULT_LIMIT)
    amendment_page = keyset_page(
        _amendments(note), ordering=AMENDMENT_ORDER, cursor=None, size=DEFAULT_LIMIT
    )
    return {
        "id": note.pk,
        "patient_id": note.patient_id,
        "procedure": note.procedure,
        "session_date": note.session_date,
        "status": "signed" if note.is_signed else "draft",
        "screening": {
            "id": note.screening.pk,
            # What stood when the session started, as on the note page.
            "decision": str(screening.decision),
            "engine_decision": str(screening.engine_decision),
            "overridden_rules": sorted(screening.overrides),
            "screened_for": note.screening.screened_for,
            "protocol_version": note.screening.protocol_version,
        },
        "consent_id": note.consent_id,
        "photos_taken": note.photos_taken,
        "numbing_applied_at": note.numbing_applied_at,
        "numbing_removed_at": note.numbing_removed_at,
        "device_id": note.device_id,
        "device": str(note.device),
        "device_max_depth_mm": note.device.max_depth_mm,
        "immediate_reactions": note.immediate_reactions,
        "post_procedure_notes": note.post_procedure_notes,
        "started_at": note.started_at,
        "started_by": _who(note.started_by),
        "signed_at": note.signed_at,
        "signed_by": _who(note.signed_by),
        "zones": [
            {
                "zone": zone.zone,
                "depth_mm": zone.depth_mm,
                "passes": zone.passes,
                "endpoint": zone.endpoint,
                "charted_by": _who(zone.charted_by),
            }
            for zone in note.zones.select_related("charted_by")
        ],
        "products": [_product_out(item) for item in products],
        "products_next": _first_page_link(request, f"/api/sessions/{note.pk}/products", products),
        "amendments": [_amendment_out(a) for a in amendment_page],
        "amendments_next": _first_page_link(
            request, f"/api/sessions/{note.pk}/amendments", amendment_page
        ),
        "current_values": amendments.current_values(note) if note.is_signed else None,
    }


PRODUCT_ORDER = ("id",)
AMENDMENT_ORDER = ("amended_at", "id")


def _products(note: SessionNote) -> Any:
    return note.products.select_related("lot_use__lot__product")


def _amendments(note: SessionNote) -> Any:
    return note.amendments.select_related("amended_by")


def _product_out(item: Any) -> dict[str, Any]:
    return {
        "purpose": item.purpose,
        "product": item.lot_use.lot.product.name,
        "lot_id": item.lot_use.lot_id,
        "lot_number": item.lot_use.lot.lot_number,
        "expires_on": item.lot_use.lot.expires_on,
        "quantity": item.lot_use.quantity,
    }


def _first_page_link(request: HttpRequest | None, path: str, page: KeysetPage) -> str | None:
    if not page.next_cursor:
        return None
    link = f"{path}?cursor={page.next_cursor}"
    return request.build_absolute_uri(link) if request is not None else link


def _amendment_out(amendment: Any) -> dict[str, Any]:
    return {
        "id": amendment.pk,
        "note_id": amendment.note_id,
        "target": amendment.target,
        "previous_value": amendment.previous_value,
        "new_value": amendment.new_value,
        "reason": amendment.reason,
        "amended_at": amendment.amended_at,
        "amended_by": _who(amendment.amended_by),
    }


# ------------------------------------------------------------------------------ consent


@router.get("/consent-forms", response={200: list[ConsentFormOut], **ERRORS})
@paginate(KeysetPagination, ordering=("procedure", "-version", "id"))
def list_consent_forms(request: HttpRequest) -> Any:
    """Every version of the clinic's consent forms, newest first per procedure, with the day each
    version comes into use, a page at a time."""
    require_capability(request, Capability.CLINIC_VIEW)
    record_event(request, AuditAction.LIST, object_type="charting.ConsentForm")
    return ConsentForm.objects.filter(clinic=staff_clinic(request)).select_related("published_by")


@router.post("/consent-forms", response={201: ConsentFormOut, **ERRORS})
def publish_consent_form(request: HttpRequest, payload: ConsentFormIn) -> Any:
    """Publish a new version of a consent form (clinic admins and licensed clinicians). Versions
    are never edited: a change is a new version from its effective day."""
    if not consent.may_publish_consent_forms(request.user):
        raise PermissionDenied("Only clinic admins and licensed clinicians publish consent forms.")
    form = consent.do_publish_consent_form(
        actor=signed_in_user(request),
        clinic=staff_clinic(request),
        request=request,
        **payload.dict(),
    )
    return Status(201, form)


@router.get("/patients/{patient_id}/consents", response={200: list[ConsentSignatureOut], **ERRORS})
@paginate(KeysetPagination, ordering=("-signed_at", "-id"))
def list_consents(request: HttpRequest, patient_id: int) -> Any:
    """The consent signatures of a patient, newest first, a page at a time: which form version,
    how it was signed and when, and the witness."""
    patient = patient_for_request(request, patient_id, Capability.CLINICAL_EDIT, AuditAction.LIST)
    return ConsentSignature.objects.filter(patient=patient).select_related("form", "witnessed_by")


@router.post("/patients/{patient_id}/consents", response={201: ConsentSignatureOut, **ERRORS})
def sign_consent(request: HttpRequest, patient_id: int, payload: ConsentSignIn) -> Any:
    """Record the patient's signature (typed name or drawn on screen) on the consent form in effect
    today, witnessed by the calling clinician."""
    require_capability(request, Capability.CLINICAL_EDIT)
    patient = patient_for_request(request, patient_id, Capability.CLINICAL_EDIT, None)
    form = consent.form_in_effect(patient.clinic, payload.procedure, patient.clinic.today())
    if form is None:
        raise ValidationError({"procedure": ["No consent form for this procedure is in effect."]})
    signature = consent.do_sign_consent(
        actor=signed_in_user(request),
        patient=patient,
        form=form,
        method=payload.method,
        typed_name=payload.typed_name,
        drawn_signature=payload.drawn_signature,
        request=request,
    )
    return Status(201, signature)


# ------------------------------------------------------------------------------ sessions


def _note_summary(note: SessionNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "session_date": note.session_date,
        "procedure": note.procedure,
        "status": "signed" if note.is_signed else "draft",
        "signed_at": note.signed_at,
    }


@router.get("/patients/{patient_id}/sessions", response={200: list[NoteSummary], **ERRORS})
@paginate(KeysetPagination, ordering=("-session_date", "-id"), present=_note_summary)
def list_sessions(request: HttpRequest, patient_id: int) -> Any:
    """A patient's session notes, newest first, a page at a time (a patient sees their signed
    notes only)."""
    patient = patient_for_request(
        request, patient_id, Capability.CLINICAL_VIEW, AuditAction.LIST, include_archived=True
    )
    notes = SessionNote.objects.filter(patient=patient)
    if signed_in_user(request).is_patient:
        notes = notes.signed()
    return notes


@router.post("/patients/{patient_id}/sessions", response={201: NoteOut, **ERRORS})
def start_session(request: HttpRequest, patient_id: int, payload: SessionStartIn) -> Any:
    """Start a draft session note: requires a valid consent and an in-date screening that allows
    treatment; the pre-procedure checklist is recorded with it."""
    require_capability(request, Capability.CLINICAL_EDIT)
    patient = patient_for_request(request, patient_id, Capability.CLINICAL_EDIT, None)
    device = Device.objects.filter(pk=payload.device_id, clinic=patient.clinic).first()
    if device is None:
        raise ValidationError({"device_id": ["No such device in this clinic."]})
    try:
        note = sessions.do_start_session(
            actor=signed_in_user(request),
            patient=patient,
            session_date=payload.session_date or patient.clinic.today(),
            device=device,
            photos_taken=payload.photos_taken,
            procedure=payload.procedure,
            numbing_applied_at=payload.numbing_applied_at,
            numbing_removed_at=payload.numbing_removed_at,
            request=request,
        )
    except errors.ChartingConflict as error:
        return _conflict(error)
    return Status(201, _note_out(note))


@router.get("/sessions/{note_id}", response={200: NoteOut, **ERRORS})
def get_session(request: HttpRequest, note_id: int) -> Any:
    """One session note with its treated zones, products and lots, screening and consent, signature
    and amendments."""
    return _note_out(note_for_request(request, note_id, Capability.CLINICAL_VIEW), request)


@router.patch("/sessions/{note_id}", response={200: NoteOut, **ERRORS})
def update_session(request: HttpRequest, note_id: int, payload: SessionPatch) -> Any:
    """Change the checklist and notes of a draft session (only the fields sent). A signed note is
    never changed: 409, use an amendment."""
    require_capability(request, Capability.CLINICAL_EDIT)
    note = note_for_request(request, note_id, Capability.CLINICAL_EDIT, None)
    changes = payload.dict(exclude_unset=True)
    nulls = [
        name
        for name, value in changes.items()
        if value is None and name not in ("numbing_applied_at", "numbing_removed_at")
    ]
    if nulls:
        raise ValidationError({name: ["This field cannot be null."] for name in nulls})
    try:
        note = sessions.do_update_session(
            actor=signed_in_user(request), note=note, changes=changes, request=request
        )
    except errors.ChartingConflict as error:
        return _conflict(error)
    return _note_out(note)


@router.post("/sessions/{note_id}/zones", response={200: NoteOut, **ERRORS})
def chart_zone(request: HttpRequest, note_id: int, payload: ZoneIn) -> Any:
    """Chart a treated zone (depth within the zone's limit and the pen's range, passes, clinical
    endpoint) on a draft note; charting a zone again replaces it."""
    require_capability(request, Capability.CLINICAL_EDIT)
    note = note_for_request(request, note_id, Capability.CLINICAL_EDIT, None)
    try:
        sessions.do_chart_zone(
            actor=signed_in_user(request), note=note, request=request, **payload.dict()
        )
    except errors.ChartingConflict as error:
        return _conflict(error)
    return _note_out(note)


@router.get("/sessions/{note_id}/products", response={200: list[ProductOut], **ERRORS})
@paginate(KeysetPagination, ordering=PRODUCT_ORDER, present=_product_out)
def list_session_products(request: HttpRequest, note_id: int) -> Any:
    """The products and lots used in one session, in the order recorded, a page at a time (the
    note itself carries the first page)."""
    return _products(note_for_request(request, note_id, Capability.CLINICAL_VIEW))


@router.post("/sessions/{note_id}/products", response={200: NoteOut, **ERRORS})
def record_product(request: HttpRequest, note_id: int, payload: ProductIn) -> Any:
    """Record a product lot used in a draft session (needle cartridge, serum, anaesthetic).
    Quarantined or expired lots are refused."""
    require_capability(request, Capability.CLINICAL_EDIT)
    note = note_for_request(request, note_id, Capability.CLINICAL_EDIT, None)
    lot = (
        Lot.objects.select_related("product")
        .filter(pk=payload.lot_id, product__clinic=note.patient.clinic)
        .first()
    )
    if lot is None:
        raise ValidationError({"lot_id": ["No such lot in this clinic."]})
    try:
        sessions.do_record_product(
            actor=signed_in_user(request),
            note=note,
            lot=lot,
            purpose=payload.purpose,
            quantity=payload.quantity,
            request=request,
        )
    except errors.ChartingConflict as error:
        return _conflict(error)
    return _note_out(note)


@router.post("/sessions/{note_id}/sign", response={200: NoteOut, **ERRORS})
def sign_session(request: HttpRequest, note_id: int) -> Any:
    """Sign the draft note (licensed clinicians): from then on it is immutable and the aftercare
    handout is available."""
    require_capability(request, Capability.CLINICAL_EDIT)
    note = note_for_request(request, note_id, Capability.CLINICAL_EDIT, None)
    try:
        note = sessions.do_sign_note(actor=signed_in_user(request), note=note, request=request)
    except errors.ChartingConflict as error:
        return _conflict(error)
    return _note_out(note)


@router.get("/sessions/{note_id}/amendments", response={200: list[AmendmentOut], **ERRORS})
@paginate(KeysetPagination, ordering=AMENDMENT_ORDER, present=_amendment_out)
def list_amendments(request: HttpRequest, note_id: int) -> Any:
    """The amendments of one signed note, oldest first, a page at a time (the note itself
    carries the first page)."""
    return _amendments(note_for_request(request, note_id, Capability.CLINICAL_VIEW))


@router.post("/sessions/{note_id}/amendments", response={201: AmendmentOutWithNote, **ERRORS})
def amend_session(request: HttpRequest, note_id: int, payload: AmendIn) -> Any:
    """Add an amendment to a signed note: the new value and the reason; the original stays as it
    was."""
    require_capability(request, Capability.CLINICAL_EDIT)
    note = note_for_request(request, note_id, Capability.CLINICAL_EDIT, None)
    try:
        amendment = amendments.do_amend_note(
            actor=signed_in_user(request), note=note, request=request, **payload.dict()
        )
    except errors.ChartingConflict as error:
        return _conflict(error)
    return Status(201, _amendment_out(amendment))


@router.get("/sessions/{note_id}/aftercare", response={200: list[dict[str, Any]], **ERRORS})
def session_aftercare(request: HttpRequest, note_id: int) -> Any:
    """The aftercare handout of the session (day 0 to 7), from the protocol engine."""
    note = note_for_request(request, note_id, Capability.CLINICAL_VIEW, None)
    record_event(
        request, AuditAction.VIEW, patient=note.patient, obj=note, detail={"part": "aftercare"}
    )
    return sessions.aftercare_handout(note)
