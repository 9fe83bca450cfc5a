"""Consent forms and signatures, session notes with their zones and products, amendments.

Everything here is evidence. A consent form version and a signature are never changed
(a new version is a new row). A session note may be filled in while it is a draft; once
signed, the note and everything hanging off it refuse changes in the model, in the
queryset and, through triggers (migration 0002), in the database. Corrections are
:class:`NoteAmendment` rows that keep the original value.

State changes go through the charting actions (consent, sessions, amendments); nothing
here decides a clinical question.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cit.clinic.archive import AppendOnlyModel, RecordImmutable
from cit.protocol.depth import NEEDLE_DEPTH_CAP_MM


class NoteImmutable(RecordImmutable):
    """Raised on any attempt to change a signed session note or to delete charting data."""


class Procedure(models.TextChoices):
    """The procedures a consent form covers (a PRP session needs the PRP consent)."""

    MICRONEEDLING = "microneedling", "Micro-needling"
    MICRONEEDLING_PRP = "microneedling_prp", "Micro-needling with PRP"


class AppendOnlyQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Bulk changes bypass the model's checks, so they are refused outright."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise RecordImmutable(f"{self.model.__name__} records are never changed in bulk.")

    def delete(self) -> NoReturn:
        raise RecordImmutable(f"{self.model.__name__} records are never deleted.")


class ConsentForm(AppendOnlyModel):
    """One version of a clinic's consent text for a procedure."""

    clinic = models.ForeignKey(
        "facilities.Clinic", on_delete=models.PROTECT, related_name="consent_forms"
    )
    procedure = models.CharField(max_length=30, choices=Procedure.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    effective_on = models.DateField(help_text="The first day this version is the one to sign.")
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["clinic", "procedure", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "procedure", "version"], name="consent_form_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class SignatureMethod(models.TextChoices):
    DRAWN = "drawn", "Drawn on screen"
    TYPED = "typed", "Typed full name"


class ConsentSignature(AppendOnlyModel):
    """The patient's signature on one consent form version, witnessed by a member of staff."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consent_signatures"
    )
    form = models.ForeignKey(ConsentForm, on_delete=models.PROTECT, related_name="signatures")
    method = models.CharField(max_length=10, choices=SignatureMethod.choices)
    typed_name = models.CharField(max_length=200, blank=True)
    # A PNG data URL from the signature canvas, validated and size-limited on the way in.
    drawn_signature = models.TextField(blank=True)
    signed_at = models.DateTimeField(auto_now_add=True)
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["patient", "-signed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(method="typed", drawn_signature="") & ~models.Q(typed_name=""))
                | (models.Q(method="drawn", typed_name="") & ~models.Q(drawn_signature="")),
                name="consent_signature_one_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} signed {self.form} on {self.signed_at:%Y-%m-%d}"


class SessionNoteQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """A bulk update would skip the signed check, so notes change only one at a time."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise NoteImmutable("Session notes change only through the charting actions.")

    def delete(self) -> NoReturn:
        raise NoteImmutable("Session notes are never deleted.")

    def signed(self) -> SessionNoteQuerySet:
        return self.filter(signed_at__isnull=False)

    def drafts(self) -> SessionNoteQuerySet:
        return self.filter(signed_at__isnull=True)


class SessionNote(models.Model):
    """One micro-needling session of a patient: checklist, treatment record, signature."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="session_notes"
    )
    procedure = models.CharField(max_length=30, choices=Procedure.choices)
    session_date = models.DateField()
    # Pre-procedure checklist.
    screening = models.ForeignKey(
        "intake.ScreeningRecord",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The re-screen run for the session day when the session started.",
    )
    consent = models.ForeignKey(ConsentSignature, on_delete=models.PROTECT, related_name="+")
    photos_taken = models.BooleanField()
    numbing_applied_at = models.TimeField(null=True, blank=True)
    numbing_removed_at = models.TimeField(null=True, blank=True)
    # Treatment record.
    device = models.ForeignKey(
        "facilities.Device", on_delete=models.PROTECT, related_name="session_notes"
    )
    immediate_reactions = models.TextField(blank=True)
    post_procedure_notes = models.TextField(
        blank=True, help_text="Post-procedure care given and products applied (lots: see below)."
    )
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = SessionNoteQuerySet.as_manager()

    class Meta:
        ordering = ["patient", "-session_date", "-id"]
        indexes = [models.Index(fields=["patient", "-session_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(numbing_removed_at__isnull=True)
                | models.Q(numbing_applied_at__isnull=False),
                name="session_numbing_removed_needs_applied",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True, signed_by__isnull=True)
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="session_signed_with_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"Session of {self.patient} on {self.session_date}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Ask the database, not this instance: a stale copy must not slip past a signature.
        if (
            self.pk is not None
            and not self._state.adding
            and type(self).objects.filter(pk=self.pk, signed_at__isnull=False).exists()
        ):
            raise NoteImmutable("This session note is signed; add an amendment instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise NoteImmutable("Session notes are never deleted.")

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class ChartChildQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def update(self, **kwargs: Any) -> NoReturn:
        raise NoteImmutable(f"{self.model.__name__} rows change only through the actions.")

    def delete(self) -> NoReturn:
        raise NoteImmutable(f"{self.model.__name__} rows are never deleted.")


class ChartChildModel(models.Model):
    """A row of a session note: writable only while its note is a draft."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        note_id: int = getattr(self, "note_id")  # noqa: B009 (declared by the subclass)
        if SessionNote.objects.filter(pk=note_id, signed_at__isnull=False).exists():
            raise NoteImmutable("This session note is signed; add an amendment instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise NoteImmutable(f"{type(self).__name__} rows are never deleted.")


class Endpoint(models.TextChoices):
    """The clinical endpoint of a zone (CLINICAL.md §4)."""

    EVEN_ERYTHEMA = "even_erythema", "Even erythema"
    PINPOINT_BLEEDING = "pinpoint_bleeding", "Pinpoint bleeding"
    NOT_REACHED = "not_reached", "Not reached"


class ZoneTreatment(ChartChildModel):
    """How one zone (a knowledge-base zone id) was needled in a session."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="zones")
    zone = models.CharField(max_length=30)
    depth_mm = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(NEEDLE_DEPTH_CAP_MM)],
    )
    passes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    endpoint = models.CharField(max_length=20, choices=Endpoint.choices)
    charted_at = models.DateTimeField(auto_now=True)
    charted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ChartChildQuerySet.as_manager()

    class Meta:
        ordering = ["note", "id"]
        constraints = [
            models.UniqueConstraint(fields=["note", "zone"], name="zone_treatment_once_per_note"),
            models.CheckConstraint(
                condition=models.Q(depth_mm__gt=0) & models.Q(passes__gte=1),
                name="zone_treatment_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.depth_mm} mm × {self.passes}"


class ProductPurpose(models.TextChoices):
    NEEDLE_CARTRIDGE = "needle_cartridge", "Needle cartridge"
    NUMBING = "numbing", "Topical anaesthetic (before needling)"
    DURING_NEEDLING = "during_needling", "Applied during needling (serum / PRP)"
    POST_PROCEDURE = "post_procedure", "Post-procedure product"


class SessionProduct(ChartChildModel):
    """A lot used in the session; the stock decrement and expiry check are the LotUse's."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="products")
    purpose = models.CharField(max_length=20, choices=ProductPurpose.choices)
    lot_use = models.OneToOneField(
        "inventory.LotUse", on_delete=models.PROTECT, related_name="session_product"
    )

    objects = ChartChildQuerySet.as_manager()

    class Meta:
        ordering = ["note", "id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.lot_use}"


class NoteAmendment(AppendOnlyModel):
    """A correction or addition to a signed note; the signed original is never touched."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="amendments")
    # What is corrected: a note field ("immediate_reactions"), a zone value
    # ("zone:cheeks:depth_mm") or "addendum" for a free-text addition.
    target = models.CharField(max_length=60)
    previous_value = models.TextField(blank=True)
    new_value = models.TextField()
    reason = models.TextField()
    amended_at = models.DateTimeField(auto_now_add=True)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["note", "amended_at", "id"]

    def __str__(self) -> str:
        return f"Amendment of {self.target} on note {self.note_id}"
