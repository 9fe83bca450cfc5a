"""A bounded, logged-in load test of a running CIT: the main pages at 10 and 50 concurrent
clients, p50 and p95 as multiples of ``/health``'s under the same load.

Run against the clinic ``bench/generate.py`` made (its users sign in with its password)::

    DATABASE_URL=postgres://…/cit_scale100k RATE_LIMIT_LOGIN_PER_MINUTE=0 \\
        RATE_LIMIT_API_PER_MINUTE=0 \\
        .venv/bin/gunicorn cit.wsgi:application --workers 2 --bind 127.0.0.1:8000 &
    .venv/bin/python bench/load.py http://127.0.0.1:8000 [--clients 1 10 50] [--rounds 5]

Each client is one keep-alive connection with its own session: front-desk clients walk the
desk's pages (today, the patient list, searches, the API list, the focus patient's proposal
page), an admin client the audit log, each page ``--rounds`` times per client, so a run is
bounded by clients × pages × rounds requests. ``/health`` is requested in the same walk and
is the baseline. Only 200s count; anything else is printed and fails the run.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

PASSWORD = "bench-password"  # bench/generate.py's
FOCUS_RECORD = "SC-000001"  # the patient with a real accepted plan
DESK_PAGES = {
    "/health (baseline)": "/health",
    "today": "/",
    "patient list": "/patients/",
    "patient search 'Oliva'": "/patients/?q=Oliva",
    "patient search 'patel'": "/patients/?q=patel",
    "patient search birth date": "/patients/?q=1984-05-17",
    "patient search phone": "/patients/?q=0142",
    "API patient list": "/api/patients?limit=50",
}
ADMIN_PAGES = {"audit log": "/audit/"}


class Session:
    """One signed-in client on one keep-alive connection."""

    def __init__(self, base: str, username: str) -> None:
        parts = urllib.parse.urlsplit(base)
        self.host = parts.netloc
        self.connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port or 80, timeout=120
        )
        self.cookies: dict[str, str] = {}
        self._log_in(username)

    def request(
        self, method: str, path: str, body: str | None = None, referer: str | None = None
    ) -> tuple[int, str]:
        headers = {"Host": self.host, "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{self.host}"
            headers["Referer"] = referer or f"http://{self.host}{path}"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def _log_in(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        if status != 200:
            raise SystemExit(f"log-in page answered {status}")
        form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
        form.update(username=username, password=PASSWORD)
        status, _ = self.request("POST", "/accounts/login/", urllib.parse.urlencode(form))
        if status == 429:
            raise SystemExit("log-ins are rate limited: serve with RATE_LIMIT_LOGIN_PER_MINUTE=0")
        if status != 302:
            raise SystemExit(f"{username} could not sign in ({status}): run bench/generate.py")


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def walk(self, session: Session, pages: dict[str, str], rounds: int) -> None:
        for _ in range(rounds):
            for name, path in pages.items():
                started = time.perf_counter()
                status, _ = session.request("GET", path)
                elapsed = (time.perf_counter() - started) * 1000
                with self.lock:
                    if status == 200:
                        self.times[name].append(elapsed)
                    else:
                        self.failures.append(f"{path}: {status}")


def proposal_path(base: str) -> str:
    """The focus patient's first series proposal page, found as the desk finds it."""
    desk = Session(base, "desk")
    status, page = desk.request("GET", f"/patients/?q={FOCUS_RECORD}")
    patient = re.search(r'href="/patients/(\d+)/"', page)
    if status != 200 or patient is None:
        raise SystemExit(f"{FOCUS_RECORD} not found: run bench/generate.py")
    status, page = desk.request("GET", f"/patients/{patient.group(1)}/bookings/")
    series = re.search(r'href="(/patients/\d+/bookings/plan/\d+/series/0/)"', page)
    if status != 200 or series is None:
        raise SystemExit(
            "the focus patient's bookings page links no series proposal: pass --proposal PATH"
        )
    return series.group(1)


def run(base: str, clients: int, rounds: int, desk_pages: dict[str, str]) -> Results:
    """``clients`` concurrent sessions (one in ten an admin on the audit log), each walking
    its pages ``rounds`` times; one client is the server unloaded: an admin's walk, then a
    desk's, one request at a time."""
    admin_pages = {**ADMIN_PAGES, "/health (baseline)": "/health"}
    if clients == 1:
        results = Results()
        results.walk(Session(base, "admin"), admin_pages, rounds)
        results.walk(Session(base, "desk"), desk_pages, rounds)
        return results
    admins = max(1, clients // 10)
    with ThreadPoolExecutor(clients) as pool:
        sessions = list(
            pool.map(lambda n: Session(base, "admin" if n < admins else "desk"), range(clients))
        )
    results = Results()
    with ThreadPoolExecutor(clients) as pool:
        for n, session in enumerate(sessions):
            pages = admin_pages if n < admins else desk_pages
            pool.submit(results.walk, session, pages, rounds)
    return results


def p95_of(times: list[float]) -> float:
    if len(times) < 2:
        return max(times)
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def report(clients: int, results: Results, wall: float) -> None:
    base = results.times["/health (baseline)"]
    base_p50, base_p95 = statistics.median(base), p95_of(base)
    total = sum(len(t) for t in results.times.values())
    print(f"\n{clients} clients: {total:,} requests in {wall:.1f} s ({total / wall:.0f}/s)")
    print(f"{'':30} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'p50 ×':>7} {'p95 ×':>7}")
    for name, times in results.times.items():
        p50, p95 = statistics.median(times), p95_of(times)
        print(
            f"{name:30} {len(times):5} {p50:9.1f} {p95:9.1f} "
            f"{p50 / base_p50:7.1f} {p95 / base_p95:7.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="where CIT answers, e.g. http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--rounds", type=int, default=5, help="walks of the pages per client")
    parser.add_argument(
        "--proposal",
        help="the proposal page's path (default: found from the focus patient's bookings page)",
    )
    options = parser.parse_args()
    base = options.base_url.rstrip("/")
    desk_pages = {**DESK_PAGES, "proposal page": options.proposal or proposal_path(base)}
    failed = False
    for clients in options.clients:
        started = time.perf_counter()
        results = run(base, clients, options.rounds, desk_pages)
        report(clients, results, time.perf_counter() - started)
        if results.failures:
            failed = True
            print(f"{len(results.failures)} failed requests, e.g. {results.failures[:3]}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
