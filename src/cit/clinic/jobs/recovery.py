"""Tasks left RUNNING by a worker that died are failed and enqueued again.

django-tasks-db marks a row RUNNING when a worker takes it and never looks at it again
until that worker finishes it; a killed worker leaves it RUNNING for ever. A row RUNNING for
longer than ``TASK_STUCK_AFTER_SECONDS`` (well above the longest task: the re-plan's time
limit) is marked FAILED with ``WorkerLost`` by a conditional UPDATE (only if it is still
RUNNING, so a worker that does finish it late overwrites nothing but the status it owns), and
the same task with the same arguments is enqueued again, at most ``TASK_MAX_RECOVERIES``
times. Every task is idempotent, so a task that did finish its work before the worker died
does nothing the second time.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

WORKER_LOST = "cit.clinic.jobs.recovery.WorkerLost"


class WorkerLost(Exception):
    """The worker running the task stopped before it finished (recorded by the sweep)."""


def stuck_before(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(seconds=int(settings.TASK_STUCK_AFTER_SECONDS))


def recover_stuck_tasks(now: datetime.datetime | None = None) -> dict[str, int]:
    """Fail the tasks stuck RUNNING and enqueue them again; returns the counts."""
    now = now or timezone.now()
    failed = requeued = 0
    for row in DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=stuck_before(now)
    ):
        marked = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=WORKER_LOST,
            traceback=(
                f"WorkerLost: still RUNNING {settings.TASK_STUCK_AFTER_SECONDS} s after it "
                "started; its worker stopped. Marked failed by the sweep.\n"
            ),
        )
        if not marked:
            continue
        failed += 1
        earlier = DBTaskResult.objects.filter(
            task_path=row.task_path,
            args_kwargs=row.args_kwargs,
            exception_class_path=WORKER_LOST,
        ).count()
        if earlier > int(settings.TASK_MAX_RECOVERIES):
            logger.warning("Task %s lost %d times; not enqueued again.", row.task_path, earlier)
            continue
        try:
            task = row.task
        except Exception:  # the task's code is gone (renamed): leave it failed
            logger.warning("Stuck task %s cannot be loaded; not enqueued again.", row.task_path)
            continue
        task.enqueue(*row.args_kwargs.get("args", []), **row.args_kwargs.get("kwargs", {}))
        requeued += 1
    return {"failed": failed, "requeued": requeued}


def stuck_or_failed_task_counts() -> list[dict[str, object]]:
    """Per task name: how many are stuck RUNNING, failed, or waiting past their time (for the
    admin page; task arguments are ids only and are not shown)."""
    now = timezone.now()
    names: dict[str, dict[str, object]] = {}

    def bump(row_path: str, what: str, count: int) -> None:
        name = row_path.rsplit(".", 1)[-1]
        entry = names.setdefault(name, {"task": name, "stuck": 0, "failed": 0, "lost": 0})
        entry[what] = int(entry[what]) + count  # type: ignore[call-overload]

    # Counted by the database: a row per task and error kind, however many tasks failed.
    for path, count in (
        DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=stuck_before(now)
        )
        .values_list("task_path")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        bump(path, "stuck", count)
    for path, error, count in (
        DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
        .values_list("task_path", "exception_class_path")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        bump(path, "lost" if error == WORKER_LOST else "failed", count)
    return sorted(names.values(), key=lambda entry: str(entry["task"]))
