"""Text-message reminders: a small backend interface, chosen by ``settings.SMS_BACKEND``.

The console backend prints the message (development and the demo); a real provider (Twilio,
MessageBird, ...) implements ``send`` the same way.
"""

from __future__ import annotations

import sys
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsBackend(Protocol):
    def send(self, to: str, body: str) -> None: ...


class ConsoleSmsBackend:
    def send(self, to: str, body: str) -> None:
        sys.stdout.write(f"SMS to {to}: {body}\n")
        sys.stdout.flush()


class LocmemSmsBackend:
    """Keeps messages in ``outbox`` (tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, to: str, body: str) -> None:
        type(self).outbox.append((to, body))


def get_sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend
