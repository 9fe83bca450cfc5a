"""The signed one-time link of a diary check-in: what the patient gets by email and SMS,
and what opening it finds (or why it does not open)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing

from cit.clinic.links import absolute_url
from cit.clinic.recovery.models import CheckIn

LINK_SALT = "cit.recovery.check-in"


class LinkRefused(Exception):
    """A check-in link that does not open the form, with the reason for the patient."""

    def __init__(self, reason: str, check_in: CheckIn | None = None):
        super().__init__(reason)
        self.reason = reason
        self.check_in = check_in


def check_in_token(check_in: CheckIn) -> str:
    return signing.TimestampSigner(salt=LINK_SALT).sign(f"{check_in.pk}.{check_in.link_nonce}")


def check_in_url(check_in: CheckIn) -> str:
    return absolute_url("recovery-link", check_in_token(check_in))


def check_in_for_token(token: str) -> CheckIn:
    """The check-in a link is for, or :class:`LinkRefused`: tampered or unknown ("invalid"),
    older than RECOVERY_LINK_MAX_AGE_DAYS ("expired"), or already answered ("used")."""
    max_age = datetime.timedelta(days=settings.RECOVERY_LINK_MAX_AGE_DAYS)
    try:
        value = signing.TimestampSigner(salt=LINK_SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkRefused("expired") from None
    except signing.BadSignature:
        raise LinkRefused("invalid") from None
    pk, _, nonce = value.partition(".")
    check_in = (
        CheckIn.objects.select_related("note", "patient__clinic")
        .filter(pk=int(pk) if pk.isdigit() else 0, link_nonce=nonce)
        .first()
    )
    if check_in is None or check_in.patient.archived_at is not None:
        raise LinkRefused("invalid")
    if check_in.answered_at is not None:
        raise LinkRefused("used", check_in)
    return check_in
