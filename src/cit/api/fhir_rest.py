"""FHIR R4 REST (JSON) at ``/fhir/``: the CapabilityStatement, read and search.

Access is the pages' access: the role's capability for the type (permissions.py), the
user's clinic, and for a patient only their own record; a resource outside that scope is
404. Every read is audited as VIEW and every search as LIST (one event per patient whose
data the page shows). Authentication is :func:`fhir_user`: the session cookie, or an OAuth 2.0
bearer token whose SMART scopes must also allow the type (:mod:`cit.clinic.integrations`).
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from cit import __version__
from cit.clinic.accounts.permissions import Capability, has_capability
from cit.clinic.accounts.roles import Role
from cit.clinic.audit.actions import note_patient_read, record_event, record_events_per_patient
from cit.clinic.audit.models import AuditAction
from cit.clinic.fhir_out.photos import BINARY_PREFIX
from cit.clinic.fhir_out.registry import TYPES, Query, ResourceType, Scope, parse_patient
from cit.clinic.fhir_out.site_urls import base_url
from cit.clinic.integrations.bearer import (
    INVALID_TOKEN_CHALLENGE,
    LOGIN_CHALLENGE,
    InvalidToken,
    TokenGrant,
    authenticate_bearer,
)
from cit.clinic.patients.models import Patient
from cit.clinic.photos.actions import open_photo_file
from cit.interop.bounded_json import JsonTooDeep, loads_bounded
from cit.interop.fhir_elements import instant, prefixed_number
from cit.interop.fhir_search import (
    DEFAULT_COUNT,
    SearchError,
    parse_count,
    parse_date,
    parse_offset,
)

FHIR_JSON = "application/fhir+json"
CHANNEL = "fhir"


def fhir_response(
    body: dict[str, Any], status: int = 200, content_type: str = FHIR_JSON, **headers: str
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=content_type
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def outcome(status: int, code: str, text: str, challenge: str = "") -> HttpResponse:
    """An OperationOutcome answer (``code`` from the FHIR issue-type value set)."""
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": text}],
    }
    headers = {"WWW_Authenticate": challenge or LOGIN_CHALLENGE} if status == 401 else {}
    return fhir_response(body, status, **headers)


class FhirRefusal(Exception):
    def __init__(self, status: int, code: str, text: str, challenge: str = ""):
        super().__init__(text)
        self.status, self.code, self.text = status, code, text
        self.challenge = challenge or LOGIN_CHALLENGE


def fhir_user(request: HttpRequest) -> Any:
    """The authenticated user of a FHIR request, or a 401 refusal: the one an OAuth bearer
    token acts as (RFC 6750), else the session's."""
    try:
        grant = authenticate_bearer(request)
    except InvalidToken:
        raise FhirRefusal(
            401, "login", "The access token is not valid (expired, revoked or unknown).",
            INVALID_TOKEN_CHALLENGE,
        ) from None  # fmt: skip
    if grant is not None:
        return grant.user
    user = request.user
    if not user.is_authenticated or not user.is_active:
        raise FhirRefusal(401, "login", "Log in first (session cookie or bearer token).")
    return user


def token_grant(request: HttpRequest) -> TokenGrant | None:
    """The token the request was authenticated by (after :func:`fhir_user`)."""
    return getattr(request, "oauth_grant", None)


def scope_for(user: Any) -> Scope:
    """Staff (and a backend client): their clinic. A patient: their own record only."""
    if user.role == Role.PATIENT:
        own = Patient.objects.filter(portal_user=user).active().values_list("pk", "clinic_id")
        rows = list(own)
        if not rows:
            raise FhirRefusal(403, "forbidden", "Your account has no patient record.")
        return Scope(clinic_id=rows[0][1], patient_ids=frozenset(pk for pk, _ in rows))
    if user.clinic_id is None:
        raise FhirRefusal(403, "forbidden", "Your account is not attached to a clinic.")
    return Scope(clinic_id=user.clinic_id)


