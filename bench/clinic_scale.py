"""A busy clinic at scale: the front desk's pages against ``/health`` in the same run.

Run: ``.venv/bin/python bench/clinic_scale.py [--patients 100000] [--providers 20] [--days 230]``
(SQLite in a fresh temporary folder; set ``DATABASE_URL`` to an empty PostgreSQL database to
measure there).

Builds one clinic with ``--patients`` patients (search keys as the app writes them), every
provider booked back to back 09:00-17:00 for ``--days`` days (one-hour visits, each holding
provider, room, pen and patient rows as a booking does), ``--audit-events`` audit events, and
one patient with a real accepted plan made by the intake → plan → accept actions. Then times,
``--rounds`` times each (median, p95 and worst, milliseconds, and the median and p95 as
multiples of ``/health``'s):

* ``/health`` (the baseline: one request, one ``SELECT 1``);
* that patient's proposal page and ``propose_series`` (the front desk's main action): with the
  clinic's scheduling index cached, right after another desk changed a booking (the index
  reloads that appointment's holds), and with no index yet (a fresh worker: every shared
  hold is loaded); and the scheduling state a fresh load reads with and without other
  patients' own holds;
* the patient search page (a name with a typo, a name, a birth date, a phone), the patient
  list, the API patient list, and the audit log;

and the RSS of a fresh web worker process.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django_bench import p95_of, start_cit, timed  # noqa: E402

GIVEN = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Grace",
    "Lily",
    "Noah",
    "Oliver",
    "Leo",
    "Arthur",
    "Muhammad",
    "Zoë",
    "Łucja",
    "Nguyễn",
    "Sofia",
    "Maya",
    "Omar",
    "Chen",
    "Ana",
]
FAMILY = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Martínez",
    "García",
    "Nowak",
    "Kowalski",
    "Hopper",
    "Lovelace",
    "Okafor",
    "Tanaka",
    "Müller",
    "O'Brien",
    "Nguyen",
]


WORKER_START = """
import sys
sys.path.insert(0, {src!r})
from cit.wsgi import application
from django.test import Client
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'):
            return int(line.split()[1]) / 1024
