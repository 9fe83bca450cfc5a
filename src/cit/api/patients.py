"""Patient records over JSON, with the same role rules and audit events as the pages."""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from cit.api.bounds import Address, BirthDay
from cit.api.errors import ErrorOut
from cit.api.paging import KeysetPagination
from cit.clinic.access import patient_for_request, require_capability, signed_in_user, staff_clinic
from cit.clinic.accounts.permissions import Capability
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.patients.actions import do_register_patient, do_update_patient
from cit.clinic.patients.models import Patient
from cit.clinic.patients.queries import (
    PATIENT_ORDER,
    search_candidates,
    search_keep,
    search_sorts_matches,
)

router = Router(tags=["patients"])

SexCode = Literal["female", "male", "other", "unknown"]
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PatientOut(Schema):
    id: int
    record_number: str
    given_name: str
    family_name: str
    birth_date: datetime.date
    sex: str
    fitzpatrick_type: int | None
    email: str
    phone: str
    address: str
    archived: bool

    @staticmethod
    def resolve_archived(obj: Patient) -> bool:
        return obj.is_archived


class PatientIn(Schema):
    given_name: str = Field(..., min_length=1, max_length=100)
    family_name: str = Field(..., min_length=1, max_length=100)
    birth_date: BirthDay
    sex: SexCode
    fitzpatrick_type: int | None = Field(None, ge=1, le=6)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    address: Address = ""


class PatientPatch(Schema):
    given_name: str | None = Field(None, min_length=1, max_length=100)
    family_name: str | None = Field(None, min_length=1, max_length=100)
    birth_date: BirthDay | None = None
    sex: SexCode | None = None
    fitzpatrick_type: int | None = Field(None, ge=1, le=6)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    address: Address | None = None


@router.get("/patients", response={200: list[PatientOut], **ERRORS})
@paginate(
    KeysetPagination,
    ordering=PATIENT_ORDER,
    keep=lambda request, params: (
        search_keep(params["q"], staff_clinic(request)) if params.get("q", "").strip() else None
    ),
    sort_matches=lambda params: search_sorts_matches(params.get("q", "")),
)
def list_patients(
    request: HttpRequest,
    q: str = Query("", max_length=200),  # type: ignore[type-arg]
) -> QuerySet[Patient]:
    """The active patients of the staff member's clinic, by family name, filtered by words of the
    name, record number, birth date, phone or email (`q`), a page at a time (`limit`; follow
    `next` for the next page). Staff with the patient-list capability only."""
    require_capability(request, Capability.PATIENT_LIST)
    clinic = staff_clinic(request)
    patients = Patient.objects.active().filter(clinic=clinic)
    record_event(
        request,
        AuditAction.LIST,
        object_type="patients.Patient",
        detail={"query": q, "cursor": request.GET.get("cursor", "")},
    )
    return search_candidates(patients, q, clinic)


@router.get("/patients/{patient_id}", response={200: PatientOut, **ERRORS})
def get_patient(request: HttpRequest, patient_id: int) -> Patient:
    """One patient's demographic record: staff of their clinic, or the patient themself. Archived
    patients are not found."""
    return patient_for_request(request, patient_id, Capability.PATIENT_VIEW, include_archived=True)


@router.post("/patients", response={201: PatientOut, **ERRORS})
def register_patient(request: HttpRequest, payload: PatientIn) -> Status[Patient]:
    """Register a new patient in the staff member's clinic; the record number is issued by the
    clinic. 422 names each invalid field."""
    require_capability(request, Capability.PATIENT_REGISTER)
    patient = do_register_patient(
        actor=signed_in_user(request),
        clinic=staff_clinic(request),
        request=request,
        **payload.dict(),
    )
    return Status(201, patient)


@router.patch("/patients/{patient_id}", response={200: PatientOut, **ERRORS})
def update_patient(request: HttpRequest, patient_id: int, payload: PatientPatch) -> Patient:
    """Change some of a patient's demographic fields (only those sent). 422 names each invalid
    field; nothing is changed then."""
    patient = patient_for_request(request, patient_id, Capability.PATIENT_EDIT, None)
    changes = payload.dict(exclude_unset=True)
    nulls = [
        name for name, value in changes.items() if value is None and name != "fitzpatrick_type"
    ]
    if nulls:
        raise ValidationError({name: ["This field cannot be null."] for name in nulls})
    return do_update_patient(
        actor=signed_in_user(request), patient=patient, changes=changes, request=request
    )