def _authorised(
    request: HttpRequest, type_name: str, search: bool = False
) -> tuple[ResourceType, Scope]:
    spec = TYPES.get(type_name)
    if spec is None:
        raise FhirRefusal(404, "not-supported", f"CIT does not serve {type_name} resources.")
    user = fhir_user(request)
    grant = token_grant(request)
    if grant is not None and not grant.may_read(type_name, search=search):
        raise FhirRefusal(
            403, "forbidden", f"The access token's scopes do not allow reading {type_name}."
        )
    # A backend client's scopes, granted by the clinic admin, are its whole authority; a
    # person's token is also held to their role's rules.
    if (grant is None or not grant.system) and not has_capability(user, spec.capability):
        raise FhirRefusal(403, "forbidden", f"Your role may not read {type_name} resources.")
    return spec, scope_for(user)


def _guarded(view: Any) -> Any:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = view(request, *args, **kwargs)
        except FhirRefusal as refusal:
            return outcome(refusal.status, refusal.code, refusal.text, refusal.challenge)
        except SearchError as error:
            return outcome(400, "invalid", str(error))
        except PermissionDenied as error:
            return outcome(403, "forbidden", str(error) or "Not allowed.")
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _patient_of(row: Any) -> Any:
    if isinstance(row, Patient):
        return row
    return getattr(row, "patient", None) if hasattr(row, "patient_id") else None


def _patients_of(rows: list[Any]) -> list[Patient]:
    """The patients of a page's rows, first seen first, read in one query (not one a row)."""
    ids: dict[int, None] = {}
    known: dict[int, Patient] = {}
    for row in rows:
        if isinstance(row, Patient):
            ids[row.pk] = None
            known[row.pk] = row
        elif getattr(row, "patient_id", None) is not None:
            ids[row.patient_id] = None
    missing = [pk for pk in ids if pk not in known]
    if missing:
        known.update(Patient.objects.in_bulk(missing))
    return [known[pk] for pk in ids if pk in known]


@require_GET
@_guarded
def read(request: HttpRequest, type_name: str, resource_id: str) -> HttpResponse:
    spec, scope = _authorised(request, type_name)
    found = spec.read(scope, resource_id)
    if found is None:
        raise FhirRefusal(404, "not-found", f"No {type_name} with id {resource_id}.")
    resource, row = found
    record_event(
        request,
        AuditAction.VIEW,
        patient=_patient_of(row),
        obj=row,
        detail={"fhir": f"{type_name}/{resource_id}"},
        channel=CHANNEL,
    )
    updated = resource.get("meta", {}).get("lastUpdated")
    response = fhir_response(resource)
    if updated:
        response["ETag"] = f'W/"{updated}"'
    return response


JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json"})


@require_GET
@_guarded
def binary(request: HttpRequest, resource_id: str) -> HttpResponse | FileResponse:
    """``Binary/photo-<id>``: a clinical photograph's JPEG, the content of its ``Media``
    (same access as the Media); as a FHIR Binary with the data in base64 when JSON is asked
    for (``Accept`` or ``_format``), else the image itself."""
    from cit.clinic.photos.serving import photo_response

    spec, scope = _authorised(request, "Media")
    photo_id = prefixed_number(resource_id, BINARY_PREFIX)
    photo = spec.rows(scope).filter(pk=photo_id).first() if photo_id is not None else None
    if photo is None:
        raise FhirRefusal(404, "not-found", f"No Binary with id {resource_id}.")
    record_event(
        request,
        AuditAction.VIEW,
        patient=photo.patient,
        obj=photo,
        detail={"fhir": f"Binary/{resource_id}", "use": "record", "size": "full"},
        channel=CHANNEL,
    )
    wants_json = request.GET.get("_format") in JSON_FORMATS or any(
        kind in request.headers.get("Accept", "") for kind in ("application/fhir+json", "json")
    )
    if not wants_json:
        return photo_response(photo)
    with open_photo_file(photo) as file:
        data = base64.b64encode(file.read()).decode("ascii")
    body = {"resourceType": "Binary", "id": resource_id, "contentType": "image/jpeg", "data": data}
    return fhir_response(body)


