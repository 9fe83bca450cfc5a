"""FHIR Bulk Data $export end to end: kick-off (202 + Content-Location), status 202 with
X-Progress while queued, the task run as the worker would, the manifest, NDJSON files whose
every line validates, _type and _since, cancel, and who may export."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult
from fhir.resources.R4B import get_fhir_model_class

from cit.clinic.audit.models import AuditEvent
from cit.clinic.exports.models import ExportJob
from cit.clinic.exports.tasks import run_export
from tests.api.fhir.conftest import World, client_for

pytestmark = pytest.mark.django_db
ASYNC = {"HTTP_PREFER": "respond-async"}


@pytest.fixture(autouse=True)
def _export_dir(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports")},
        },
    }


def _kick_off(client: Any, url: str, capture: Any) -> tuple[str, ExportJob]:
    with capture(execute=True):
        response = client.get(url, **ASYNC)
    assert response.status_code == 202, response.content
    status_url = response["Content-Location"]
    job = ExportJob.objects.get()
    assert status_url.endswith(f"/fhir/$export-status/{job.pk}")
    return status_url, job


def test_system_export_end_to_end(
    world: World, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = make_user("clinic_admin", world.clinic)
    client = client_for(admin)
    status_url, job = _kick_off(client, "/fhir/$export", django_capture_on_commit_callbacks)
    assert DBTaskResult.objects.filter(task_path__endswith="run_export").count() == 1
    waiting = client.get(status_url)
    assert waiting.status_code == 202
    assert waiting["X-Progress"]
    assert run_export.call(str(job.pk)) == "done"
    assert run_export.call(str(job.pk)).startswith("skipped")  # a second run does nothing
    manifest = client.get(status_url)
    assert manifest.status_code == 200
    body = manifest.json()
    assert body["requiresAccessToken"] is True
    by_type = {item["type"]: item for item in body["output"]}
    # Every type the clinic has rows of; the other clinic's patient is not in it.
    assert {"Patient", "Procedure", "Condition", "Appointment", "Location"} <= set(by_type)
    for item in body["output"]:
        download = client.get(item["url"])
        assert download.status_code == 200
        lines = b"".join(download.streaming_content).decode().splitlines()
        assert len(lines) == item["count"]
        model = get_fhir_model_class(item["type"])
        for line in lines:
            resource = json.loads(line)
            assert resource["resourceType"] == item["type"]
            model.model_validate(resource)
    patient_lines = b"".join(client.get(by_type["Patient"]["url"]).streaming_content)
    assert by_type["Patient"]["count"] == 2
    assert str(world.foreign_patient.family_name).encode() not in patient_lines
    # Disclosure is audited: per patient by the task, per file by the download.
    exported = AuditEvent.objects.filter(action="export")
    assert {e.patient_id for e in exported if e.patient_id} == {
        world.patient.pk,
        world.other_patient.pk,
    }
    assert exported.filter(detail__file="Patient-1.ndjson").exists()


def test_type_and_since_filters(
    world: World, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(make_user("clinic_admin", world.clinic))
    status_url, job = _kick_off(
        client,
        f"/fhir/Group/{world.clinic.pk}/$export?_type=Patient,Procedure&_since=2000-01-01",
        django_capture_on_commit_callbacks,
    )
    run_export.call(str(job.pk))
    types = {item["type"] for item in client.get(status_url).json()["output"]}
    assert types == {"Patient", "Procedure"}
    future = client.get("/fhir/Patient/$export?_since=2999-01-01", **ASYNC)
    assert future.status_code == 202
    later = ExportJob.objects.exclude(pk=job.pk).get()
    run_export.call(str(later.pk))
    assert client.get(future["Content-Location"]).json()["output"] == []


def test_cancel_stops_the_export(
    world: World, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(make_user("clinic_admin", world.clinic))
    status_url, job = _kick_off(client, "/fhir/$export", django_capture_on_commit_callbacks)
    assert client.delete(status_url).status_code == 202
    assert run_export.call(str(job.pk)).startswith("skipped")
    assert client.get(status_url).status_code == 404


@pytest.mark.parametrize(
    ("url", "headers", "status"),
    [
        ("/fhir/$export", {}, 400),  # no Prefer: respond-async
        ("/fhir/$export?_type=Spaceship", ASYNC, 400),
        ("/fhir/Patient/$export?_type=Location", ASYNC, 400),  # not in the patient compartment
        ("/fhir/$export?_since=last-week", ASYNC, 400),
        ("/fhir/$export?_outputFormat=text/csv", ASYNC, 400),
        ("/fhir/$export?_elements=id", ASYNC, 400),
        ("/fhir/Group/999999/$export", ASYNC, 404),
    ],
)
def test_bad_kick_offs(
    world: World, make_user: Any, url: str, headers: dict[str, str], status: int
) -> None:
    client = client_for(make_user("clinic_admin", world.clinic))
    assert client.get(url, **headers).status_code == status
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("role", ["physician", "front_desk", "patient"])
def test_only_the_clinic_admin_exports(world: World, make_user: Any, role: str) -> None:
    user = world.portal_user if role == "patient" else make_user(role, world.clinic)
    assert client_for(user).get("/fhir/$export", **ASYNC).status_code == 403


def test_another_clinics_admin_cannot_poll_or_download(
    world: World, other_clinic: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(make_user("clinic_admin", world.clinic))
    status_url, job = _kick_off(client, "/fhir/$export", django_capture_on_commit_callbacks)
    run_export.call(str(job.pk))
    file_url = client.get(status_url).json()["output"][0]["url"]
    stranger = client_for(make_user("clinic_admin", other_clinic))
    assert stranger.get(status_url).status_code == 404
    assert stranger.get(file_url).status_code == 404
    assert stranger.delete(status_url).status_code == 404


def test_cancelling_a_finished_export_removes_its_files(
    world: World, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.storage import storages

    client = client_for(make_user("clinic_admin", world.clinic))
    status_url, job = _kick_off(client, "/fhir/$export", django_capture_on_commit_callbacks)
    run_export.call(str(job.pk))
    files = client.get(status_url).json()["output"]
    assert files
    assert client.delete(status_url).status_code == 202
    job.refresh_from_db()
    assert not any(storages["exports"].exists(job.file_path(item["name"])) for item in job.output)
    assert client.get(files[0]["url"]).status_code == 404
    assert client.delete(status_url).status_code == 404


def test_an_export_whose_worker_died_is_taken_over_once_its_lease_runs_out(
    world: World, make_user: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    import datetime

    from django.utils import timezone

    from cit.clinic.exports.models import ExportStatus

    client = client_for(make_user("clinic_admin", world.clinic))
    status_url, job = _kick_off(client, "/fhir/$export", django_capture_on_commit_callbacks)
    # A worker took the job and was killed after writing its first type.
    taken = timezone.now() - datetime.timedelta(seconds=60)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, claimed_at=taken, progress="1 of 9 resource types written"
    )
    settings.TASK_LEASE_SECONDS = 600
    assert run_export.call(str(job.pk)).startswith("skipped"), "its lease still runs"
    assert client.get(status_url).status_code == 202
    settings.TASK_LEASE_SECONDS = 30
    assert run_export.call(str(job.pk)) == "done", "the lease ran out: taken over"
    manifest = client.get(status_url)
    assert manifest.status_code == 200
    assert {item["type"] for item in manifest.json()["output"]} >= {"Patient"}
    assert run_export.call(str(job.pk)).startswith("skipped")
