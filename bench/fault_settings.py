"""CIT's settings with the fault checks' line-per-message backends (``bench/``)."""

from cit.settings import *  # noqa: F403

EMAIL_BACKEND = "fault_backends.LineEmailBackend"
SMS_BACKEND = "fault_backends.LineSmsBackend"
