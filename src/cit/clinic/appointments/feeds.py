"""A patient's private calendar feed: a subscription URL (no log-in, for calendar apps) that
carries a random token. Only its SHA-256 is stored, so the link is shown once, when made;
making a new one revokes the old, and the patient can turn it off.

The feed says no more than the patient's appointment times, the clinic and the provider: no
name, no treatment, no room (whoever holds the link learns only that).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cit.clinic.accounts.models import User
from cit.clinic.appointments.calendar_models import CalendarFeed
from cit.clinic.appointments.models import CANCELLED_STATUSES, Appointment
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.patients.models import Patient

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100


# A calendar feed or download carries the recent past and everything ahead, not every visit
# since the patient's first: a feed polled every few minutes stays the same small size.
FEED_PAST_DAYS = 90
# Far above any real booking horizon; a bound, not a page (calendar apps cannot page).
FEED_MAX_EVENTS = 500


def calendar_appointments(patient: Patient) -> list[Appointment]:
    """The appointments a patient's .ics carries: from FEED_PAST_DAYS ago onwards, cancelled
    ones only while still ahead (so a calendar app removes them)."""
    now = timezone.now()
    return list(
        Appointment.objects.filter(
            patient=patient, start__gte=now - datetime.timedelta(days=FEED_PAST_DAYS)
        )
        .exclude(status__in=CANCELLED_STATUSES, start__lt=now)
        .select_related("clinic", "room", "provider__user", "series")
        .order_by("start", "id")[:FEED_MAX_EVENTS]
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def do_issue_calendar_feed(
    *, actor: User, patient: Patient, request: HttpRequest | None = None
) -> str:
    """A new feed token for ``patient``, replacing (revoking) any earlier one. Returns the
    token; it is not stored and cannot be shown again."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(
            patient=patient, defaults={"token_hash": token_hash(token)}
        )
        if not created:
            feed.token_hash = token_hash(token)
            feed.save(update_fields=["token_hash", "created_at"])
        record_event(
            request,
            AuditAction.UPDATE if not created else AuditAction.CREATE,
            actor=actor,
            patient=patient,
            obj=feed,
            detail={"calendar_feed": "replaced" if not created else "created"},
        )
    return token


def do_revoke_calendar_feed(
    *, actor: User, patient: Patient, request: HttpRequest | None = None
) -> bool:
    """Turn the patient's feed off. Returns whether there was one."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(patient=patient).first()
        if feed is None:
            return False
        record_event(
            request,
            AuditAction.UPDATE,
            actor=actor,
            patient=patient,
            obj=feed,
            detail={"calendar_feed": "revoked"},
        )
        feed.delete()
    return True


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed the token opens, or None (unknown, revoked, or its patient archived)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    feed = (
        CalendarFeed.objects.select_related("patient__clinic")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if feed is None or feed.patient.archived_at is not None:
        return None
    return feed
