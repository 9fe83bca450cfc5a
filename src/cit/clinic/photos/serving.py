"""Sending a clinical photograph's pixels, for every page that shows one after authorising
and auditing the read (the photo pages and the blinded rating)."""

from __future__ import annotations

from django.http import FileResponse

from cit.clinic.photos import actions
from cit.clinic.photos.models import Photo


def photo_response(photo: Photo, *, thumbnail: bool = False) -> FileResponse:
    """The photo's pixels, never cached, never sniffed; the caller has authorised and
    audited the read."""
    response = FileResponse(
        actions.open_photo_file(photo, thumbnail), content_type="image/jpeg", filename="photo.jpg"
    )
    response["Content-Disposition"] = 'inline; filename="photo.jpg"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
