"""What the fault checks share: the environment of the app and its workers, the demo clinic
with reminders due now, workers as subprocesses, and counting what was sent."""

from __future__ import annotations

import collections
import datetime
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def environment(data_dir: Path, database_url: str | None, **settings: Any) -> dict[str, str]:
    """The environment for this process and its workers (set it before Django starts)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]),
        "DJANGO_SETTINGS_MODULE": "fault_settings",
        "CIT_DATA_DIR": str(data_dir),
        "ALLOW_CONSOLE_BACKENDS": "true",
        "PYTHONUNBUFFERED": "1",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "CIT_FAULT_SENT_LOG": str(data_dir / "sent.log"),
        **{name: str(value) for name, value in settings.items()},
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


def start_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    for path in env["PYTHONPATH"].split(os.pathsep):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


def prepare_due_reminders(count: int) -> list[int]:
    """Migrate, load the demo, and make up to ``count`` booked future sessions' reminders due
    now, each with one task enqueued (and nothing else in the queue). Returns their ids."""
    from django.core.management import call_command
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from cit.clinic import demo
    from cit.clinic.appointments.models import Appointment, AppointmentStatus

    call_command("migrate", verbosity=0)
    # More booked patients than the demo's handful, for enough reminders.
    demo.BOOKED_PATIENTS = tuple(range(1, demo.PATIENTS_PER_CLINIC + 1))
    demo.load_demo()
    now = timezone.now()
    ids = list(
        Appointment.objects.filter(status=AppointmentStatus.BOOKED, start__gt=now)
        .order_by("start", "pk")
        .values_list("pk", flat=True)[:count]
    )
    Appointment.objects.filter(pk__in=ids).update(
        reminder_due_at=now - datetime.timedelta(minutes=1),
        reminder_claimed_at=None,
        reminder_sent_at=None,
    )
    DBTaskResult.objects.all().delete()
    enqueue_reminders(ids)
    return ids


def enqueue_reminders(ids: list[int]) -> None:
    from cit.clinic.appointments.models import Appointment
    from cit.clinic.appointments.tasks import send_reminder

    for pk, sequence in Appointment.objects.filter(pk__in=ids).values_list("pk", "sequence"):
        send_reminder.enqueue(pk, sequence)


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "cit.cli", "db_worker", "--queue-name", "*"]
    command += ["--interval", "0.2", "--no-startup-delay", "--no-reload"]
    with log.open("ab") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)


def wait_for_start(log: Path, starts: int, timeout: float = 120) -> None:
    """Wait until the worker log shows ``starts`` worker start-ups (Django's start-up is slow
    on a busy machine: a kill before it would test nothing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and log.read_text().count("Starting worker") >= starts:
            return
        time.sleep(0.1)


def sent_counts(data_dir: Path) -> tuple[collections.Counter[int], collections.Counter[str]]:
    """E-mails per appointment id (from the Message-ID) and text messages per content."""
    emails: collections.Counter[int] = collections.Counter()
    texts: collections.Counter[str] = collections.Counter()
    log = data_dir / "sent.log"
    if not log.exists():
        return emails, texts
    for line in log.read_text().splitlines():
        kind, _, value = line.partition(" ")
        if kind == "email":
            match = re.match(r"<reminder\.(\d+)\.", value)
            if match:
                emails[int(match.group(1))] += 1
        elif kind == "sms":
            texts[value] += 1
    return emails, texts


def wait_until_sent(ids: list[int], timeout: float) -> float:
    """Seconds until every one of ``ids`` is recorded sent (or the timeout)."""
    from django.db import connections

    from cit.clinic.appointments.models import Appointment

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            left = Appointment.objects.filter(pk__in=ids, reminder_sent_at__isnull=True).count()
        except Exception:  # the database may be restarting: ask again
            connections.close_all()
            left = len(ids)
        if not left:
            break
        time.sleep(0.5)
    return time.monotonic() - started


def email_ids(ids: list[int]) -> list[int]:
    """The appointments whose patient has an e-mail address (they get an e-mail)."""
    from cit.clinic.appointments.models import Appointment

    return list(
        Appointment.objects.filter(pk__in=ids)
        .exclude(patient__email="")
        .values_list("pk", flat=True)
    )
