"""The audit log: who read or changed which patient's data, when and from where.

Events are append-only. The application refuses to update or delete them (model and
queryset both raise); on PostgreSQL a trigger refuses it in the database too.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AuditEventImmutable(Exception):
    """Raised on any attempt to change or remove a written audit event."""


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    ARCHIVE = "archive", "Archived"
    EXPORT = "export", "Exported"
    DENIED = "denied", "Access denied"
    LOGIN = "login", "Logged in"
    LOGOUT = "logout", "Logged out"
    LOGIN_FAILED = "login_failed", "Log-in failed"
    DECISION_SUPPORT = "decide", "Decision support"


class AuditEventQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditEventImmutable("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AuditEventImmutable("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        db_index=False,  # audit_actor_newest leads with it
    )
    # Copied, not joined: the log must say what the role was at the time.
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    clinic = models.ForeignKey(
        "facilities.Clinic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # audit_clinic_newest leads with it
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        db_index=False,  # audit_patient_newest leads with it
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=10, blank=True, help_text="page, api or cli")
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        # Each of the log's filters reads one index in the page's order (newest first, then
        # id), so a page costs the same at 15 million events as at a thousand. Every index
        # is paid on each event written: the foreign keys have none of their own.
        indexes = [
            models.Index(fields=["patient", "-at", "-id"], name="audit_patient_newest"),
            models.Index(fields=["actor", "-at", "-id"], name="audit_actor_newest"),
            models.Index(fields=["clinic", "-at", "-id"], name="audit_clinic_newest"),
            # The log's "What" filter, newest first.
            models.Index(
                fields=["clinic", "action", "-at", "-id"], name="audit_clinic_action_newest"
            ),
        ]

    def __str__(self) -> str:
        who = self.actor_username or "anonymous"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditEventImmutable("Audit events cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditEventImmutable("Audit events cannot be deleted.")
