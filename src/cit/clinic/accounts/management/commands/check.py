"""Django's ``check``, with the knowledge base checked first.

Importing the URLs (Django's URL check) loads the knowledge base; a broken file would end
the command in a long traceback before any check could report it. Checked first, it is the
one line of ``cit.E002`` instead.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import SystemCheckError
from django.core.management.commands.check import Command as DjangoCheckCommand

from cit.checks import knowledge_problem


class Command(DjangoCheckCommand):
    def handle(self, *app_labels: Any, **options: Any) -> None:
        problem = knowledge_problem()
        if problem is not None:
            raise SystemCheckError(f"(cit.E002) {problem}")
        super().handle(*app_labels, **options)
