"""Mail and SMS backends for the fault checks: every message handed over becomes one line
appended to ``CIT_FAULT_SENT_LOG`` (shared by all worker processes), after an optional
``CIT_FAULT_SEND_SECONDS`` pause that widens the window in which a kill lands mid-send.

A line is ``email <Message-ID>`` or ``sms <sha256 of phone and text>``; the checks count
them per reminder, independently of what the database says was sent.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


def _append(line: str) -> None:
    pause = float(os.environ.get("CIT_FAULT_SEND_SECONDS", "0"))
    if pause:
        time.sleep(pause)
    descriptor = os.open(
        os.environ["CIT_FAULT_SENT_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
    )
    try:
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class LineEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        for message in email_messages:
            _append(f"email {message.extra_headers.get('Message-ID', '?')}")
        return len(email_messages)


class LineSmsBackend:
    def send(self, to: str, body: str) -> None:
        _append(f"sms {hashlib.sha256(f'{to}|{body}'.encode()).hexdigest()}")
