"""What the database-backed benchmarks share: a throw-away CIT on the configured database
(``DATABASE_URL``, else SQLite in a temporary folder), and timing in milliseconds."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def start_cit(prefix: str) -> str:
    """Set Django up for CIT with rate limits off (0 per minute), migrate and collect static
    files; returns the data folder."""
    data_dir = tempfile.mkdtemp(prefix=prefix)
    os.environ.setdefault("CIT_DATA_DIR", data_dir)
    os.environ.setdefault("ALLOW_CONSOLE_BACKENDS", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cit.settings")
    for limit in ("LOGIN", "API", "CDS"):
        os.environ.setdefault(f"RATE_LIMIT_{limit}_PER_MINUTE", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"database: {connection.vendor}; data folder {data_dir}")
    return data_dir


def timed(
    action: Callable[[], Any], rounds: int, before: Callable[[], Any] | None = None
) -> list[float]:
    """Milliseconds of ``rounds`` calls of ``action`` after one warm-up call; ``before``
    runs ahead of each call, not counted."""
    action()  # warm caches and connections; not counted
    times = []
    for _ in range(rounds):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95_of(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18]