def parse_query(spec: ResourceType, request: HttpRequest) -> tuple[Query, int, int]:
    if request.GET.get("_format", "json") not in JSON_FORMATS:
        raise SearchError("CIT answers in JSON only (_format=json).")
    unknown = sorted(set(request.GET) - spec.parameters - {"_format"})
    if unknown:
        raise SearchError(
            f"{spec.name} search does not take {', '.join(unknown)}; CIT supports: "
            f"{', '.join(sorted(spec.parameters))}."
        )
    zone = timezone.get_current_timezone()
    ids = None
    if "_id" in request.GET:
        ids = tuple(v for raw in request.GET.getlist("_id") for v in raw.split(",") if v)
    statuses = None
    if "status" in request.GET:
        statuses = tuple(v for raw in request.GET.getlist("status") for v in raw.split(",") if v)
    patient_values = request.GET.getlist("patient")
    if len(patient_values) > 1:
        raise SearchError("Give one patient.")
    query = Query(
        ids=ids,
        patient_id=parse_patient(patient_values[0]) if patient_values else None,
        dates=tuple(parse_date(raw, zone) for raw in request.GET.getlist("date")),
        updated=tuple(parse_date(raw, zone) for raw in request.GET.getlist("_lastUpdated")),
        statuses=statuses,
        extra=tuple(
            (name, raw)
            for name in sorted(spec.extra_parameters)
            for raw in request.GET.getlist(name)
        ),
    )
    count = parse_count(request.GET.get("_count", str(DEFAULT_COUNT)))
    offset = parse_offset(request.GET.get("_offset", "0"))
    return query, offset, count


def _page_url(request: HttpRequest, offset: int, count: int) -> str:
    params = [(k, v) for k, values in request.GET.lists() for v in values if k != "_offset"]
    if "_count" not in request.GET:
        params.append(("_count", str(count)))
    params.append(("_offset", str(offset)))
    return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")


@require_GET
@_guarded
def search(request: HttpRequest, type_name: str) -> HttpResponse:
    spec, scope = _authorised(request, type_name, search=True)
    query, offset, count = parse_query(spec, request)
    total, resources, rows = spec.search(scope, query, offset, count)
    patients = {patient.pk: patient for patient in _patients_of(rows)}
    detail = {"fhir": type_name, "query": request.GET.urlencode()[:300], "total": total}
    record_events_per_patient(
        request,
        AuditAction.LIST,
        patients=patients.values(),
        object_type=type_name,
        detail=detail,
        channel=CHANNEL,
    )
    if not patients:
        record_event(
            request, AuditAction.LIST, object_type=type_name, detail=detail, channel=CHANNEL
        )
    links = [{"relation": "self", "url": _page_url(request, offset, count)}]
    if count and offset + count < total:
        links.append({"relation": "next", "url": _page_url(request, offset + count, count)})
    if count and offset > 0:
        links.append(
            {"relation": "previous", "url": _page_url(request, max(0, offset - count), count)}
        )
    base = request.build_absolute_uri("/fhir/")
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": instant(timezone.now()),
        "total": total,
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base}{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ],
    }
    if not bundle["entry"]:
        del bundle["entry"]
    return fhir_response(bundle)


SEARCH_PARAMETER_TYPES = {
    "_id": "token",
    "_lastUpdated": "date",
    "patient": "reference",
    "date": "date",
    "status": "token",
    "_count": "number",
    "_offset": "number",
    "identifier": "token",
    "birthdate": "date",
}