loaded = rss()
Client(HTTP_HOST='localhost').get('/health')
print(f'{{loaded:.0f}} {{rss():.0f}}')
"""


def _worker_rss() -> tuple[float, float]:
    """A fresh process as a web worker starts: RSS in MB once the WSGI application is
    imported, and after its first request (URLs, views and their imports loaded)."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    output = subprocess.run(
        [sys.executable, "-c", WORKER_START.format(src=src)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    ).stdout.split()
    return float(output[0]), float(output[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--providers", type=int, default=8)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--audit-events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20_261_126)
    options = parser.parse_args()

    start_cit("cit-bench-")
    from django.test import Client

    built = time.perf_counter()
    world = _build(options)
    print(
        f"built {options.patients:,} patients, {world['appointments']:,} appointments "
        f"({world['holds']:,} holds), {options.audit_events:,} audit events "
        f"in {time.perf_counter() - built:.0f} s"
    )

    from django.utils import timezone

    from cit.clinic.appointments.convert import series_request, state_for_days
    from cit.clinic.appointments.models import Appointment
    from cit.clinic.appointments.proposals import propose_series
    from cit.clinic.appointments.schedule_index import PROCESS_CACHE, bump_schedule_version
    from cit.scheduling import booking_horizon

    desk = Client(HTTP_HOST="localhost")
    desk.force_login(world["desk"])
    admin = Client(HTTP_HOST="localhost")
    admin.force_login(world["admin"])
    plan = world["plan"]
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

    def fresh_worker() -> None:
        PROCESS_CACHE.clear()

    propose_url = f"/patients/{plan.patient_id}/bookings/plan/{plan.pk}/series/0/"
    cases: list[tuple[Any, ...]] = [
        ("/health (baseline)", get(desk, "/health")),
        ("proposal page, index cached", get(desk, propose_url)),
        ("proposal page, a booking changed", get(desk, propose_url), booking_changed),
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
        f"refreshed {PROCESS_CACHE.refreshes} times"
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
    loaded, served = _worker_rss()
    print(f"\nweb worker RSS: {loaded:.0f} MB with the app loaded, {served:.0f} MB after a request")


def _build(options: argparse.Namespace) -> dict[str, Any]:
    from django.db import transaction

    from cit.clinic.accounts.models import LicenceType, Provider, User
    from cit.clinic.appointments.models import Appointment, ResourceHold, SeriesBooking
    from cit.clinic.audit.models import AuditEvent
    from cit.clinic.facilities.models import Clinic, Device, OpeningHours, Room
    from cit.clinic.intake.actions import do_record_intake
    from cit.clinic.patients.matching import search_key
    from cit.clinic.patients.models import Patient
    from cit.clinic.plans.actions import do_accept_plan, propose_plan
    from cit.protocol.adjust import SeriesAdjustment

    rng = random.Random(options.seed)
    clinic = Clinic.objects.create(
        name="Scale Clinic", timezone="Europe/London", record_number_prefix="SC"
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(clinic=clinic, weekday=d, opens=datetime.time(8), closes=datetime.time(20))
        for d in range(7)
    )
    providers, rooms, pens = [], [], []
    for n in range(options.providers):
        user = User.objects.create_user(
            username=f"nurse{n}", role="registered_nurse", clinic=clinic, last_name=f"Nurse {n}"
        )
        providers.append(
            Provider.objects.create(
                user=user,
                clinic=clinic,
                licence_type=LicenceType.REGISTERED_NURSE,
                licence_number=f"RN-{n}",
                licence_expires_on=datetime.date(2035, 1, 1),
            )
        )
        rooms.append(Room.objects.create(clinic=clinic, name=f"Room {n + 1}"))
        pens.append(
            Device.objects.create(
                clinic=clinic,
                kind="pen",
                model="Pen",
                serial_number=f"PEN-{n}",
                max_depth_mm="3.0",
            )
        )
    # One spare room and pen, so the focus patient's series can still be placed.
    rooms.append(Room.objects.create(clinic=clinic, name="Spare room"))
    Device.objects.create(
        clinic=clinic, kind="pen", model="Pen", serial_number="PEN-SPARE", max_depth_mm="3.0"
    )
    desk = User.objects.create_user(username="desk", role="front_desk", clinic=clinic)
    admin = User.objects.create_user(username="admin", role="clinic_admin", clinic=clinic)
    physician = User.objects.create_user(username="doctor", role="physician", clinic=clinic)
    Provider.objects.create(
        user=physician,
        clinic=clinic,
        licence_type=LicenceType.MEDICAL,
        licence_number="MD-1",
        licence_expires_on=datetime.date(2035, 1, 1),
    )

    batch: list[Any] = []
    for n in range(options.patients):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        record = f"SC-{n + 1:06d}"
        phone = f"+44 7700 9{rng.randrange(100000):05d}"
        email = f"{given.lower()}.{n}@mail.example"
        batch.append(
            Patient(
                clinic=clinic,
                record_number=record,
                given_name=given,
                family_name=family,
                birth_date=datetime.date(1950, 1, 1)
                + datetime.timedelta(days=rng.randrange(365 * 55)),
                sex="female",
                email=email,
                phone=phone,
                search_key=search_key(given, family, record, email, phone),
            )
        )
        if len(batch) == 5000:
            Patient.objects.bulk_create(batch)
            batch = []
    Patient.objects.bulk_create(batch)
    patient_ids = list(Patient.objects.filter(clinic=clinic).values_list("pk", flat=True))

    focus = Patient.objects.get(pk=patient_ids[0])
    today = clinic.today()
    do_record_intake(
        actor=None,
        patient=focus,
        data={
            "birth_date": "1985-06-01",
            "goals": [{"indication": "acne_scars", "areas": ["cheeks"]}],
        },
        source="desk",
        today=today,
    )
    start_day = today + datetime.timedelta(days=1)
    intake, proposal = propose_plan(focus, start_day)
    plan = do_accept_plan(
        actor=physician,
        patient=focus,
        intake=intake,
        proposal=proposal,
        adjustments=[
            SeriesAdjustment(
                sessions=s["sessions"],
                interval_target_weeks=s["interval_weeks"]["target"],
                first_session=start_day,
            )
            for s in proposal["series"]
        ],
        today=today,
    )

    zone = clinic.tzinfo
    appointments = holds = 0
    with transaction.atomic():
        for day_offset in range(1, options.days + 1):
            day = today + datetime.timedelta(days=day_offset)
            rows: list[tuple[Appointment, list[ResourceHold]]] = []
            for index, provider in enumerate(providers):
                for hour in range(9, 17):
                    patient_id = rng.choice(patient_ids[1:])
                    start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
                    end = start + datetime.timedelta(hours=1)
                    series = SeriesBooking(
                        clinic=clinic,
                        patient_id=patient_id,
                        plan=plan,
                        series_index=0,
                        # One plan stands in for every load series; only treatment series
                        # are unique per plan.
                        kind="maintenance",
                        request={},
                    )
                    appointment = Appointment(
                        clinic=clinic,
                        patient_id=patient_id,
                        series=series,
                        number=1,
                        provider=provider,
                        room=rooms[index],
                        start=start,
                        end=end,
                    )
                    resources = [
                        ("provider", f"provider:{provider.pk}"),
                        ("room", f"room:{rooms[index].pk}"),
                        ("device", f"device:{pens[index].pk}"),
                        ("patient", f"patient:{patient_id}"),
                    ]
                    rows.append(
                        (
                            appointment,
                            [
                                ResourceHold(
                                    clinic=clinic, kind=k, resource=r, start=start, end=end
                                )
                                for k, r in resources
                            ],
                        )
                    )
            # A patient may be drawn twice in an hour: keep one visit per patient per hour.
            seen: set[tuple[int, datetime.datetime]] = set()
            kept = []
            for appointment, hold_rows in rows:
                key = (appointment.patient_id, appointment.start)
                if key not in seen:
                    seen.add(key)
                    kept.append((appointment, hold_rows))
            SeriesBooking.objects.bulk_create([a.series for a, _ in kept])
            for appointment, _ in kept:
                appointment.series_id = appointment.series.pk
            Appointment.objects.bulk_create([a for a, _ in kept])
            all_holds = []
            for appointment, hold_rows in kept:
                for hold in hold_rows:
                    hold.appointment_id = appointment.pk
                    all_holds.append(hold)
            ResourceHold.objects.bulk_create(all_holds)
            appointments += len(kept)
            holds += len(all_holds)
    events: list[AuditEvent] = []
    for n in range(options.audit_events):
        events.append(
            AuditEvent(
                clinic=clinic,
                action="view",
                object_type="patients.Patient",
                object_id=str(patient_ids[n % len(patient_ids)]),
                patient_id=patient_ids[n % len(patient_ids)],
            )
        )
        if len(events) == 10_000:
            AuditEvent.objects.bulk_create(events)
            events = []
    AuditEvent.objects.bulk_create(events)
    # Statistics as autovacuum would have them on a live database; without them the planner
    # takes the freshly filled tables for empty and scans them (the figures become noise).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "plan": plan,
        "desk": desk,
        "admin": admin,
        "appointments": appointments,
        "holds": holds,
    }


if __name__ == "__main__":
    main()
