"""Start-up checks: what production must not run with.

``cit.E001``: with ``DEBUG`` off, a console e-mail or SMS backend would print every
reminder (the patient's name, e-mail, phone and appointment) to the server's output. The
server (``cit.wsgi``) and every management command that runs system checks (``migrate``,
``db_worker``, ``check``) refuse to start with one unless ``ALLOW_CONSOLE_BACKENDS=true``
says so (``make run``'s demo does).

``cit.E002``: the knowledge base (``cit/protocol/knowledge``) or one of its clinic profiles
does not load. The error is one line naming the file, the entry, the field and what to do;
``cit check`` runs this check before anything imports the URLs (which load the knowledge
base and would otherwise end in a long traceback).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from cit.protocol.knowledge import KNOWLEDGE_DIR, KnowledgeError, get_knowledge, load_knowledge
from cit.protocol.profiles import available_profiles, load_profile

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


def knowledge_problem(directory: Path | None = None) -> str | None:
    """What is wrong with the knowledge base in ``directory`` (default: the package's) and
    its profiles, in one line; None when it loads."""
    try:
        knowledge = get_knowledge() if directory is None else load_knowledge(directory)
        for name in available_profiles(knowledge):
            load_profile(name, knowledge)
    except KnowledgeError as error:
        return knowledge_error_line(error, directory or KNOWLEDGE_DIR)
    return None


def knowledge_error_line(error: KnowledgeError, directory: Path) -> str:
    """``Knowledge file <file>, <entry>, field '<field>': <problem>. Hint: ...``"""
    where = [f"Knowledge file {error.file}"]
    if error.entry:
        where.append(error.entry)
    if error.field:
        where.append(f"field '{error.field}'")
    problem = " ".join(error.detail.split())
    return (
        f"{', '.join(where)}: {problem}. Hint: correct it in {directory / error.file} "
        "(the values and their sources are in CLINICAL.md), then run 'cit check' again."
    )


@register("cit", deploy=False)
def check_knowledge_base(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problem = knowledge_problem()
    return [Error(problem, id="cit.E002")] if problem else []
