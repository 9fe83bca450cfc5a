"""Nothing in CIT is hard-deleted: records are archived and stay as evidence, and records
that are evidence themselves (intakes, screenings, plans, consents) are never changed."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils import timezone


class HardDeleteRefused(Exception):
    """Raised on any attempt to delete a record that must only be archived."""


class ArchivableQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def active(self) -> ArchivableQuerySet:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> ArchivableQuerySet:
        return self.filter(archived_at__isnull=False)

    def delete(self) -> NoReturn:
        raise HardDeleteRefused(
            f"{self.model.__name__} records are never deleted; archive them instead."
        )


class ArchivableModel(models.Model):
    """A model whose rows are archived (hidden from everyday lists), never deleted."""

    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def archive(self) -> None:
        if self.archived_at is None:
            self.archived_at = timezone.now()
            self.save(update_fields=["archived_at"])

    def restore(self) -> None:
        if self.archived_at is not None:
            self.archived_at = None
            self.save(update_fields=["archived_at"])

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise HardDeleteRefused(
            f"{type(self).__name__} records are never deleted; archive them instead."
        )


class RecordImmutable(Exception):
    """Raised on any attempt to change or delete a stored intake or screening."""


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise RecordImmutable(f"{type(self).__name__} records are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RecordImmutable(f"{type(self).__name__} records are never deleted.")
