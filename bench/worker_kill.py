"""Worker fault check: reminders due while the background worker is killed again and again.

Run: ``.venv/bin/python bench/worker_kill.py [--reminders 90] [--kills 5]
[--database-url postgres://.../empty_db]`` (default: SQLite in a temporary folder). Not part of the
test suite. It loads the demo, makes ``--reminders`` reminders due now, then starts a
worker and SIGKILLs it ``--kills`` times at random moments (each send takes
``--send-seconds``, so kills land mid-send too), then runs one worker until every reminder
is recorded sent. Short leases make the recovery quick: claims run out after
TASK_LEASE_SECONDS=3, tasks stuck RUNNING are recovered after 4 s, the sweep runs every 2 s.

Prints: kills, reminders due, sent, lost (no e-mail at all), duplicated (two or more e-mails
for one reminder; possible only when a kill lands between the mail server taking a message
and the database recording it: the outcome is then unknown and the message goes again,
with the same Message-ID), the same for text messages, and the task table at the end.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faultlib  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reminders", type=int, default=90)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--send-seconds", type=float, default=0.05)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--show-log", action="store_true", help="print the workers' output")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="cit-worker-kill-") as folder:
        data_dir = Path(folder)
        env = faultlib.environment(
            data_dir,
            args.database_url,
            CIT_FAULT_SEND_SECONDS=args.send_seconds,
            TASK_LEASE_SECONDS=3,
            TASK_STUCK_AFTER_SECONDS=4,
            TASK_SWEEP_SECONDS=2,
        )
        faultlib.start_django(env)
        ids = faultlib.prepare_due_reminders(args.reminders)
        with_email = faultlib.email_ids(ids)
        worker_log = data_dir / "worker.log"
        for kill in range(args.kills):
            worker = faultlib.start_worker(env, worker_log)
            faultlib.wait_for_start(worker_log, starts=kill + 1)
            time.sleep(rng.uniform(0.2, 2.0))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        if args.show_log:
            print(worker_log.read_text()[-3000:])
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from cit.clinic.appointments.models import Appointment

        running_after_kills = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()
        sent_before = Appointment.objects.filter(pk__in=ids, reminder_sent_at__isnull=False)
        sent_during_kills = sent_before.count()
        worker = faultlib.start_worker(env, worker_log)
        took = faultlib.wait_until_sent(ids, timeout=120)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        emails, texts = faultlib.sent_counts(data_dir)
        statuses = {
            status: DBTaskResult.objects.filter(status=status).count()
            for status in TaskResultStatus.values
        }
        from cit.clinic.jobs.models import Delivery

        # Messages whose first try was cut off by a kill after the record was made.
        interrupted = Delivery.objects.filter(attempts__gt=1).count()
        recorded = Appointment.objects.filter(pk__in=ids, reminder_sent_at__isnull=False).count()
        database = env.get("DATABASE_URL", "sqlite").split(":")[0]
        print(f"Worker fault check ({database}, seed {args.seed})")
        print(f"  kills (SIGKILL):             {args.kills}")
        print(f"  reminders due:               {len(ids)} ({len(with_email)} with e-mail)")
        print(f"  tasks RUNNING after kills:   {running_after_kills}")
        print(f"  sent while being killed:     {sent_during_kills}")
        print(f"  recorded sent:               {recorded}")
        print(f"  e-mails sent:                {sum(1 for i in with_email if emails[i])}")
        print(f"  e-mails lost:                {sum(1 for i in with_email if not emails[i])}")
        print(f"  e-mails duplicated:          {sum(1 for i in with_email if emails[i] > 1)}")
        print(f"    messages tried again after a kill cut their first try: {interrupted}")
        print(f"  text messages sent:          {len(texts)}")
        print(f"  text messages duplicated:    {sum(1 for n in texts.values() if n > 1)}")
        print(f"  all done after restart in:   {took:.1f} s")
        print(f"  task table at the end:       {statuses}")


if __name__ == "__main__":
    main()
