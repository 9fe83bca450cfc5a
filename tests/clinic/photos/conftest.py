"""Photographs fixtures: photo storage in a temporary folder, images made with Pillow."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from cit.clinic.photos.actions import do_capture_photo, do_record_photo_consent
from cit.clinic.photos.sanitise import sanitise_photo

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


@pytest.fixture(autouse=True)
def photo_dir(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": None},
        },
    }
    return folder


def jpeg_bytes(
    width: int = 64,
    height: int = 32,
    *,
    gps: bool = False,
    orientation: int | None = None,
    colour: tuple[int, int, int] = (200, 120, 90),
) -> bytes:
    """A JPEG; with ``gps`` it carries a GPS position and a camera make in its EXIF."""
    image = Image.new("RGB", (width, height), colour)
    exif = Image.Exif()
    if gps:
        exif[MAKE] = "PhoneMaker"
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    if orientation is not None:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def stored_photo(actor: Any, patient: Any, view: str, taken_on: datetime.date, **image: Any) -> Any:
    return do_capture_photo(
        actor=actor,
        patient=patient,
        view=view,
        taken_on=taken_on,
        photo=sanitise_photo(io.BytesIO(jpeg_bytes(**image))),
    )


def consent(actor: Any, patient: Any, *scopes: str) -> Any:
    return do_record_photo_consent(
        actor=actor,
        patient=patient,
        scopes=scopes or ("record",),
        stated_on=patient.clinic.today(),
    )
