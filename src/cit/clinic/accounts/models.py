"""Users, their role and clinic, and the professional record of those who treat."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models

from cit.clinic.accounts.roles import CLINICAL_ROLES, LICENSED_ROLES, STAFF_ROLES, Role
from cit.clinic.archive import ArchivableModel
from cit.clinic.facilities.models import Clinic, Weekday


class User(AbstractUser):
    """A person who logs in: a member of staff of one clinic, or a patient."""

    role = models.CharField(max_length=32, choices=Role.choices)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[choice.value for choice in Role]),
                name="user_role_valid",
            ),
        ]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.get_role_display()})" if full else self.username

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_clinician(self) -> bool:
        return self.role in CLINICAL_ROLES

    @property
    def is_licensed_role(self) -> bool:
        return self.role in LICENSED_ROLES

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT


class LicenceType(models.TextChoices):
    MEDICAL = "medical", "Medical licence (MD/DO)"
    NURSE_PRACTITIONER = "np", "Nurse practitioner licence"
    PHYSICIAN_ASSISTANT = "pa", "Physician assistant licence"
    REGISTERED_NURSE = "rn", "Registered nurse licence"
    ESTHETICIAN = "esthetician", "Esthetician licence"


class Provider(ArchivableModel):
    """A member of staff who performs treatments, with the licence that allows it."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="provider")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="providers")
    licence_type = models.CharField(max_length=20, choices=LicenceType.choices)
    licence_number = models.CharField(max_length=60)
    licence_expires_on = models.DateField()

    class Meta:
        ordering = ["clinic", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence_type", "licence_number"], name="provider_unique_licence"
            )
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def role(self) -> str:
        return self.user.role

    def licence_valid_on(self, day: datetime.date) -> bool:
        return licence_valid(self.licence_expires_on, day)

    def may_break_skin_on(self, day: datetime.date) -> bool:
        return may_break_skin(self.user.role, self.licence_expires_on, day)


def licence_valid(licence_expires_on: datetime.date, day: datetime.date) -> bool:
    """A licence is valid through its expiry day."""
    return day <= licence_expires_on


def may_break_skin(role: str, licence_expires_on: datetime.date, day: datetime.date) -> bool:
    """Skin-breaking depth needs a licensed medical role and a licence valid on ``day``
    (``Provider.may_break_skin_on``, and the cached set-up's providers, which are not rows)."""
    return role in LICENSED_ROLES and licence_valid(licence_expires_on, day)


class ProviderWorkingHours(models.Model):
    """One working period of a provider on a weekday (clinic local time). A provider with no
    rows works the clinic's opening hours; with rows, only these."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.IntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["provider", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts__lt=models.F("ends")),
                name="working_hours_start_before_end",
            ),
            models.UniqueConstraint(
                fields=["provider", "weekday", "starts"], name="working_hours_unique_start"
            ),
        ]
        verbose_name_plural = "provider working hours"

    def __str__(self) -> str:
        return f"{self.provider} {self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"
