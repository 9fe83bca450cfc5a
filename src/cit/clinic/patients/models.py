"""Patients: demographics, contact and skin type; the clinical record hangs off them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F

from cit.clinic.archive import ArchivableModel
from cit.clinic.facilities.models import Clinic
from cit.clinic.patients.matching import NAME_WORD, RECORD_WORD, search_key, search_words


class Sex(models.TextChoices):
    """FHIR AdministrativeGender, so records map to FHIR Patient.gender unchanged."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Fitzpatrick(models.IntegerChoices):
    I = 1, "I — always burns, never tans"  # noqa: E741
    II = 2, "II — usually burns, tans minimally"
    III = 3, "III — sometimes burns, tans uniformly"
    IV = 4, "IV — burns minimally, always tans well"
    V = 5, "V — very rarely burns, tans very easily"
    VI = 6, "VI — never burns"


def validate_birth_date(value: datetime.date) -> None:
    if value > datetime.date.today():
        raise ValidationError("Birth date cannot be in the future.")
    if value.year < 1900:
        raise ValidationError("Birth date must be in 1900 or later.")


class Patient(ArchivableModel):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    record_number = models.CharField(
        max_length=20, help_text="The clinic's medical record number (MRN)."
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    birth_date = models.DateField(validators=[validate_birth_date])
    sex = models.CharField(max_length=10, choices=Sex.choices)
    fitzpatrick_type = models.PositiveSmallIntegerField(
        choices=Fitzpatrick.choices, null=True, blank=True, verbose_name="Fitzpatrick skin type"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    portal_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient_record",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_key = models.CharField(
        max_length=600,
        blank=True,
        editable=False,
        help_text="Folded names, record number, email and phone digits (see matching.search_key).",
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(
                fields=["clinic", "family_name", "given_name"], name="patient_clinic_name"
            ),
            models.Index(fields=["clinic", "birth_date"], name="patient_clinic_birth_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "record_number"], name="patient_unique_record_number"
            ),
            models.CheckConstraint(
                condition=models.Q(fitzpatrick_type__gte=1, fitzpatrick_type__lte=6)
                | models.Q(fitzpatrick_type__isnull=True),
                name="patient_fitzpatrick_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} ({self.record_number})"

    _SEARCHED_FIELDS = frozenset({"given_name", "family_name", "record_number", "email", "phone"})

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Kept here so that every way a patient is written keeps its search key current.
        self.search_key = search_key(
            self.given_name, self.family_name, self.record_number, self.email, self.phone
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and self._SEARCHED_FIELDS & set(update_fields):
            kwargs["update_fields"] = [*update_fields, "search_key"]
        new_and_active = self._state.adding and self.archived_at is None
        words_changed = update_fields is None or self._WORD_FIELDS & set(update_fields)
        # In one transaction with the row, so neither its words nor the clinic's count of
        # active patients drift from the rows.
        with transaction.atomic():
            super().save(*args, **kwargs)
            if words_changed:
                write_search_words([self])
            if new_and_active:
                self._count_active(+1)

    _WORD_FIELDS = frozenset({"given_name", "family_name", "record_number"})

    def archive(self) -> None:
        with transaction.atomic():
            was_active = self.archived_at is None
            super().archive()
            if was_active:
                self._count_active(-1)

    def restore(self) -> None:
        with transaction.atomic():
            was_archived = self.archived_at is not None
            super().restore()
            if was_archived:
                self._count_active(+1)

    def _count_active(self, change: int) -> None:
        Clinic.objects.filter(pk=self.clinic_id).update(
            active_patients=F("active_patients") + change
        )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: datetime.date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)


class SearchWordKind(models.TextChoices):
    NAME = NAME_WORD, "Name word"
    RECORD = RECORD_WORD, "Record number"


class SearchWord(models.Model):
    """A distinct folded word a clinic's patients are found by (``matching.search_words``):
    a name word, one row for every patient that has it, or a record number. A typed word
    is matched against a clinic's few thousand words, then the patients having the matched
    ones are read (``PatientWord``), instead of matching every patient."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(max_length=6, choices=SearchWordKind.choices)
    word = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "kind", "word"], name="search_word_unique")
        ]

    def __str__(self) -> str:
        return self.word


class PatientWord(models.Model):
    """A patient has a search word. The patient's names are copied here as the patient list
    sorts them, so the patients having a word are read a page at a time in list order."""

    word = models.ForeignKey(SearchWord, on_delete=models.PROTECT, related_name="+", db_index=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+", db_index=False)
    family_name = models.CharField(max_length=100)
    given_name = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "word"], name="patient_word_unique")
        ]
        indexes = [
            models.Index(
                fields=["word", "family_name", "given_name", "patient"],
                name="patient_word_list_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}: word {self.word_id}"


def write_search_words(
    patients: Iterable[Any],
    *,
    words: type[models.Model] = SearchWord,
    links: type[models.Model] = PatientWord,
) -> None:
    """Make the table of words hold what ``patients`` (saved rows) are found by now, in the
    transaction that writes them: ``Patient.save`` calls it, and whatever writes patients in
    bulk (a data migration, with its historical ``words`` and ``links``; the benchmark's
    generator) calls it after."""
    by_pk = {patient.pk: patient for patient in patients}
    wanted = {
        pk: search_words(patient.given_name, patient.family_name, patient.record_number)
        for pk, patient in by_pk.items()
    }
    links._default_manager.filter(patient_id__in=wanted).delete()
    distinct = {
        (by_pk[pk].clinic_id, kind, word) for pk, pairs in wanted.items() for kind, word in pairs
    }
    # A word another registration adds meanwhile is no error: that row serves both.
    words._default_manager.bulk_create(
        # In one order: two writers adding the same new words queue, never deadlock.
        [words(clinic_id=clinic, kind=kind, word=word) for clinic, kind, word in sorted(distinct)],
        ignore_conflicts=True,
        batch_size=1000,
    )
    ids: dict[tuple[int, str, str], int] = {}
    for clinic in {clinic for clinic, _, _ in distinct}:
        texts = sorted({word for c, _, word in distinct if c == clinic})
        for start in range(0, len(texts), 1000):
            found = words._default_manager.filter(
                clinic_id=clinic, word__in=texts[start : start + 1000]
            ).values_list("pk", "kind", "word")
            ids.update({(clinic, kind, word): pk for pk, kind, word in found})
    links._default_manager.bulk_create(
        [
            links(
                patient_id=pk,
                word_id=ids[(by_pk[pk].clinic_id, kind, word)],
                family_name=by_pk[pk].family_name,
                given_name=by_pk[pk].given_name,
            )
            for pk, pairs in wanted.items()
            for kind, word in pairs
        ],
        batch_size=1000,
    )