@csrf_protect
@require_POST
@_guarded
def import_intake(request: HttpRequest, patient_id: str) -> HttpResponse:
    """``POST /fhir/Patient/<id>/$import-intake`` with a FHIR R4 Bundle: the patient's next
    questionnaire version (source FHIR), screened; 201 with an OperationOutcome of warnings."""
    from cit.clinic.intake.fhir_import import do_import_fhir_bundle

    user = fhir_user(request)
    grant = token_grant(request)
    if grant is not None and not grant.may_write():
        raise FhirRefusal(403, "forbidden", "The access token allows reading only.")
    if not has_capability(user, Capability.INTAKE_SUBMIT):
        raise FhirRefusal(403, "forbidden", "Your role may not record questionnaires.")
    scope = scope_for(user)
    patients = Patient.objects.filter(clinic_id=scope.clinic_id).active()
    if scope.patient_ids is not None:
        patients = patients.filter(pk__in=scope.patient_ids)
    patient = patients.filter(pk=int(patient_id)).first() if patient_id.isdigit() else None
    if patient is None or len(patient_id) > 18:
        raise FhirRefusal(404, "not-found", f"No Patient with id {patient_id}.")
    # A refused body still confirmed the record: the audit middleware then writes a view.
    note_patient_read(request, patient)
    if request.content_type not in ("application/fhir+json", "application/json"):
        raise FhirRefusal(415, "not-supported", "Send the Bundle as application/fhir+json.")
    try:
        bundle = loads_bounded(request.body or b"null")
    except (ValueError, JsonTooDeep):
        raise FhirRefusal(400, "structure", "The body is not JSON.") from None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FhirRefusal(400, "structure", "Send a FHIR R4 Bundle (resourceType Bundle).")
    try:
        record, screening, warnings = do_import_fhir_bundle(
            actor=user, patient=patient, bundle=bundle, today=patient.clinic.today(),
            request=request,
        )  # fmt: skip
    except ValidationError as error:
        problems = [str(m) for messages in error.message_dict.values() for m in messages]
        body = {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": "invalid", "diagnostics": p} for p in problems],
        }
        return fhir_response(body, 422)
    issues = [{"severity": "warning", "code": "informational", "diagnostics": w} for w in warnings]
    issues.insert(
        0,
        {
            "severity": "information",
            "code": "informational",
            "diagnostics": f"Recorded as questionnaire version {record.version}; screened: "
            f"{screening.get_decision_label()}.",
        },
    )
    return fhir_response(
        {"resourceType": "OperationOutcome", "issue": issues},
        201,
        Location=request.build_absolute_uri(f"/fhir/Condition?patient=Patient/{patient.pk}"),
    )


@require_GET
@_guarded
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement: served to anyone (it holds no patient data)."""
    resources = [
        {
            "type": spec.name,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": name, "type": SEARCH_PARAMETER_TYPES[name]}
                for name in sorted(spec.parameters)
            ],
        }
        for spec in TYPES.values()
    ]
    resources.append(
        {
            "type": "Binary",
            "interaction": [{"code": "read"}],
            "documentation": "The JPEG of a Media (a clinical photograph): Binary/photo-<id>.",
        }
    )
    body = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": instant(timezone.now()),
        "kind": "instance",
        "software": {"name": "CIT", "version": __version__},
        "implementation": {
            "description": "CIT clinic system, FHIR R4 read/search and Bulk Data export",
            "url": request.build_absolute_uri("/fhir/"),
        },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/"
                                    "restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "description": "OAuth 2.0 bearer tokens with SMART on FHIR v2 scopes "
                    "(see /.well-known/smart-configuration), or the session log-in (cookie); "
                    "the clinic's roles apply.",
                },
                "resource": resources,
                "operation": [
                    {
                        "name": "export",
                        "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
                    },
                    {
                        "name": "import-intake",
                        "definition": f"{base_url()}/OperationDefinition/import-intake",
                        "documentation": "POST a patient's Bundle to "
                        "Patient/<id>/$import-intake: their next questionnaire version.",
                    },
                ],
            }
        ],
        "instantiates": [
            "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data",
        ],
    }
    return fhir_response(body)
