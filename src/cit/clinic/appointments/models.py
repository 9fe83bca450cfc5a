"""Booked series, their appointments, and the resource holds that make double-booking impossible.

One appointment holds several resources at once (provider, room, each device, the patient), not
necessarily for the whole visit (the PRP centrifuge only for the spin), so every hold is its own
row. On PostgreSQL an exclusion constraint refuses two active holds of one resource whose time
ranges overlap; on SQLite the booking transaction is serialised and re-checks (``actions.py``).
Cancelling releases the holds (``active=False``); no row is ever deleted.
"""

from __future__ import annotations

import datetime
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.utils import timezone

# The calendar rows live in their own module; imported here so the app registers them.
from cit.clinic.appointments.calendar_models import CalendarFeed  # noqa: F401
from cit.clinic.appointments.constraints import NoOverlappingHolds, TsTzRange
from cit.clinic.archive import HardDeleteRefused
from cit.scheduling.wording import time_words


class NeverDeletedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def delete(self) -> NoReturn:
        raise HardDeleteRefused(f"{self.model.__name__} rows are never deleted; cancel instead.")


class NeverDeleted(models.Model):
    objects = NeverDeletedQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise HardDeleteRefused(f"{type(self).__name__} rows are never deleted; cancel instead.")


class SeriesKind(models.TextChoices):
    TREATMENT = "treatment", "Treatment series"
    MAINTENANCE = "maintenance", "Maintenance session"
    CONSULTATION = "consultation", "Consultation"


class SeriesStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"


