"""Photo consent and clinical photographs: every change, and the reads other apps use.

Other apps call :func:`photos_for` (a patient's photos for one use, optionally one view) and
:func:`photo_views_for_zones`; a photo's image or thumbnail is linked with
:func:`photo_image_url` / :func:`photo_thumbnail_url`, which go through the authorised view.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import models, transaction
from django.db.models import Count, F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from cit.clinic.accounts.models import User
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.patients.models import Patient
from cit.clinic.photos.models import ConsentStatement, Photo, PhotoConsent, PhotoScope
from cit.clinic.photos.sanitise import SanitisedPhoto
from cit.protocol.knowledge import PhotoView, get_knowledge
from cit.protocol.photo_views import photo_views_for


def photo_storage() -> Storage:
    return storages["photos"]


# ------------------------------------------------------------------------------ views


def photo_views_for_zones(zones: Iterable[str]) -> tuple[PhotoView, ...]:
    """The standard views for the treated zones (ids or aliases such as "face")."""
    return photo_views_for(get_knowledge(), zones)


def photo_view(view_id: str) -> PhotoView | None:
    return get_knowledge().photo_views.get(view_id)


# ------------------------------------------------------------------------------ consent


def current_photo_consent(patient: Patient) -> PhotoConsent | None:
    return PhotoConsent.objects.filter(patient=patient).order_by("-id").first()


def current_photo_scopes(patient: Patient) -> frozenset[str]:
    """The uses the patient's photos may be put to now: the latest statement counts."""
    consent = current_photo_consent(patient)
    return consent.scopes if consent is not None else frozenset()


