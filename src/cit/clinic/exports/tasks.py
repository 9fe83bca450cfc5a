"""The export worker: writes one NDJSON file per resource type through the exports storage.

Idempotent: the task claims the job (queued → running) with a conditional UPDATE, so a
second run of the same job does nothing; a cancelled job stops before its next type.
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
from cit.interop.fhir_out.registry import TYPES, Scope


@task(queue_name="default")
def run_export(job_id: str) -> str:
    started = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, transaction_time=started
    )
    if not claimed:
        return "skipped: already run or cancelled"
    job = ExportJob.objects.select_related("clinic").get(pk=job_id)
    scope = Scope(clinic_id=job.clinic_id)
    storage = storages["exports"]
    output = []
    patients: set[int] = set()
    try:
        for index, type_name in enumerate(job.types):
            if ExportJob.objects.filter(pk=job_id, status=ExportStatus.CANCELLED).exists():
                return "cancelled"
            ExportJob.objects.filter(pk=job_id).update(
                progress=f"{index} of {len(job.types)} resource types written"
            )
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
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
        raise
    updated = ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING).update(
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
