"""The clinic, its opening hours, rooms and devices."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from cit.clinic.archive import ArchivableModel
from cit.clinic.dates import clinic_date_text
from cit.protocol.depth import NEEDLE_DEPTH_CAP_MM


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            f"'{value}' is not an IANA time zone; use a name such as 'Europe/London'."
        )


def default_consultation_roles() -> list[str]:
    """Every clinical role may hold a consultation unless the clinic says otherwise."""
    from cit.clinic.accounts.roles import CLINICAL_ROLES

    return sorted(str(role) for role in CLINICAL_ROLES)


def validate_consultation_roles(value: object) -> None:
    from cit.clinic.accounts.roles import CLINICAL_ROLES

    allowed = {str(role) for role in CLINICAL_ROLES}
    if not isinstance(value, list) or not value or not set(value) <= allowed:
        raise ValidationError("Choose at least one clinical role for consultations.")


def validate_protocol_profile(value: str) -> None:
    from cit.protocol.profiles import available_profiles

    names = available_profiles()
    if value not in names:
        raise ValidationError(
            f"'{value}' is not a protocol profile; choose one of: {', '.join(names)}."
        )


class DateOrder(models.TextChoices):
    DAY_FIRST = "dmy", "Day first: 10 Jul 2026"
    MONTH_FIRST = "mdy", "Month first: Jul 10, 2026"


class Clinic(ArchivableModel):
    name = models.CharField(max_length=200, unique=True)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    # Last medical record number issued; advanced under a row lock (see do_register_patient).
    last_record_number = models.PositiveIntegerField(default=0, editable=False)
    # Patients not archived, kept by Patient.save/archive/restore: the home pages show it,
    # and counting a chain's hundred thousand rows on every visit would be the page's
    # slowest part.
    active_patients = models.PositiveIntegerField(default=0, editable=False)
    record_number_prefix = models.CharField(max_length=6, default="P")
    protocol_profile = models.CharField(
        max_length=60,
        default="default",
        validators=[validate_protocol_profile],
        help_text="The protocol profile (clinic defaults) screening and planning use.",
    )
    consultation_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(10), MaxValueValidator(120)],
        help_text="How long a consultation visit is booked for (10 to 120 minutes).",
    )
    consultation_roles = models.JSONField(
        default=default_consultation_roles,
        validators=[validate_consultation_roles],
        help_text="The clinical roles whose providers may hold consultations.",
    )

    date_order = models.CharField(
        max_length=3,
        choices=DateOrder.choices,
        default=DateOrder.DAY_FIRST,
        help_text="How dates are written on the clinic's pages.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self, now: datetime.datetime | None = None) -> datetime.date:
        """The calendar day in the clinic at ``now`` (default: the current time): screening
        windows, consent validity and booking days are all counted in the clinic's days."""
        return (now or timezone.now()).astimezone(self.tzinfo).date()


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(models.Model):
    """One opening period of a weekday in the clinic's local time (a day may have several)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="opening_hours")
    weekday = models.IntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["clinic", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")),
                name="opening_hours_opens_before_closes",
                violation_error_message="Opening time must be before closing time.",
            ),
            models.UniqueConstraint(
                fields=["clinic", "weekday", "opens"], name="opening_hours_unique_start"
            ),
        ]
        verbose_name_plural = "opening hours"

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Room(ArchivableModel):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["clinic", "name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="room_unique_name_per_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.clinic})"


class DeviceKind(models.TextChoices):
    PEN = "pen", "Micro-needling pen"
    ROLLER = "roller", "Derma roller"
    CENTRIFUGE = "centrifuge", "PRP centrifuge"


class Device(ArchivableModel):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="devices")
    kind = models.CharField(max_length=20, choices=DeviceKind.choices)
    model = models.CharField(
        max_length=100, help_text="Manufacturer and model, e.g. SkinPen Precision."
    )
    serial_number = models.CharField(max_length=100)
    max_depth_mm = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(NEEDLE_DEPTH_CAP_MM)],
        help_text="Deepest setting of a needling device; empty for a centrifuge.",
    )

    class Meta:
        ordering = ["clinic", "kind", "model"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "serial_number"], name="device_unique_serial_per_clinic"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="centrifuge", max_depth_mm__isnull=True)
                    | (~models.Q(kind="centrifuge") & models.Q(max_depth_mm__isnull=False))
                ),
                name="device_depth_only_for_needling",
                violation_error_message=(
                    "A needling device needs its maximum depth; a centrifuge has none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} #{self.serial_number}"


class ClosureDay(ArchivableModel):
    """A day the clinic is shut whatever its opening hours say (a holiday, a training day);
    ``repeats_yearly`` closes the same date every year from ``date`` on. Every booking path
    and the re-plan solver skip these days (``appointments.convert.build_state``)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="closure_days")
    date = models.DateField()
    name = models.CharField(max_length=100, help_text="What the closure is, e.g. Christmas Day.")
    repeats_yearly = models.BooleanField(default=False, help_text="Closed on this date every year.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clinic", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "date"],
                condition=models.Q(archived_at__isnull=True),
                name="closure_day_unique_per_clinic",
                violation_error_message="This date is already a closure day.",
            )
        ]

    def __str__(self) -> str:
        repeat = " (every year)" if self.repeats_yearly else ""
        return f"{self.name or 'Closed'} {clinic_date_text(self.date, 'j M Y')}{repeat}"