def _check_scopes(scopes: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(scopes)
    unknown = chosen - set(PhotoScope.values)
    if unknown:
        raise ValidationError({"scopes": _("Choose from the listed uses.")})
    return chosen


def do_record_photo_consent(
    *,
    actor: User,
    patient: Patient,
    scopes: Iterable[str],
    stated_on: datetime.date,
    note: str = "",
    request: HttpRequest | None = None,
) -> PhotoConsent:
    """The patient consents to photographs for exactly ``scopes`` from now on."""
    chosen = _check_scopes(scopes)
    if not chosen:
        raise ValidationError(
            {"scopes": _("Choose at least one use, or withdraw consent instead.")}
        )
    return _state(actor, patient, ConsentStatement.GIVEN, chosen, stated_on, note, request)


def do_withdraw_photo_consent(
    *,
    actor: User,
    patient: Patient,
    scopes: Iterable[str] = PhotoScope.values,
    stated_on: datetime.date,
    note: str = "",
    request: HttpRequest | None = None,
) -> PhotoConsent:
    """The patient withdraws consent for ``scopes`` (all by default); it takes effect at once:
    photos are no longer shown in a withdrawn use."""
    withdrawn = _check_scopes(scopes)
    if not withdrawn:
        raise ValidationError({"scopes": _("Choose the uses to withdraw.")})
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        remaining = current_photo_scopes(patient) - withdrawn
        return _state(
            actor, patient, ConsentStatement.WITHDRAWN, remaining, stated_on, note, request
        )


def _state(
    actor: User,
    patient: Patient,
    statement: ConsentStatement,
    scopes: frozenset[str],
    stated_on: datetime.date,
    note: str,
    request: HttpRequest | None,
) -> PhotoConsent:
    with transaction.atomic():
        consent = PhotoConsent.objects.create(
            patient=patient,
            statement=statement,
            record=PhotoScope.RECORD in scopes,
            teaching=PhotoScope.TEACHING in scopes,
            publication=PhotoScope.PUBLICATION in scopes,
            stated_on=stated_on,
            note=note,
            recorded_by=actor,
        )
        record_event(
            request,
            AuditAction.CREATE if statement == ConsentStatement.GIVEN else AuditAction.UPDATE,
            actor=actor,
            patient=patient,
            obj=consent,
            detail={"photo_consent": str(statement), "scopes": sorted(scopes)},
        )
    return consent


# ------------------------------------------------------------------------------ photos


class PhotoRefused(Exception):
    """A capture that cannot be stored (no consent for the record, unknown view)."""


def do_capture_photo(
    *,
    actor: User,
    patient: Patient,
    view: str,
    taken_on: datetime.date,
    photo: SanitisedPhoto,
    session_note: Any = None,
    request: HttpRequest | None = None,
) -> Photo:
    """Store a sanitised photo of ``view`` for the patient (under random names) and audit it.

    Refused without the patient's current consent to photos in their record."""
    if photo_view(view) is None:
        raise PhotoRefused(_("Unknown photograph view."))
    if session_note is not None and session_note.patient_id != patient.pk:
        raise PhotoRefused(_("That session is not this patient's."))
    if PhotoScope.RECORD not in current_photo_scopes(patient):
        raise PhotoRefused(
            _(
                "The patient has not consented to photographs in their record; record photo "
                "consent first."
            )
        )
    storage = photo_storage()
    key = secrets.token_hex(16)
    image_name = storage.save(f"{key[:2]}/{key}.jpg", ContentFile(photo.image))
    thumbnail_name = storage.save(f"{key[:2]}/{key}-t.jpg", ContentFile(photo.thumbnail))
    try:
        with transaction.atomic():
            stored = Photo.objects.create(
                patient=patient,
                session_note=session_note,
                view=view,
                taken_on=taken_on,
                token=secrets.token_urlsafe(32),
                image_name=image_name,
                thumbnail_name=thumbnail_name,
                width=photo.width,
                height=photo.height,
                byte_size=len(photo.image),
                uploaded_by=actor,
            )
            record_event(
                request,
                AuditAction.CREATE,
                actor=actor,
                patient=patient,
                obj=stored,
                detail={"view": view, "taken_on": taken_on.isoformat()},
            )
    except Exception:
        # No row points at the files: they are not a record, so they go.
        storage.delete(image_name)
        storage.delete(thumbnail_name)
        raise
    return stored


def do_archive_photo(*, actor: User, photo: Photo, request: HttpRequest | None = None) -> Photo:
    """Take a photo out of use (a wrong view, a blurred shot); it is kept, never deleted."""
    with transaction.atomic():
        locked: Photo = Photo.objects.select_for_update().get(pk=photo.pk)
        if locked.is_archived:
            return locked
        locked.archive()
        record_event(
            request,
            AuditAction.ARCHIVE,
            actor=actor,
            patient=locked.patient,
            obj=locked,
            detail={"view": locked.view, "taken_on": locked.taken_on.isoformat()},
        )
    return locked


def photos_for(
    patient: Patient, view: str | None = None, scope: str = PhotoScope.RECORD
) -> models.QuerySet[Photo]:
    """The patient's photos that may be shown in ``scope`` (record, teaching, publication),
    oldest first; none when the patient's current consent does not cover that use. The
    caller has authorised the reader and audits the read."""
    if scope not in current_photo_scopes(patient):
        return Photo.objects.none()
    photos = Photo.objects.active().filter(patient=patient)
    if view is not None:
        photos = photos.filter(view=view)
    return photos.order_by("view", "taken_on", "id")


def newest_of_each_view(photos: models.QuerySet[Photo], count: int) -> list[Photo]:
    """The ``count`` newest of ``photos`` of each view, oldest first within a view, each
    with ``is_baseline`` (the view's first photo) and ``of_view`` (how many it has)."""
    by_view = F("view")
    newest_first = [F("taken_on").desc(), F("id").desc()]
    ranked = photos.annotate(
        place=Window(RowNumber(), partition_by=by_view, order_by=newest_first),
        of_view=Window(Count("id"), partition_by=by_view),
    ).filter(place__lte=count)
    found: list[Photo] = sorted(ranked, key=lambda p: (p.view, p.taken_on, p.pk))
    for photo in found:
        photo.is_baseline = photo.place == photo.of_view  # type: ignore[attr-defined]
    return found


def clinic_photos_in_scope(clinic: Any, scope: str) -> models.QuerySet[Photo]:
    """Photos of the clinic's patients whose current consent covers ``scope`` (a teaching
    gallery, a publication export)."""
    if scope not in PhotoScope.values:
        return Photo.objects.none()
    latest = PhotoConsent.objects.filter(patient=OuterRef("patient")).order_by("-id")
    photos: models.QuerySet[Photo] = (
        Photo.objects.active()
        .filter(patient__clinic=clinic, patient__archived_at__isnull=True)
        .annotate(scope_allowed=Subquery(latest.values(scope)[:1]))
        .filter(scope_allowed=True)
        .order_by("view", "-taken_on", "id")
    )
    return photos


def photo_in_scope(photo: Photo, scope: str) -> bool:
    return not photo.is_archived and scope in current_photo_scopes(photo.patient)


def baseline_photo(patient: Patient, view: str, scope: str = PhotoScope.RECORD) -> Photo | None:
    """The first photo of ``view`` (the one later photos are lined up with and compared to)."""
    return photos_for(patient, view, scope).first()


def open_photo_file(photo: Photo, thumbnail: bool = False) -> IO[bytes]:
    return photo_storage().open(photo.thumbnail_name if thumbnail else photo.image_name, "rb")


def photo_image_url(photo: Photo) -> str:
    return reverse("photo-image", args=[photo.token])


def photo_thumbnail_url(photo: Photo) -> str:
    return reverse("photo-thumbnail", args=[photo.token])
