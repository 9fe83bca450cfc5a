"""Starting and cancelling bulk exports."""

from __future__ import annotations

import datetime
from functools import partial

from django.core.files.storage import storages
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.exports.models import ExportJob, ExportStatus


def do_start_export(
    *,
    actor: User,
    clinic_id: int,
    level: str,
    types: list[str],
    since: datetime.datetime | None,
    request_url: str,
    request: HttpRequest | None = None,
) -> ExportJob:
    from cit.clinic.exports.tasks import run_export

    with transaction.atomic():
        job = ExportJob.objects.create(
            clinic_id=clinic_id,
            requested_by=actor,
            level=level,
            types=types,
            since=since,
            request_url=request_url[:500],
        )
        record_event(
            request,
            AuditAction.EXPORT,
            actor=actor,
            obj=job,
            detail={"kick_off": level, "types": types},
            channel="fhir",
        )
        transaction.on_commit(partial(run_export.enqueue, str(job.pk)))
    return job


def do_cancel_export(*, actor: User, job: ExportJob, request: HttpRequest | None = None) -> None:
    """Cancel the job (queued or running) or, when done, delete its files."""
    ExportJob.objects.filter(pk=job.pk).exclude(status=ExportStatus.CANCELLED).update(
        status=ExportStatus.CANCELLED, finished_at=timezone.now()
    )
    storage = storages["exports"]
    for item in job.output or []:
        path = job.file_path(item["name"])
        if storage.exists(path):
            storage.delete(path)
    record_event(request, AuditAction.UPDATE, actor=actor, obj=job, detail={"cancelled": True})
