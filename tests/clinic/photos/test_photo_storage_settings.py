"""Where photos are kept: by default on the file system under the data dir, outside the web
root and readable by this user only; an S3-compatible bucket (private, signed) by settings."""

from __future__ import annotations

import datetime
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.clinic.photos.conftest import consent, stored_photo

SRC = Path(__file__).resolve().parents[3] / "src"


def _photo_storage(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PHOTO_", "DATABASE_URL"))
    }
    environ.update(CIT_DATA_DIR=str(tmp_path), PYTHONPATH=str(SRC), **env)
    code = "import json, cit.settings as s; print(json.dumps(s.STORAGES['photos'], default=str))"
    return subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=120
    )


def test_by_default_photos_live_under_the_data_dir_not_the_web_root(tmp_path: Path) -> None:
    result = _photo_storage(tmp_path)
    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout)
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"]["location"] == str(tmp_path / "photos")
    assert storage["OPTIONS"]["base_url"] is None
    assert not storage["OPTIONS"]["location"].startswith(str(settings.STATIC_ROOT))


def test_an_s3_bucket_by_settings_is_private_with_signed_access(tmp_path: Path) -> None:
    result = _photo_storage(
        tmp_path,
        PHOTO_STORAGE="s3",
        PHOTO_S3_BUCKET="clinic-photos",
        PHOTO_S3_ENDPOINT_URL="https://objects.example.test",
    )
    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "clinic-photos"
    assert options["endpoint_url"] == "https://objects.example.test"
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False


def test_an_unknown_photo_storage_stops_start_up(tmp_path: Path) -> None:
    result = _photo_storage(tmp_path, PHOTO_STORAGE="ftp")
    assert result.returncode != 0
    assert "PHOTO_STORAGE" in result.stderr


@pytest.mark.django_db
def test_stored_photo_files_are_readable_by_this_user_only(
    clinic: Any, make_patient: Any, make_user: Any, settings: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "private-photos"
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": str(folder),
                "base_url": None,
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        },
    }
    doctor = make_user("physician", clinic)
    patient = make_patient(clinic)
    consent(doctor, patient)
    photo = stored_photo(doctor, patient, "face_frontal", datetime.date(2026, 9, 1))
    path = folder / photo.image_name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