class SeriesBooking(NeverDeleted):
    """One series of an accepted plan as booked: the request it was booked for (the interval
    window and the visit's needs, which a re-plan must keep) and its appointments. A
    consultation is a one-visit booking with no plan (it comes before any plan)."""

    clinic = models.ForeignKey(
        "facilities.Clinic", on_delete=models.PROTECT, related_name="series_bookings"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="series_bookings"
    )
    plan = models.ForeignKey(
        "plans.TreatmentPlanRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="series_bookings",
    )
    series_index = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=SeriesKind.choices, default=SeriesKind.TREATMENT)
    status = models.CharField(
        max_length=20, choices=SeriesStatus.choices, default=SeriesStatus.BOOKED
    )
    request = models.JSONField(help_text="The scheduling request the series was booked for.")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "plan", "series_index", "booked_at"]
        constraints = [
            # Two clients booking the same plan series at once: one wins, like a slot clash.
            models.UniqueConstraint(
                fields=["plan", "series_index"],
                condition=models.Q(kind="treatment", status="booked"),
                name="series_booking_one_active_per_plan_series",
            ),
            # Only a consultation comes without a plan.
            models.CheckConstraint(
                condition=models.Q(kind="consultation") | models.Q(plan__isnull=False),
                name="series_booking_plan_unless_consultation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.series_index + 1} of {self.patient}"


class AppointmentStatus(models.TextChoices):
    """The visit's life cycle; which change is allowed when is ``cit.scheduling.lifecycle``."""

    BOOKED = "booked", "Booked"
    ARRIVED = "arrived", "Checked in"
    IN_TREATMENT = "in_treatment", "In treatment"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"
    LATE_CANCELLED = "late_cancelled", "Cancelled late"


CANCELLED_STATUSES = (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED)
# Visits that still take their place in the day (not cancelled, not missed).
HOLDING_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.IN_TREATMENT,
    AppointmentStatus.COMPLETED,
)


class Appointment(NeverDeleted):
    """One session of a booked series. Times are aware and stored in UTC; pages show them in
    the clinic's time zone. ``sequence`` counts changes (iCalendar SEQUENCE; a reminder task
    for an older sequence knows it is stale)."""

    clinic = models.ForeignKey(
        "facilities.Clinic", on_delete=models.PROTECT, related_name="appointments"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    series = models.ForeignKey(SeriesBooking, on_delete=models.PROTECT, related_name="appointments")
    number = models.PositiveSmallIntegerField(help_text="1 for the first session of the series")
    planned_session = models.ForeignKey(
        "plans.PlannedSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    provider = models.ForeignKey(
        "accounts.Provider", on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey("facilities.Room", on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    sequence = models.PositiveIntegerField(default=0)
    reminder_due_at = models.DateTimeField(null=True, blank=True)
    reminder_claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set (atomically) by the worker about to send it."
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sequence = models.PositiveIntegerField(
        null=True, blank=True, help_text="The sequence the reminder was sent for."
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    treatment_started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)
    session_note = models.OneToOneField(
        "charting.SessionNote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointment",
        help_text="The session note started for this visit.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["clinic", "start"]),
            models.Index(fields=["patient", "start"]),
            models.Index(fields=["status", "reminder_due_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="appointment_start_before_end"
            )
        ]

    def __str__(self) -> str:
        when = time_words(self.start, None, self.clinic.tzinfo)
        return f"Session {self.number} of {self.patient} at {when}"

    @property
    def is_booked(self) -> bool:
        return self.status == AppointmentStatus.BOOKED

    @property
    def is_cancelled(self) -> bool:
        return self.status in (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED)

    @property
    def is_today(self) -> bool:
        local_day: datetime.date = self.local_start().date()
        return local_day == self.clinic.today()

    @property
    def has_started(self) -> bool:
        return self.start <= timezone.now()

    def local_start(self) -> Any:
        return self.start.astimezone(self.clinic.tzinfo)

    def local_end(self) -> Any:
        return self.end.astimezone(self.clinic.tzinfo)


class HoldKind(models.TextChoices):
    PROVIDER = "provider", "Provider"
    ROOM = "room", "Room"
    DEVICE = "device", "Device"
    PATIENT = "patient", "Patient"


class ResourceHold(NeverDeleted):
    """One resource held by one appointment over [start, end). ``resource`` is the scheduling
    core's key (``provider:12``, ``room:3``, ``device:7``, ``patient:40``)."""

    clinic = models.ForeignKey("facilities.Clinic", on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="holds")
    kind = models.CharField(max_length=10, choices=HoldKind.choices)
    resource = models.CharField(max_length=40)
    start = models.DateTimeField()
    end = models.DateTimeField()
    active = models.BooleanField(default=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["clinic", "active", "start"]),
            models.Index(fields=["resource", "active", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="hold_start_before_end"
            ),
            NoOverlappingHolds(
                name="hold_no_overlap_per_resource",
                expressions=[
                    ("resource", RangeOperators.EQUAL),
                    (TsTzRange("start", "end"), RangeOperators.OVERLAPS),
                ],
                condition=models.Q(active=True),
                violation_error_message="This resource is already booked at that time.",
            ),
        ]

    def __str__(self) -> str:
        state = "" if self.active else " (released)"
        return f"{self.resource} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} UTC{state}"


class ProviderAbsence(NeverDeleted):
    """A provider away over [start, end), recorded after sessions were booked: the sessions it
    hits are re-planned (``replan`` holds the outcome for the front desk)."""

    class ReplanStatus(models.TextChoices):
        PENDING = "pending", "Re-plan queued"
        DONE = "done", "Re-planned"
        NOTHING = "nothing", "No booked session affected"
        FAILED = "failed", "Re-plan failed"

    clinic = models.ForeignKey("facilities.Clinic", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "accounts.Provider", on_delete=models.PROTECT, related_name="absences"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    replan_status = models.CharField(
        max_length=10, choices=ReplanStatus.choices, default=ReplanStatus.PENDING
    )
    replan = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="absence_start_before_end"
            )
        ]

    def __str__(self) -> str:
        zone = self.clinic.tzinfo
        start, end = time_words(self.start, None, zone), time_words(self.end, None, zone)
        return f"{self.provider} away {start} to {end}"


class MaintenanceRecall(NeverDeleted):
    """The recall message for one maintenance window of one plan series: the row is the
    claim, so the patient is recalled once per window however often the task runs."""

    clinic = models.ForeignKey("facilities.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="maintenance_recalls"
    )
    plan = models.ForeignKey(
        "plans.TreatmentPlanRecord", on_delete=models.PROTECT, related_name="+"
    )
    series_index = models.PositiveSmallIntegerField()
    window_opens = models.DateField()
    window_closes = models.DateField()
    target = models.DateField()
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set (atomically) by the worker about to send it."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["window_opens", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "series_index", "window_opens"],
                name="maintenance_recall_once_per_window",
            )
        ]

    def __str__(self) -> str:
        return f"Maintenance recall of {self.patient} for {self.window_opens:%Y-%m-%d}"


class ScheduleVersion(models.Model):
    """How often what the clinic's schedule depends on has changed: held time (resource
    holds, provider absences) and set-up (providers, their rota, rooms, devices, opening hours,
    closure days).

    Every write of those bumps it in its transaction, so a process's cached scheduling index
    knows with one query whether it is still current (``schedule_index.py``). No row yet means
    version 0."""

    clinic = models.OneToOneField(
        "facilities.Clinic", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"schedule version {self.version} of clinic {self.clinic_id}"


class ScheduleChange(models.Model):
    """Which appointments' holds one version of the clinic's schedule changed, and whether it
    changed the set-up, so a cached index a few versions behind reloads only those holds, and
    its set-up only when it changed. A short log: old rows are dropped (a cache further behind
    than the log loads everything again)."""

    clinic = models.ForeignKey("facilities.Clinic", on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField()
    appointments = models.JSONField(default=list)
    setup = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "version"], name="schedule_change_one_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"schedule change {self.version} of clinic {self.clinic_id}"
