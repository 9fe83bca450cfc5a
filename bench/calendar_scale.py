"""The front desk's calendar at a busy clinic: the day and the week view against ``/health``
in the same run.

Run: ``.venv/bin/python bench/calendar_scale.py --reuse`` with ``DATABASE_URL`` set to a copy
of a database ``bench/generate.py`` filled (each calendar request writes an audit event), or
without ``--reuse`` to build the clinic first (``--patients``, ``--providers``, ``--days`` as
``bench/generate.py``).

Times, ``--rounds`` times each after one warm-up, signed in as the front desk: ``/health``, the
day view and the week view (every provider) of the first Monday the clinic has visits on, and
the day view by room. Prints the median CPU milliseconds of this process (``time.process_time``:
the request and its rendering; the database server's own time is not in it), the median wall
milliseconds, both as multiples of ``/health``'s, and each page's size in bytes.
``--save-html DIR`` also writes each page's HTML there, to compare two versions of the code.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django_bench import start_cit
from generate import add_arguments, add_reuse_argument, generated_clinic


def timed_both(fetch: Callable[[], Any], rounds: int) -> tuple[list[float], list[float]]:
    """CPU and wall milliseconds of ``rounds`` calls after one warm-up call."""
    fetch()
    cpu, wall = [], []
    for _ in range(rounds):
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        fetch()
        cpu.append((time.process_time() - cpu_started) * 1000)
        wall.append((time.perf_counter() - wall_started) * 1000)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--save-html", type=Path, help="write each page's HTML into this folder")
    add_reuse_argument(parser)
    options = parser.parse_args()

    start_cit("cit-bench-")
    from django.test import Client

    built = generated_clinic(options)

    from cit.clinic.appointments.models import Appointment

    desk = Client(HTTP_HOST="localhost")
    desk.force_login(built["desk"])
    clinic = built["plan"].patient.clinic
    first_visit = Appointment.objects.filter(clinic=clinic).order_by("start").first()
    if first_visit is None:
        raise SystemExit("the clinic has no visits to draw")
    first_day = first_visit.start.astimezone(clinic.tzinfo).date()
    monday = first_day + datetime.timedelta(days=-first_day.weekday() % 7)
    day = monday.isoformat()
    print(
        f"calendar of {day}: "
        f"{Appointment.objects.filter(clinic=clinic, start__date=monday).count()} visits that day"
    )

    pages = {
        "/health (baseline)": "/health",
        "day view": f"/calendar/?date={day}",
        "week view": f"/calendar/?date={day}&view=week",
        "day view by room": f"/calendar/?date={day}&by=room",
    }
    sizes: dict[str, int] = {}
    results: dict[str, tuple[list[float], list[float]]] = {}
    for name, url in pages.items():

        def fetch(url: str = url, name: str = name) -> None:
            response = desk.get(url)
            assert response.status_code == 200, (url, response.status_code)
            sizes[name] = len(response.content)
            if options.save_html is not None and url.startswith("/calendar/"):
                options.save_html.mkdir(parents=True, exist_ok=True)
                slug = name.replace(" ", "-")
                (options.save_html / f"{slug}.html").write_bytes(response.content)

        results[name] = timed_both(fetch, options.rounds)

    base_cpu = statistics.median(results["/health (baseline)"][0])
    base_wall = statistics.median(results["/health (baseline)"][1])
    print(
        f"\n{'':20} {'CPU ms':>8} {'wall ms':>8} {'CPU ×':>8} {'wall ×':>8} {'bytes':>9}"
        f"   (medians of {options.rounds}; × /health's)"
    )
    for name, (cpu, wall) in results.items():
        print(
            f"{name:20} {statistics.median(cpu):8.1f} {statistics.median(wall):8.1f} "
            f"{statistics.median(cpu) / base_cpu:8.1f} {statistics.median(wall) / base_wall:8.1f} "
            f"{sizes[name]:9,}"
        )


if __name__ == "__main__":
    main()
