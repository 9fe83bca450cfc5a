"""A claim on a row that expires: the lease.

A worker claims a piece of work by setting a timestamp field with a conditional UPDATE: the
row is claimable when the field is empty or older than ``TASK_LEASE_SECONDS``. A worker that
dies (SIGKILL, power cut) never releases its claim, but the claim runs out and the next try
takes the work over. The timestamp also fences: the holder finishes with ``WHERE field =
its own timestamp``, so a holder whose lease was taken over changes nothing.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Model, Q, QuerySet


def lease_length() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(settings.TASK_LEASE_SECONDS))


def lease_expired_before(now: datetime.datetime) -> datetime.datetime:
    """Claims taken before this instant have run out."""
    return now - lease_length()


def claimable(field: str, now: datetime.datetime) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": lease_expired_before(now)})


def claim(queryset: QuerySet[Model], field: str, now: datetime.datetime) -> bool:
    """Set ``field`` to ``now`` on the (one) row of ``queryset`` if it is free or its lease
    has run out; True when this caller now holds it."""
    return bool(queryset.filter(claimable(field, now)).update(**{field: now}))


def release(queryset: QuerySet[Model], field: str, claimed_at: datetime.datetime) -> None:
    """Give a claim back (the work failed and may be tried again at once)."""
    queryset.filter(**{field: claimed_at}).update(**{field: None})
