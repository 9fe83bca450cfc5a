"""The recovery diary after a signed session: check-ins, the patient's answers, the alerts
they raise for the clinic, and adverse events (CLINICAL.md section 5)."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models

from cit.protocol.aftercare import CheckInKind, DiaryLevel


def new_link_nonce() -> str:
    return secrets.token_urlsafe(16)


class CheckIn(models.Model):
    """One diary check-in of a session, due on ``day`` after it. Its link is signed over
    ``link_nonce`` and works until the check-in is answered."""

    note = models.ForeignKey(
        "charting.SessionNote", on_delete=models.PROTECT, related_name="check_ins"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="check_ins"
    )
    day = models.PositiveSmallIntegerField()
    kind = models.CharField(
        max_length=10,
        choices=[
            (CheckInKind.RECOVERY.value, "Recovery"),
            (CheckInKind.PIGMENT.value, "Skin colour check"),
        ],
    )
    due_at = models.DateTimeField()
    late_at = models.DateTimeField(help_text="Missed when still unanswered at this time.")
    link_nonce = models.CharField(max_length=40, default=new_link_nonce, editable=False)
    # Sending: claimed by one task run (conditional UPDATE), then marked sent.
    send_claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["note", "day"]
        constraints = [models.UniqueConstraint(fields=["note", "day"], name="check_in_one_per_day")]

    def __str__(self) -> str:
        return f"Check-in day {self.day} of {self.note}"

    @property
    def session_date(self) -> datetime.date:
        return self.note.session_date

    def is_missed(self, now: datetime.datetime) -> bool:
        return self.answered_at is None and now >= self.late_at

    def is_open(self, now: datetime.datetime) -> bool:
        """Due and not yet answered (a late answer is still taken)."""
        return self.answered_at is None and now >= self.due_at


class PainTrendChoice(models.TextChoices):
    BETTER = "better", "Getting better"
    SAME = "same", "About the same"
    WORSE = "worse", "Getting worse"


LEVEL_CHOICES = [
    (DiaryLevel.EXPECTED.value, "As expected"),
    (DiaryLevel.CONTACT_CLINIC.value, "Contact the clinic"),
    (DiaryLevel.URGENT.value, "Urgent"),
]


class DiaryEntry(models.Model):
    """The patient's answers to one check-in, with the core's triage of them."""

    check_in = models.OneToOneField(CheckIn, on_delete=models.PROTECT, related_name="entry")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="diary_entries"
    )
    day_after_session = models.PositiveSmallIntegerField()
    redness = models.PositiveSmallIntegerField()
    swelling = models.PositiveSmallIntegerField()
    pain = models.PositiveSmallIntegerField()
    pain_trend = models.CharField(max_length=10, choices=PainTrendChoice.choices)
    peeling = models.BooleanField(default=False)
    bleeding = models.BooleanField(default=False)
    blisters = models.BooleanField(default=False)
    pus = models.BooleanField(default=False)
    fever = models.BooleanField(default=False)
    spreading_redness = models.BooleanField(default=False)
    hives = models.BooleanField(default=False)
    lip_eye_swelling = models.BooleanField(default=False)
    breathing_trouble = models.BooleanField(default=False)
    itchy_rash = models.BooleanField(default=False)
    acne_flare = models.BooleanField(default=False)
    pigment_change = models.BooleanField(default=False)
    track_marks = models.BooleanField(default=False)
    bumps = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    level = models.CharField(max_length=20, choices=LEVEL_CHOICES)
    # The signs that decided the level: [{"id", "level", "reason"}], most urgent first.
    signs = models.JSONField(default=list)
    protocol_version = models.CharField(max_length=80)
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_via = models.CharField(
        max_length=10, choices=[("link", "Emailed or texted link"), ("portal", "Patient portal")]
    )

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(redness__lte=3, swelling__lte=3, pain__lte=10),
                name="diary_entry_score_ranges",
            )
        ]

    def __str__(self) -> str:
        return f"Diary entry day {self.day_after_session} of {self.patient}"


class RecoveryAlert(models.Model):
    """A diary entry that was not as expected: a clinician acknowledges it by ``respond_by``
    or it goes to the clinic lead."""

    entry = models.OneToOneField(DiaryEntry, on_delete=models.PROTECT, related_name="alert")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="recovery_alerts"
    )
    note = models.ForeignKey("charting.SessionNote", on_delete=models.PROTECT, related_name="+")
    clinic = models.ForeignKey(
        "facilities.Clinic", on_delete=models.PROTECT, related_name="recovery_alerts"
    )
    level = models.CharField(max_length=20, choices=LEVEL_CHOICES)
    raised_at = models.DateTimeField()
    respond_by = models.DateTimeField()
    treating_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    notify_claimed_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    escalate_claimed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Who the escalation went to (usernames): a record of the message, not a link.
    escalated_to = models.JSONField(default=list)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["acknowledged_at", "respond_by"]

    def __str__(self) -> str:
        return f"Recovery alert of {self.patient}"

    def is_overdue(self, now: datetime.datetime) -> bool:
        return self.acknowledged_at is None and now >= self.respond_by


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class AdverseEvent(models.Model):
    """An adverse event after a session, with what the signed note says was done: the
    depth and zones needled and the lots used."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="adverse_events"
    )
    note = models.ForeignKey(
        "charting.SessionNote", on_delete=models.PROTECT, related_name="adverse_events"
    )
    alert = models.ForeignKey(
        RecoveryAlert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adverse_events",
    )
    event_type = models.CharField(max_length=60)  # an id of escalation.toml [[adverse_event]]
    severity = models.CharField(max_length=10, choices=Severity.choices)
    onset_on = models.DateField()
    description = models.TextField(blank=True)
    max_depth_mm = models.DecimalField(max_digits=4, decimal_places=2, null=True)
    # The zones of the signed note (after amendments): [{"zone", "title", "depth_mm"}].
    zones = models.JSONField(default=list)
    lot_uses = models.ManyToManyField("inventory.LotUse", related_name="adverse_events")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"Adverse event ({self.event_type}) of {self.patient}"
