"""Start-up checks: what production must not run with.

``cit.E001``: with ``DEBUG`` off, a console e-mail or SMS backend would print every
reminder (the patient's name, e-mail, phone and appointment) to the server's output. The
server (``cit.wsgi``) and every management command that runs system checks (``migrate``,
``db_worker``, ``check``) refuse to start with one unless ``ALLOW_CONSOLE_BACKENDS=true``
says so (``make run``'s demo does).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

CONSOLE_BACKENDS = {
    "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    "SMS_BACKEND": "cit.clinic.appointments.sms.ConsoleSmsBackend",
}


def console_backends_in_use() -> list[str]:
    """The settings that name a console backend while production forbids it."""
    if settings.DEBUG or settings.ALLOW_CONSOLE_BACKENDS:
        return []
    return [name for name, path in CONSOLE_BACKENDS.items() if getattr(settings, name) == path]


def _message(names: list[str]) -> str:
    return (
        f"{' and '.join(names)} print messages with patient data to the server output. "
        "Configure real backends, or set ALLOW_CONSOLE_BACKENDS=true for a demo."
    )


@register("cit", deploy=False)
def check_console_backends(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    names = console_backends_in_use()
    return [Error(_message(names), id="cit.E001")] if names else []


def refuse_console_backends() -> None:
    """For the WSGI entry point, which runs no system checks."""
    names = console_backends_in_use()
    if names:
        raise ImproperlyConfigured(_message(names))
