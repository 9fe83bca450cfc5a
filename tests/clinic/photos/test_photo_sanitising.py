"""Uploads are cleaned or refused (issue 11, CLINICAL.md §6): no EXIF or GPS survives, the
EXIF orientation is applied, HEIC is accepted, and bombs, non-images and oversized files are
refused with a message."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from cit.clinic.photos.sanitise import PhotoRejected, sanitise_photo
from tests.clinic.photos.conftest import GPS_IFD, jpeg_bytes


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_gps_and_device_exif_are_gone_from_the_stored_file() -> None:
    original = jpeg_bytes(gps=True)
    assert _open(original).getexif().get_ifd(GPS_IFD)  # the test file really has a position

    clean = sanitise_photo(io.BytesIO(original))

    for data in (clean.image, clean.thumbnail):
        image = _open(data)
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert not image.getexif().get_ifd(GPS_IFD)
        assert "exif" not in image.info
        assert "xmp" not in image.info
        assert b"Exif" not in data
        assert b"PhoneMaker" not in data


def test_the_exif_orientation_is_applied_to_the_pixels() -> None:
    # 64 x 32 stored landscape, tagged "rotate 90° clockwise to display" (orientation 6):
    # the photo as taken is 32 wide and 64 high.
    clean = sanitise_photo(io.BytesIO(jpeg_bytes(64, 32, orientation=6)))

    assert (clean.width, clean.height) == (32, 64)
    assert _open(clean.image).size == (32, 64)
    assert _open(clean.image).getexif().get(0x0112) is None


def test_a_heic_photo_is_accepted_and_becomes_a_jpeg() -> None:
    out = io.BytesIO()
    Image.new("RGB", (48, 40), (10, 150, 80)).save(out, format="HEIF")

    clean = sanitise_photo(io.BytesIO(out.getvalue()))

    assert _open(clean.image).format == "JPEG"
    assert (clean.width, clean.height) == (48, 40)


def test_a_decompression_bomb_is_refused(settings: Any) -> None:
    # 12,000 x 12,000 pixels of one colour compress to a few kilobytes; decoded they would
    # take 430 MB. The header alone says so, before anything is decoded.
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, format="PNG")
    assert len(out.getvalue()) < 1_000_000

    with pytest.raises(PhotoRejected, match="too many pixels"):
        sanitise_photo(io.BytesIO(out.getvalue()))


def test_pillows_own_bomb_check_is_a_refusal_too(settings: Any) -> None:
    original = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = 1000  # as if our own header check had a larger limit
    settings.PHOTO_MAX_PIXELS = 10**9
    try:
        with pytest.raises(PhotoRejected, match="too many pixels"):
            sanitise_photo(io.BytesIO(jpeg_bytes(64, 32)))
    finally:
        Image.MAX_IMAGE_PIXELS = original


def test_a_text_file_named_jpg_is_refused() -> None:
    upload = io.BytesIO(b"name,phone\nAda,0123456789\n")
    upload.name = "holiday.jpg"

    with pytest.raises(PhotoRejected, match="not a photo"):
        sanitise_photo(upload)


def test_a_truncated_jpeg_is_refused() -> None:
    with pytest.raises(PhotoRejected, match="not a photo"):
        sanitise_photo(io.BytesIO(jpeg_bytes(200, 200)[:300]))


def test_a_file_over_the_byte_limit_is_refused(settings: Any) -> None:
    settings.PHOTO_MAX_UPLOAD_BYTES = 1024 * 1024
    big = jpeg_bytes(16, 16) + b"\x00" * (1024 * 1024)

    with pytest.raises(PhotoRejected, match="too large: the limit is 1 MB"):
        sanitise_photo(io.BytesIO(big))
    with pytest.raises(PhotoRejected, match="too large"):
        sanitise_photo(io.BytesIO(b""), size=2 * 1024 * 1024)


def test_a_gif_is_not_an_accepted_format() -> None:
    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, format="GIF")

    with pytest.raises(PhotoRejected, match="not accepted"):
        sanitise_photo(io.BytesIO(out.getvalue()))


def test_a_transparent_png_is_flattened_onto_white() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, format="PNG")

    clean = sanitise_photo(io.BytesIO(out.getvalue()))

    red, green, blue = _open(clean.image).convert("RGB").getpixel((5, 5))  # type: ignore[misc]
    assert min(red, green, blue) > 240
