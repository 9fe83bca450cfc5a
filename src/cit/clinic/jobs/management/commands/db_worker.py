"""``cit db_worker``: django-tasks-db's worker, made to outlive its database.

The library's worker exits (code 1) on the first database error that is not a lock: a
PostgreSQL restart stopped the reminders for good. This command takes its place (the
``jobs`` app comes before ``django_tasks_db`` in INSTALLED_APPS, so Django finds it first)
with the same options: on ``OperationalError`` or ``InterfaceError`` it closes the broken
connections, waits (WORKER_DB_RETRY_SECONDS, doubling up to WORKER_DB_RETRY_MAX_SECONDS) and
starts its loop again. Each (re)start also schedules the recovery sweep.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("django_tasks_db")


def close_broken_connections() -> None:
    """Drop every open connection; the next query opens a fresh one."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # already broken: closing it may fail too
            connection.connection = None


class ResilientWorker(db_worker.Worker):
    def run(self) -> None:
        from cit.clinic.appointments.tasks import schedule_sweep

        first, longest = (
            float(settings.WORKER_DB_RETRY_SECONDS),
            float(settings.WORKER_DB_RETRY_MAX_SECONDS),
        )
        delay = first
        while self.running:
            started = time.monotonic()
            try:
                schedule_sweep()
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                if time.monotonic() - started > longest:
                    delay = first  # it had been running well: a new outage starts over
                # The class only: a database error's text can quote query parameters.
                logger.warning(
                    "Database unreachable (%s); worker retries in %.0f s.",
                    type(exc).__name__,
                    delay,
                )
                close_broken_connections()
                time.sleep(delay)
                delay = min(delay * 2, longest)


class Command(db_worker.Command):
    help = "Run the background worker (retries when the database is unreachable)"

    def handle(self, *args: Any, **options: Any) -> None:
        # The library's handle builds db_worker.Worker: give it ours for this run.
        original = db_worker.Worker
        db_worker.Worker = ResilientWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
