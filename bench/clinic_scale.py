"""A busy clinic at scale: the front desk's pages against ``/health`` in the same run.

Run: ``.venv/bin/python bench/clinic_scale.py [--patients 100000] [--providers 20] [--days 230]``
(SQLite in a fresh temporary folder; set ``DATABASE_URL`` to an empty PostgreSQL database to
measure there), or ``--reuse`` to measure the clinic ``bench/generate.py`` left in
``DATABASE_URL`` without building it again.

Builds the clinic ``bench/generate.py`` describes. Then times,
``--rounds`` times each (median, p95 and worst, milliseconds, and the median and p95 as
multiples of ``/health``'s):

* ``/health`` (the baseline: one request, one ``SELECT 1``);
* that patient's proposal page and ``propose_series`` (the front desk's main action): with the
  clinic's scheduling index cached, right after another desk changed a booking (the index
  reloads that appointment's holds), right after an admin changed the set-up (providers,
  rooms, hours...: the set-up is read again), and with no index yet (a fresh worker: every
  shared hold and the set-up are loaded); and the scheduling state a fresh load reads with
  and without other patients' own holds;
* the patient search page (a name with a typo, a name, a birth date, a phone), the patient
  list, the API patient list, and the audit log;

and the RSS of a fresh web worker process.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django_bench import p95_of, start_cit, timed  # noqa: E402
from generate import add_arguments, add_reuse_argument, generated_clinic  # noqa: E402

WORKER_START = """
import sys
sys.path.insert(0, {src!r})
from cit import wsgi
from django.test import Client
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'):
            return int(line.split()[1]) / 1024
loaded = rss()
if wsgi.warming is not None:
    wsgi.warming.join()
warmed = rss()
Client(HTTP_HOST='localhost').get('/health')
print(f'{{loaded:.0f}} {{warmed:.0f}} {{rss():.0f}}')
"""


def _worker_rss() -> tuple[float, float, float]:
    """A fresh process as a web worker starts: RSS in MB once the WSGI application is
    imported, once it has warmed up the scheduling indexes, and after its first request (URLs,
    views and their imports loaded)."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    output = subprocess.run(
        [sys.executable, "-c", WORKER_START.format(src=src)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    ).stdout.split()
    return float(output[0]), float(output[1]), float(output[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--rounds", type=int, default=20)
    add_reuse_argument(parser)
    options = parser.parse_args()

    start_cit("cit-bench-")
    from django.test import Client

    built = generated_clinic(options)
    print(f"measuring {built['appointments']:,} appointments ({built['holds']:,} holds)")

    from django.utils import timezone

    from cit.clinic.appointments.convert import series_request, state_for_days
    from cit.clinic.appointments.models import Appointment
    from cit.clinic.appointments.proposals import propose_series
    from cit.clinic.appointments.schedule_index import (
        PROCESS_CACHE,
        bump_schedule_version,
        note_setup_changed,
    )
    from cit.scheduling import booking_horizon

    desk = Client(HTTP_HOST="localhost")
    desk.force_login(built["desk"])
    admin = Client(HTTP_HOST="localhost")
    admin.force_login(built["admin"])
    plan = built["plan"]
    clinic = plan.patient.clinic
    today = clinic.today()
    search = series_request(plan, 0, earliest_start=today + datetime.timedelta(days=1))
    first, last = booking_horizon(search)

    def get(client: Client, url: str) -> Callable[[], Any]:
        def fetch() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return fetch

    some_booking = Appointment.objects.filter(clinic=clinic).order_by("pk")[10]

    def booking_changed() -> None:
        """Another desk changed a booking: every worker's cached index is one version behind."""
        bump_schedule_version(clinic.pk, [some_booking.pk])

    def setup_changed() -> None:
        """An admin changed the clinic's set-up: every worker reads it again."""
        note_setup_changed(clinic.pk)

    def fresh_worker() -> None:
        PROCESS_CACHE.clear()

    propose_url = f"/patients/{plan.patient_id}/bookings/plan/{plan.pk}/series/0/"
    cases: list[tuple[Any, ...]] = [
        ("/health (baseline)", get(desk, "/health")),
        ("proposal page, index cached", get(desk, propose_url)),
        ("proposal page, a booking changed", get(desk, propose_url), booking_changed),
        ("proposal page, set-up changed", get(desk, propose_url), setup_changed),
        ("proposal page, no index yet", get(desk, propose_url), fresh_worker),
        (
            "propose a series, index cached",
            lambda: propose_series(plan=plan, series_index=0, now=timezone.now()),
        ),
        (
            "propose a series, no index yet",
            lambda: propose_series(plan=plan, series_index=0, now=timezone.now()),
            fresh_worker,
        ),
        (
            "  state: every hold",
            lambda: state_for_days(clinic, first, last, today=today),
        ),
        (
            "  state: one patient's search",
            lambda: state_for_days(clinic, first, last, today=today, patient_id=search.patient_id),
        ),
        ("patient search 'Oliva'", get(desk, "/patients/?q=Oliva")),
        ("patient search 'patel'", get(desk, "/patients/?q=patel")),
        ("patient search birth date", get(desk, "/patients/?q=1984-05-17")),
        ("patient search phone", get(desk, "/patients/?q=0142")),
        ("patient list", get(desk, "/patients/")),
        ("API patient list", get(desk, "/api/patients?limit=50")),
        ("audit log", get(admin, "/audit/")),
    ]
    results = {case[0]: timed(case[1], options.rounds, *case[2:]) for case in cases}
    baseline = statistics.median(results["/health (baseline)"])
    baseline_p95 = p95_of(results["/health (baseline)"])
    print(
        f"scheduling index: loaded {PROCESS_CACHE.loads} times, "
        f"refreshed {PROCESS_CACHE.refreshes} times; set-up loaded {PROCESS_CACHE.setup_loads} "
        "times"
    )
    print(
        f"\n{'':34} {'median ms':>10} {'p95 ms':>10} {'worst ms':>10} "
        f"{'× /health':>10} {'p95 ×':>10}"
    )
    for name, times in results.items():
        median, p95 = statistics.median(times), p95_of(times)
        print(
            f"{name:34} {median:10.1f} {p95:10.1f} {max(times):10.1f} "
            f"{median / baseline:10.1f} {p95 / baseline_p95:10.1f}"
        )
    loaded, warmed, served = _worker_rss()
    print(
        f"\nweb worker RSS: {loaded:.0f} MB with the app loaded, {warmed:.0f} MB with the "
        f"scheduling index warmed up, {served:.0f} MB after a request"
    )


if __name__ == "__main__":
    main()
