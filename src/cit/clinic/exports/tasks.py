"""The export worker: writes one NDJSON file per resource type through the exports storage.

Idempotent: the task claims the job with a lease (``cit.clinic.jobs.lease``), so a second
run of a job being run or done does nothing; a job whose worker died (still running, its
lease run out) is taken over by the next run, which the stuck-task sweep enqueues, and is
written again from the start. A cancelled job stops before its next type.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone
from django_tasks import task

from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.exports.models import ExportJob, ExportStatus
from cit.clinic.fhir_out.registry import TYPES, Scope
from cit.clinic.jobs.lease import claim


@task(queue_name="default")
def run_export(job_id: str) -> str:
    started = timezone.now()
    unfinished = ExportJob.objects.filter(
        pk=job_id, status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING)
    )
    if not claim(unfinished, "claimed_at", started):
        return "skipped: already run, being run or cancelled"
    ExportJob.objects.filter(pk=job_id, claimed_at=started).update(
        status=ExportStatus.RUNNING, transaction_time=started, output=[]
    )
    job = ExportJob.objects.select_related("clinic").get(pk=job_id)
    lease = started
    scope = Scope(clinic_id=job.clinic_id)
    storage = storages["exports"]
    output = []
    patients: set[int] = set()
    try:
        for index, type_name in enumerate(job.types):
            if ExportJob.objects.filter(pk=job_id, status=ExportStatus.CANCELLED).exists():
                return "cancelled"
            # Renewing the lease also fences: a run whose job was taken over stops here.
            renewed = timezone.now()
            if not ExportJob.objects.filter(pk=job_id, claimed_at=lease).update(
                progress=f"{index} of {len(job.types)} resource types written",
                claimed_at=renewed,
            ):
                return "stopped: the job was taken over by another run"
            lease = renewed
            lines = []
            for resource in TYPES[type_name].since(scope, job.since):
                lines.append(json.dumps(resource, ensure_ascii=False, separators=(",", ":")))
                patients |= _patients_of(resource)
            if not lines:
                continue
            name = f"{type_name}-1.ndjson"
            path = job.file_path(name)
            if storage.exists(path):
                storage.delete(path)
            storage.save(path, ContentFile(("\n".join(lines) + "\n").encode()))
            output.append({"type": type_name, "name": name, "count": len(lines)})
    except Exception as error:
        ExportJob.objects.filter(pk=job_id, claimed_at=lease).update(
            status=ExportStatus.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
        raise
    mine = ExportJob.objects.filter(pk=job_id, claimed_at=lease, status=ExportStatus.RUNNING)
    updated = mine.update(
        status=ExportStatus.DONE, output=output, progress="done", finished_at=timezone.now()
    )
    if not updated:
        return "cancelled"
    # Writing a patient's data into the export is a disclosure: one event per patient.
    for patient_id in sorted(patients):
        record_event(
            None,
            AuditAction.EXPORT,
            actor=job.requested_by,
            patient=_patient(patient_id),
            object_type="exports.ExportJob",
            detail={"export": str(job.pk)},
            channel="task",
        )
    return "done"


def _patients_of(resource: dict[str, Any]) -> set[int]:
    if resource["resourceType"] == "Patient":
        return {int(resource["id"])}
    for key in ("subject", "patient"):
        ref = (
            resource.get(key, {}).get("reference", "")
            if isinstance(resource.get(key), dict)
            else ""
        )
        if ref.startswith("Patient/"):
            return {int(ref.split("/")[1])}
    for participant in resource.get("participant", []):
        ref = participant.get("actor", {}).get("reference", "")
        if ref.startswith("Patient/"):
            return {int(ref.split("/")[1])}
    return set()


def _patient(patient_id: int) -> Any:
    from cit.clinic.patients.models import Patient

    return Patient.objects.get(pk=patient_id)
