"""The audit log at scale: its page with each filter, and the cost of writing one event.

Run: ``.venv/bin/python bench/audit_scale.py [--rows 1000000] [--rounds 40]`` (SQLite in a
fresh temporary folder; set ``DATABASE_URL`` to an empty PostgreSQL database to measure there;
``--rows 15000000`` is the clinic chain of issue 13; ``--reuse`` measures a database this
script filled before again).

Fills ``--rows`` audit events with one SQL statement per batch (PostgreSQL: generate_series;
SQLite: a recursive CTE), spread over two years, ``--patients`` patients and a few staff, every
kind of action. On PostgreSQL the fill runs without the log's indexes and foreign-key checks
(its rows are valid by construction), and the indexes are built once at the end, as a restore
would. Then times, ``--rounds`` times each, in this process (Django's test client), one of
each case in turn so that a loaded host slows them alike:

* ``/health`` (the baseline: one request, one ``SELECT 1``);
* the audit log page: newest first, each of its filters (what, who, whom, a week a year ago),
  and the page 20 "Older" links down;
* what writing one audit event adds to a request (``/health``'s view called directly):
  to a read, as ``record_event`` writes a view event now (on PostgreSQL, one query that does
  not wait for the WAL flush) and as it did before (an INSERT whose commit waits for it); and
  to a write (a patient's row updated in a transaction), the event inside that transaction.

Prints p50 and p95 in milliseconds and p95 as a multiple of ``/health``'s p95, then the
median added cost of one event.
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
from unittest import mock

from django_bench import p95_of, start_cit  # noqa: E402

ACTIONS = ["view", "list", "create", "update", "export", "login", "denied"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--patients", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the events filled by an earlier run"
    )
    options = parser.parse_args()

    start_cit("cit-audit-bench-")
    from django.db import transaction
    from django.db.models import F
    from django.http import HttpRequest
    from django.test import Client, RequestFactory

    from cit.clinic.audit import actions as audit_actions
    from cit.clinic.audit.actions import record_event
    from cit.clinic.audit.models import AuditAction
    from cit.clinic.patients.models import Patient
    from cit.views import health

    started = time.perf_counter()
    world = _existing() if options.reuse else None
    if world is None:
        world = _build(options)
        print(f"built {options.rows:,} audit events in {time.perf_counter() - started:.0f} s")
    else:
        print(f"reusing {world['rows']:,} audit events")

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

    patient = world["patient"]

    def read() -> HttpRequest:
        # A page read outside any transaction, as every page is (no ATOMIC_REQUESTS).
        request = factory.get(f"/patients/{patient.pk}/")
        request.user = world["admin"]
        health(request)
        return request

    def read_audited() -> None:
        record_event(read(), AuditAction.VIEW, patient=patient, obj=patient)

    def read_audited_durably() -> None:
        # How every read's event was written before: an INSERT whose commit waits for the
        # WAL flush, as record_event still writes the events of refusals and exports.
        with mock.patch.object(audit_actions, "ASYNCHRONOUS_ACTIONS", frozenset()):
            record_event(read(), AuditAction.VIEW, patient=patient, obj=patient)

    def write() -> HttpRequest:
        request = factory.post(f"/patients/{patient.pk}/edit/")
        request.user = world["admin"]
        Patient.objects.filter(pk=patient.pk).update(phone=F("phone"))
        return request

    def write_plain() -> None:
        with transaction.atomic():
            write()

    def write_audited() -> None:
        with transaction.atomic():
            record_event(write(), AuditAction.UPDATE, patient=patient, obj=patient)

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
        ("read, no audit", read),
        ("read + event (now)", read_audited),
        ("read + event, durable commit", read_audited_durably),
        ("write, no audit", write_plain),
        ("write + event", write_audited),
    ]
    results = _interleaved(cases, options.rounds)
    baseline = p95_of(results["/health (baseline)"])
    print(f"\n{'':32} {'p50 ms':>9} {'p95 ms':>9} {'p95 × /health':>14}")
    for name, times in results.items():
        p95 = p95_of(times)
        print(f"{name:32} {statistics.median(times):9.2f} {p95:9.2f} {p95 / baseline:14.1f}")

    def added(name: str, base: str) -> float:
        return statistics.median(results[name]) - statistics.median(results[base])

    read_now = added("read + event (now)", "read, no audit")
    read_before = added("read + event, durable commit", "read, no audit")
    write_now = added("write + event", "write, no audit")
    print(
        f"\none audit event adds (median): to a read {read_now:.2f} ms "
        f"(with a durable commit, as before: {read_before:.2f} ms); to a write {write_now:.2f} ms"
    )


def _interleaved(cases: list[tuple[str, Callable[[], Any]]], rounds: int) -> dict[str, list[float]]:
    """Milliseconds of each case, ``rounds`` times, one of each in turn (after one warm-up
    call each), so that the host's load falls on every case alike."""
    for _, action in cases:
        action()
    results: dict[str, list[float]] = {name: [] for name, _ in cases}
    for _ in range(rounds):
        for name, action in cases:
            started = time.perf_counter()
            action()
            results[name].append((time.perf_counter() - started) * 1000)
    return results


def _existing() -> dict[str, Any] | None:
    import datetime

    from django.utils import timezone

    from cit.clinic.accounts.models import User
    from cit.clinic.audit.models import AuditEvent
    from cit.clinic.patients.models import Patient

    admin = User.objects.filter(username="bench-admin").first()
    if admin is None:
        return None
    first_patient = Patient.objects.filter(clinic=admin.clinic).order_by("id").first()
    assert first_patient is not None
    return {
        "admin": admin,
        "patient": first_patient,
        "record": first_patient.record_number,
        "actor_name": "nurse3",
        "a_year_ago": (timezone.now() - datetime.timedelta(days=365)).date().replace(day=1),
        "rows": AuditEvent.objects.filter(clinic=admin.clinic).count(),
    }


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
    # bulk_create skips Patient.save, which keeps the clinic's count.
    Clinic.objects.filter(pk=clinic.pk).update(active_patients=len(patients))
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
    postgresql = connection.vendor == "postgresql"
    indexes = _drop_secondary_indexes(table) if postgresql else []
    for offset in range(0, options.rows, batch):
        count = min(batch, options.rows - offset)
        with transaction.atomic(), connection.cursor() as cursor:
            if postgresql:
                # No foreign-key checks for these rows: every id is one just created.
                cursor.execute("SET LOCAL session_replication_role = replica")
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
        if indexes:
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for definition in indexes:
            cursor.execute(definition)
            print(f"  {definition.split(' ON ')[0]}", flush=True)
        cursor.execute(f"ANALYZE {table}")
    return {
        "admin": admin,
        "patient": first_patient,
        "record": first_patient.record_number,
        "actor_name": staff[3].username,
        "a_year_ago": (now - datetime.timedelta(days=365)).date().replace(day=1),
    }


def _drop_secondary_indexes(table: str) -> list[str]:
    """Drop ``table``'s indexes but its primary key; returns the statements that make them
    again (PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [table],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


if __name__ == "__main__":
    main()
