"""Turning an uploaded file into a clean photograph, or refusing it.

The file must really be an image of an accepted format (recognised by its content, not its
name), within the byte and pixel limits; a decompression bomb is refused before its pixels
are decoded. The EXIF orientation is applied, colours are converted to sRGB, and the pixels
are re-encoded into a new JPEG that carries no metadata at all (EXIF, GPS, XMP, maker notes,
device ICC profile), with a thumbnail.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "HEIF", "MPO"})
THUMBNAIL_EDGE = 360
JPEG_QUALITY = 90


class PhotoRejected(ValueError):
    """An upload that is not a usable photograph; the message is for the person uploading."""


@dataclass(frozen=True, slots=True)
class SanitisedPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def configure_pillow() -> None:
    """HEIC/HEIF through pillow-heif; Pillow's own bomb limit set to ours (an image over it
    warns, over twice it raises: both are refusals here)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS


def sanitise_photo(upload: IO[bytes], size: int | None = None) -> SanitisedPhoto:
    """The clean photo from ``upload`` (a file object at any position), or PhotoRejected."""
    max_bytes: int = settings.PHOTO_MAX_UPLOAD_BYTES
    if size is not None and size > max_bytes:
        raise PhotoRejected(_too_large(max_bytes))
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PhotoRejected(_too_large(max_bytes))
    if not data:
        raise PhotoRejected(_("The file is empty."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _clean(data)
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected(_too_many_pixels()) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise PhotoRejected(
            _("This file is not a photo we can read. Upload a JPEG, PNG, WebP or HEIC image.")
        ) from None


def _too_large(max_bytes: int) -> str:
    return _("The file is too large: the limit is %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)}


def _too_many_pixels() -> str:
    megapixels = settings.PHOTO_MAX_PIXELS // 1_000_000
    return _("The image has too many pixels: the limit is %(mp)d megapixels.") % {"mp": megapixels}


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    if image.format not in ACCEPTED_FORMATS:
        raise PhotoRejected(
            _("This kind of image is not accepted. Upload a JPEG, PNG, WebP or HEIC image.")
        )
    width, height = image.size
    if width < 1 or height < 1 or width * height > settings.PHOTO_MAX_PIXELS:
        raise PhotoRejected(_too_many_pixels())
    return image


def _clean(data: bytes) -> SanitisedPhoto:
    _open(data).verify()  # structure check; the image must be opened again after it
    image = _open(data)
    image.load()
    oriented = ImageOps.exif_transpose(image)
    rgb = _to_srgb(oriented)
    max_edge: int = settings.PHOTO_MAX_EDGE
    if max(rgb.size) > max_edge:
        rgb.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    # A new image holds the pixels only: nothing of the original's info (EXIF, GPS, XMP,
    # ICC, comments) can be carried into the saved file.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    thumbnail = clean.copy()
    thumbnail.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE), Image.Resampling.LANCZOS)
    return SanitisedPhoto(
        image=_jpeg(clean), thumbnail=_jpeg(thumbnail), width=clean.width, height=clean.height
    )


def _to_srgb(image: Image.Image) -> Image.Image:
    icc = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"))
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the pixels as they are
    return image


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
