"""Clinical photographs as R4 ``Media``, their pixels as ``Binary``.

A Media carries the view's title (from ``photo_views.toml``), the day it was taken, the
session it belongs to and its size; its content is a URL of ``/fhir/Binary/photo-<id>``,
which sends the JPEG only through the same authorised, audited read as every FHIR read.
Only photos the patient's current consent lets the clinic use for the record are served.
"""

from __future__ import annotations

from typing import Any

from cit.clinic.photos.models import Photo
from cit.interop.fhir_elements import coding, concept, instant, meta, reference, validated
from cit.protocol.knowledge import get_knowledge

from .care import user_reference
from .site_urls import server_base

MEDIA_TYPE = "http://terminology.hl7.org/CodeSystem/media-type"
BINARY_PREFIX = "photo-"


def binary_id(photo: Photo) -> str:
    return f"{BINARY_PREFIX}{photo.pk}"


def media(photo: Photo) -> dict[str, Any]:
    view = get_knowledge().photo_views.get(photo.view)
    title = view.title if view is not None else photo.view
    return validated(
        {
            "resourceType": "Media",
            "id": str(photo.pk),
            "meta": meta(photo.uploaded_at),
            "status": "completed",
            "type": concept("Image", coding(MEDIA_TYPE, "image", "Image")),
            "view": concept(title),
            "subject": reference("Patient", photo.patient_id),
            "partOf": (
                [reference("Procedure", photo.session_note_id)]
                if photo.session_note is not None and photo.session_note.is_signed
                else []
            ),
            "createdDateTime": photo.taken_on.isoformat(),
            "issued": instant(photo.uploaded_at),
            "operator": user_reference(photo.uploaded_by),
            "height": photo.height,
            "width": photo.width,
            "content": {
                "contentType": "image/jpeg",
                "url": f"{server_base()}/Binary/{binary_id(photo)}",
                "size": photo.byte_size,
                "title": f"{title}, {photo.taken_on.isoformat()}",
            },
        }
    )
