"""FHIR Bulk Data Access (v2) ``$export``: kick-off, status, NDJSON download, cancel.

Kick-off (``Prefer: respond-async``) answers 202 with the status URL in Content-Location;
the worker (:mod:`cit.clinic.exports.tasks`) writes the files; the status URL answers 202
with X-Progress until the manifest is ready, then 200 with it; DELETE cancels. Only a role
with the data-export capability (the clinic admin) exports, and only their clinic.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import storages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cit.api.fhir_rest import (
    FhirRefusal,
    _guarded,
    fhir_response,
    fhir_user,
    outcome,
    token_grant,
)
from cit.clinic.accounts.permissions import Capability, has_capability
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.exports.actions import do_cancel_export, do_start_export
from cit.clinic.exports.models import ExportJob, ExportLevel, ExportStatus
from cit.clinic.fhir_out.registry import TYPES
from cit.interop.fhir_elements import instant
from cit.interop.fhir_search import SearchError, parse_date

KICK_OFF_PARAMETERS = frozenset({"_type", "_since", "_outputFormat"})
NDJSON_FORMATS = frozenset({"application/fhir+ndjson", "application/ndjson", "ndjson"})


def _exporter(request: HttpRequest) -> Any:
    user = fhir_user(request)
    grant = token_grant(request)
    if grant is not None and not (grant.system and grant.may_read_everything()):
        raise FhirRefusal(403, "forbidden", "Exporting the clinic needs the scope system/*.rs.")
    if not has_capability(user, Capability.DATA_EXPORT) or user.clinic_id is None:
        raise FhirRefusal(403, "forbidden", "Only a clinic administrator may export the clinic.")
    return user


def _kick_off(request: HttpRequest, level: str) -> HttpResponse:
    user = _exporter(request)
    if "respond-async" not in request.headers.get("Prefer", ""):
        raise FhirRefusal(400, "invalid", "Bulk export needs the header Prefer: respond-async.")
    unknown = sorted(set(request.GET) - KICK_OFF_PARAMETERS)
    if unknown:
        raise SearchError(f"$export does not take {', '.join(unknown)}.")
    output_format = request.GET.get("_outputFormat")
    if output_format is not None and output_format not in NDJSON_FORMATS:
        raise SearchError("CIT exports NDJSON only (_outputFormat=application/fhir+ndjson).")
    available = [
        name
        for name, spec in TYPES.items()
        if level == ExportLevel.SYSTEM or spec.patient_compartment
    ]
    types = available
    if "_type" in request.GET:
        asked = [
            t.strip() for raw in request.GET.getlist("_type") for t in raw.split(",") if t.strip()
        ]
        wrong = [t for t in asked if t not in available]
        if wrong:
            raise SearchError(
                f"CIT cannot export {', '.join(wrong)} at this level; it exports: "
                f"{', '.join(available)}."
            )
        types = [t for t in available if t in asked]
    since = None
    if "_since" in request.GET:
        bound = parse_date(request.GET["_since"], timezone.get_current_timezone())
        since = bound.start
    job = do_start_export(
        actor=user,
        clinic_id=user.clinic_id,
        level=level,
        types=types,
        since=since,
        request_url=request.build_absolute_uri(),
        request=request,
    )
    response = HttpResponse(status=202)
    response["Content-Location"] = request.build_absolute_uri(f"/fhir/$export-status/{job.pk}")
    return response


@require_http_methods(["GET"])
@_guarded
def system_export(request: HttpRequest) -> HttpResponse:
    return _kick_off(request, ExportLevel.SYSTEM)


@require_http_methods(["GET"])
@_guarded
def patient_export(request: HttpRequest) -> HttpResponse:
    return _kick_off(request, ExportLevel.PATIENT)


@require_http_methods(["GET"])
@_guarded
def group_export(request: HttpRequest, group_id: str) -> HttpResponse:
    """The one Group CIT knows: the clinic's patients (its id is the clinic's)."""
    user = _exporter(request)
    if group_id != str(user.clinic_id):
        raise FhirRefusal(404, "not-found", f"No Group with id {group_id}.")
    return _kick_off(request, ExportLevel.GROUP)


def _job(request: HttpRequest, job_id: str) -> tuple[Any, ExportJob]:
    user = _exporter(request)
    job = ExportJob.objects.filter(pk=job_id, clinic_id=user.clinic_id).first()
    if job is None:
        raise FhirRefusal(404, "not-found", "No such export.")
    return user, job


@require_http_methods(["GET", "DELETE"])
@_guarded
def export_status(request: HttpRequest, job_id: str) -> HttpResponse:
    user, job = _job(request, job_id)
    if request.method == "DELETE":
        if job.status == ExportStatus.CANCELLED:
            raise FhirRefusal(404, "not-found", "This export was already cancelled.")
        do_cancel_export(actor=user, job=job, request=request)
        return HttpResponse(status=202)
    if job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        response = HttpResponse(status=202)
        response["X-Progress"] = job.progress or job.get_status_display()
        response["Retry-After"] = "5"
        return response
    if job.status == ExportStatus.CANCELLED:
        raise FhirRefusal(404, "not-found", "This export was cancelled.")
    if job.status == ExportStatus.FAILED:
        return outcome(500, "exception", "The export failed; start it again.")
    assert job.transaction_time is not None
    manifest = {
        "transactionTime": instant(job.transaction_time),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [
            {
                "type": item["type"],
                "url": request.build_absolute_uri(f"/fhir/$export-file/{job.pk}/{item['name']}"),
                "count": item["count"],
            }
            for item in job.output
        ],
        "error": [],
    }
    return fhir_response(manifest, content_type="application/json")


@require_http_methods(["GET"])
@_guarded
def export_file(request: HttpRequest, job_id: str, name: str) -> HttpResponseBase:
    user, job = _job(request, job_id)
    names = {item["name"] for item in job.output or []}
    if job.status != ExportStatus.DONE or name not in names:
        raise FhirRefusal(404, "not-found", "No such file.")
    record_event(
        request,
        AuditAction.EXPORT,
        obj=job,
        detail={"file": name},
        channel="fhir",
    )
    storage = storages["exports"]
    return FileResponse(
        storage.open(job.file_path(name), "rb"), content_type="application/fhir+ndjson"
    )
