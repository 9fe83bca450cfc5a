"""Database restart check: the web and the worker through a PostgreSQL outage.

Run: ``.venv/bin/python bench/db_restart.py [--database-url postgres://postgres@127.0.0.1:5432/cit_db_restart_check]
[--outage 6]``. Not part of the test suite; PostgreSQL only. The database named in the URL
is dropped and created afresh (use a throw-away name). Nothing is done to the PostgreSQL
server itself: the web (gunicorn) and the worker reach it through a TCP proxy run by this
script, and "the restart" is the proxy cutting every connection and refusing new ones for
``--outage`` seconds, which is what the application sees of a restart.

Prints: requests during the outage by answer (503 expected; any 500 or traceback is a
fault), seconds from the end of the outage to the first good answer of /health and of a
page, whether the worker is still running, and how many reminders enqueued after the
outage it sent.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.cookiejar
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faultlib  # noqa: E402


class CuttableProxy:
    """A TCP proxy to PostgreSQL whose connections can be cut and refused for a while."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            if not self.up:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                self._close(end)

    def _close(self, end: socket.socket) -> None:
        with self.lock:
            self.open.discard(end)
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()

    def cut(self) -> None:
        self.up = False
        with self.lock:
            ends = list(self.open)
        for end in ends:
            self._close(end)

    def restore(self) -> None:
        self.up = True


def recreate_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except OSError:
            return 0, ""

    def log_in(self, username: str, password: str) -> int:
        status, page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        data = urllib.parse.urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            }
        ).encode()
        request = urllib.request.Request(
            self.base + "/accounts/login/", data=data, headers={"Referer": self.base}
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code


def wait_for(check: object, timeout: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():  # type: ignore[operator]
            return time.monotonic() - started
        time.sleep(0.2)
    return None


def _seconds(value: float | None) -> str:
    return "never (within 60 s)" if value is None else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/cit_db_restart_check"
    )
    parser.add_argument("--outage", type=float, default=6.0)
    parser.add_argument("--reminders", type=int, default=20)
    args = parser.parse_args()
    recreate_database(args.database_url)
    parts = urllib.parse.urlsplit(args.database_url)
    proxy = CuttableProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    netloc = f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}"
    proxied = parts._replace(netloc=netloc).geturl()
    web_port = free_port()
    base = f"http://127.0.0.1:{web_port}"
    with tempfile.TemporaryDirectory(prefix="cit-db-restart-") as folder:
        data_dir = Path(folder)
        env = faultlib.environment(
            data_dir,
            proxied,
            TASK_SWEEP_SECONDS=2,
            WORKER_DB_RETRY_SECONDS=1,
            WORKER_DB_RETRY_MAX_SECONDS=4,
            RATE_LIMIT_API_PER_MINUTE=0,
            RATE_LIMIT_LOGIN_PER_MINUTE=0,
        )
        faultlib.start_django(env)
        from django.core.management import call_command

        call_command("collectstatic", "--noinput", verbosity=0)
        ids = faultlib.prepare_due_reminders(args.reminders * 2)
        before, after = ids[: args.reminders], ids[args.reminders :]
        from cit.clinic.appointments.models import Appointment

        # Only the first half is due now; the second half is enqueued after the outage.
        Appointment.objects.filter(pk__in=after).update(reminder_sent_at=None)
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.all().delete()
        faultlib.enqueue_reminders(before)
        worker_log = data_dir / "worker.log"
        worker = faultlib.start_worker(env, worker_log)
        web_log = (data_dir / "web.log").open("ab")
        web = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "cit.wsgi:application",
                "--bind",
                f"127.0.0.1:{web_port}",
                "--workers",
                "1",
                "--threads",
                "4",
            ],
            env=env,
            stdout=web_log,
            stderr=subprocess.STDOUT,
        )
        browser = Browser(base)
        try:
            wait_for(lambda: browser.get("/health")[0] == 200, 120)
            logged_in = browser.log_in("harbour.front-desk", "cit-demo-2026")
            faultlib.wait_until_sent(before, timeout=120)
            sent_before = (
                len(before)
                - Appointment.objects.filter(pk__in=before, reminder_sent_at__isnull=True).count()
            )

            from django.db import connections

            connections.close_all()
            proxy.cut()
            answers: dict[str, collections.Counter[int]] = collections.defaultdict(
                collections.Counter
            )
            tracebacks = 0
            ends = time.monotonic() + args.outage
            while time.monotonic() < ends:
                for path in ("/health", "/patients/", "/api/patients"):
                    status, body = browser.get(path)
                    answers[path][status] += 1
                    tracebacks += "Traceback" in body
                time.sleep(0.2)
            proxy.restore()
            health_back = wait_for(lambda: browser.get("/health")[0] == 200, 60)
            page_back = wait_for(lambda: browser.get("/patients/")[0] == 200, 60)
            faultlib.enqueue_reminders(after)
            took = faultlib.wait_until_sent(after, timeout=120)
            sent_after = (
                len(after)
                - Appointment.objects.filter(pk__in=after, reminder_sent_at__isnull=True).count()
            )
            alive = worker.poll() is None
            retries = worker_log.read_text().count("Database unreachable")
        finally:
            for process in (worker, web):
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        print(f"Database restart check (PostgreSQL through a proxy; outage {args.outage:.0f} s)")
        print(f"  log-in before the outage:           {logged_in}")
        print(f"  reminders sent before:              {sent_before}/{len(before)}")
        for path, counts in answers.items():
            print(f"  answers during the outage {path:<13} {dict(sorted(counts.items()))}")
        print(f"  tracebacks in answers:              {tracebacks}")
        print(f"  first /health 200 after:            {_seconds(health_back)}")
        print(f"  first page 200 after:               {_seconds(page_back)}")
        print(f"  worker still running:               {alive} ({retries} database retries)")
        print(f"  reminders enqueued after, sent:     {sent_after}/{len(after)} in {took:.1f} s")


if __name__ == "__main__":
    main()
