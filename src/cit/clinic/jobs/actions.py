"""Send one message per dedupe key: at least once, and not twice when the first went out.

The record is written (unique key) and claimed *before* the message is handed over, and
marked SENT right after. So:

- a re-run after the message was recorded SENT sends nothing;
- a failure the sender sees (mail server down) marks the row FAILED and frees it for a retry;
- a worker killed between handing the message over and recording SENT leaves the row
  SENDING with a claim that runs out: the next try sends again (the outcome was unknown, and
  a late reminder is worse than a repeated one). That window is the time of one SMTP or SMS
  call; the repeated message carries the same key (e-mail Message-ID), so mail systems can
  fold it, and the admin page lists it as "sent again after an interrupted try".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.mail.utils import DNS_NAME
from django.db.models import F
from django.utils import timezone

from cit.clinic.jobs.lease import claim
from cit.clinic.jobs.models import Channel, Delivery, DeliveryStatus

ERROR_LENGTH = 200


def message_id(key: str) -> str:
    """A Message-ID fixed by the dedupe key, so a repeated e-mail can be folded by mail systems."""
    return f"<{key.replace(':', '.')}@{DNS_NAME}>"


def do_deliver_once(
    *,
    key: str,
    kind: str,
    channel: Channel,
    clinic_id: int,
    patient_id: int,
    send: Callable[[str], None],
    object_type: str = "",
    object_id: str = "",
) -> bool:
    """Call ``send(key)`` unless the message with this key went out already or another worker
    holds it. True when it was sent now; exceptions from ``send`` propagate (after the row is
    marked FAILED), so the task fails and is retried."""
    Delivery.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "channel": channel,
            "clinic_id": clinic_id,
            "patient_id": patient_id,
            "object_type": object_type,
            "object_id": object_id,
        },
    )
    now = timezone.now()
    row = Delivery.objects.filter(key=key).exclude(status=DeliveryStatus.SENT)
    if not claim(row, "claimed_at", now):
        return False
    mine = Delivery.objects.filter(key=key, claimed_at=now)
    mine.update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1)
    try:
        send(key)
    except Exception as exc:
        mine.update(
            status=DeliveryStatus.FAILED,
            claimed_at=None,
            last_error=type(exc).__name__[:ERROR_LENGTH],
        )
        raise
    mine.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return True


def do_deliver_to_patient(
    *,
    key: str,
    kind: str,
    patient: Any,
    email: Callable[[str], None],
    sms: Callable[[str], None],
    object_type: str,
    object_id: str,
) -> None:
    """E-mail and text the patient (each where they have an address), each channel at most
    once under its own key, ``<key>:email`` and ``<key>:sms``."""
    for channel, address, send in (
        (Channel.EMAIL, patient.email, email),
        (Channel.SMS, patient.phone, sms),
    ):
        if address:
            do_deliver_once(
                key=f"{key}:{channel}",
                kind=kind,
                channel=channel,
                clinic_id=patient.clinic_id,
                patient_id=patient.pk,
                send=send,
                object_type=object_type,
                object_id=object_id,
            )
