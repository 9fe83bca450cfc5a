"""``cit recall_maintenance``: recall every patient whose maintenance window is open and who
was not recalled yet (each window once). The per-series tasks do this on their own; run this
daily (cron) as a safety net, e.g. after restoring a backup of the task queue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cit.clinic.appointments.recall import recall_all_due


class Command(BaseCommand):
    help = "Send the maintenance recalls that are due and not sent yet."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = recall_all_due.call()
        self.stdout.write(f"{sent} maintenance recall(s) sent.")
