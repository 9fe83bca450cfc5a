"""The audit log at scale: its page with each filter, and the cost of writing one event.

Run: ``.venv/bin/python bench/audit_scale.py [--rows 1000000] [--rounds 40]`` (SQLite in a
fresh temporary folder; set ``DATABASE_URL`` to an empty PostgreSQL database to measure there;
``--rows 15000000`` is the clinic chain of issue 13).

Fills ``--rows`` audit events with one SQL statement per batch (PostgreSQL: generate_series;
SQLite: a recursive CTE), spread over two years, ``--patients`` patients and a few staff, every
kind of action. Then times, ``--rounds`` times each, in this process (Django's test client):

* ``/health`` (the baseline: one request, one ``SELECT 1``);
* the audit log page: newest first, each of its filters (what, who, whom, a week a year ago),
  and the page 20 "Older" links down;
* a request that writes one audit event against the same request without it (``/health``'s
  view called directly, in a transaction as a page's is): the cost of auditing a read; on
  PostgreSQL also without waiting for the commit's WAL flush, which is most of that cost
  when the event is the request's only write.

Prints p50 and p95 in milliseconds and p95 as a multiple of ``/health``'s p95.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

from django_bench import p95_of, start_cit, timed  # noqa: E402

ACTIONS = ["view", "list", "create", "update", "export", "login", "denied"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--patients", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=40)
    options = parser.parse_args()

    start_cit("cit-audit-bench-")
    from django.db import connection, transaction
    from django.test import Client, RequestFactory

    from cit.clinic.audit.actions import record_event
    from cit.clinic.audit.models import AuditAction
    from cit.views import health

    started = time.perf_counter()
    world = _build(options)
    print(f"built {options.rows:,} audit events in {time.perf_counter() - started:.0f} s")

    admin = Client(HTTP_HOST="localhost")
    admin.force_login(world["admin"])

    def get(url: str) -> Callable[[], Any]:
        def fetch() -> None:
            response = admin.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return fetch

    # The page 20 "Older" links down the log.
    deep = "/audit/"
    for _ in range(20):
        link = re.search(r'href="([^"]+)" rel="next"', admin.get(deep).content.decode())
        assert link is not None, "fewer than 21 pages of events"
        deep = "/audit/" + html.unescape(link.group(1))
    factory = RequestFactory(HTTP_HOST="localhost")

    def plain_request() -> None:
        with transaction.atomic():
            health(factory.get("/health"))

    def audited_request() -> None:
        request = factory.get(f"/patients/{world['patient'].pk}/")
        request.user = world["admin"]
        with transaction.atomic():
            health(request)
            record_event(request, AuditAction.VIEW, patient=world["patient"], obj=world["patient"])

    def audited_request_no_flush() -> None:
        # The same, without waiting for the commit's WAL flush: what the insert itself costs.
        request = factory.get(f"/patients/{world['patient'].pk}/")
        request.user = world["admin"]
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
            health(request)
            record_event(request, AuditAction.VIEW, patient=world["patient"], obj=world["patient"])

    a_year_ago = world["a_year_ago"]
    week = f"since={a_year_ago.isoformat()}&until={(a_year_ago.replace(day=7)).isoformat()}"
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("/health (baseline)", get("/health")),
        ("audit log, newest", get("/audit/")),
        ("audit log, what = export", get("/audit/?action=export")),
        ("audit log, who = a user", get(f"/audit/?actor={world['actor_name']}")),
        ("audit log, whom = a record", get(f"/audit/?patient={world['record']}")),
        ("audit log, a week a year ago", get(f"/audit/?{week}")),
        ("audit log, 20 pages down", get(deep)),
        ("request without audit", plain_request),
        ("request writing one event", audited_request),
    ]
    if connection.vendor == "postgresql":
        cases.append(("  the same, no commit flush", audited_request_no_flush))
    results = {name: timed(action, options.rounds) for name, action in cases}
    baseline = p95_of(results["/health (baseline)"])
    print(f"\n{'':32} {'p50 ms':>9} {'p95 ms':>9} {'p95 × /health':>14}")
    for name, times in results.items():
        p95 = p95_of(times)
        print(f"{name:32} {statistics.median(times):9.2f} {p95:9.2f} {p95 / baseline:14.1f}")
    plain = statistics.median(results["request without audit"])
    audited = statistics.median(results["request writing one event"])
    print(
        f"\none audit event adds {audited - plain:.2f} ms to a request "
        f"(median {audited / plain:.2f}× the same request without it)"
    )


def _build(options: argparse.Namespace) -> dict[str, Any]:
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from cit.clinic.accounts.models import User
    from cit.clinic.audit.models import AuditEvent
    from cit.clinic.facilities.models import Clinic
    from cit.clinic.patients.matching import search_key
    from cit.clinic.patients.models import Patient

    clinic = Clinic.objects.create(name="Audit Bench", timezone="UTC", record_number_prefix="AB")
    admin = User.objects.create_user(
        username="bench-admin",
        role="clinic_admin",
        clinic=clinic,
        first_name="Ann",
        last_name="Admin",
    )
    staff = [
        User.objects.create_user(
            username=f"nurse{n}", role="registered_nurse", clinic=clinic, last_name=f"Nurse{n}"
        )
        for n in range(20)
    ]
    patients = []
    for n in range(options.patients):
        record = f"AB{n:07d}"
        patients.append(
            Patient(
                clinic=clinic,
                record_number=record,
                given_name="Pat",
                family_name=f"Bench{n:05d}",
                birth_date=datetime.date(1980, 1, 1) + datetime.timedelta(days=n % 9000),
                sex="female",
                search_key=search_key("Pat", f"Bench{n:05d}", record, "", ""),
            )
        )
    Patient.objects.bulk_create(patients, batch_size=2000)
    first_patient = Patient.objects.filter(clinic=clinic).order_by("id").first()
    assert first_patient is not None
    low = first_patient.pk
    user_ids = [user.pk for user in staff]
    now = timezone.now()
    span = 2 * 365 * 24 * 3600  # two years of events, newest now
    table = AuditEvent._meta.db_table
    actions = ", ".join(f"'{a}'" for a in ACTIONS)
    json_actions = json.dumps(ACTIONS)
    batch = 1_000_000
    for offset in range(0, options.rows, batch):
        count = min(batch, options.rows - offset)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"""
                    INSERT INTO {table} (at, actor_id, actor_username, actor_role, clinic_id,
                        action, patient_id, object_type, object_id, channel, method, path,
                        detail)
                    SELECT %s::timestamptz - ((g::bigint * %s / %s) || ' seconds')::interval,
                        (ARRAY[{", ".join(map(str, user_ids))}])[1 + g %% {len(user_ids)}],
                        'nurse' || (g %% {len(user_ids)}), 'registered_nurse', %s,
                        (ARRAY[{actions}])[1 + g %% {len(ACTIONS)}],
                        %s + g %% %s, 'patients.Patient', (%s + g %% %s)::text,
                        'page', 'GET', '/patients/', '{{}}'::jsonb
                    FROM generate_series(%s, %s) AS g
                    """,
                    [
                        now,
                        span,
                        options.rows,
                        clinic.pk,
                        low,
                        options.patients,
                        low,
                        options.patients,
                        offset,
                        offset + count - 1,
                    ],
                )
            else:
                cursor.execute(
                    f"""
                    WITH RECURSIVE g(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM g WHERE n < %s)
                    INSERT INTO {table} (at, actor_id, actor_username, actor_role, clinic_id,
                        action, patient_id, object_type, object_id, channel, method, path,
                        detail)
                    SELECT strftime(
                            '%%Y-%%m-%%d %%H:%%M:%%f', %s, '-' || (n * %s / %s) || ' seconds'
                        ),
                        %s + n %% {len(user_ids)}, 'nurse' || (n %% {len(user_ids)}),
                        'registered_nurse', %s,
                        json_extract('{json_actions}', '$[' || (n %% {len(ACTIONS)}) || ']'),
                        %s + n %% %s, 'patients.Patient', CAST(%s + n %% %s AS TEXT),
                        'page', 'GET', '/patients/', '{{}}'
                    FROM g
                    """,
                    [
                        offset,
                        offset + count - 1,
                        now.strftime("%Y-%m-%d %H:%M:%S"),
                        span,
                        options.rows,
                        user_ids[0],
                        clinic.pk,
                        low,
                        options.patients,
                        low,
                        options.patients,
                    ],
                )
        print(f"  {offset + count:,} events", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    return {
        "admin": admin,
        "patient": first_patient,
        "record": first_patient.record_number,
        "actor_name": staff[3].username,
        "a_year_ago": (now - datetime.timedelta(days=365)).date().replace(day=1),
    }


if __name__ == "__main__":
    main()
