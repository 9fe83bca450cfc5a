"""Generate a busy clinic for the benchmarks, through the project's models (bulk where possible).

Run: ``.venv/bin/python bench/generate.py --patients 100000 [--providers 8] [--days 120]
[--audit-events 200000]`` with ``DATABASE_URL`` set to an empty PostgreSQL database (without
it, SQLite in a fresh temporary folder, printed). The database keeps the clinic, so that
``bench/clinic_scale.py --reuse`` and ``bench/load.py`` measure the same rows again without
rebuilding them: copy it with ``createdb -T <database> <copy>`` before a run that writes.

Builds one clinic ("Scale Clinic") with ``--patients`` patients (search keys and search words
as the app writes them), every provider booked back to back 09:00-17:00 for ``--days`` days
(one-hour visits, each holding provider, room, pen and patient rows as a booking does),
``--audit-events`` audit events, and one patient with a real accepted plan made by the intake
-> plan -> accept actions. The users ``desk`` (front desk), ``admin`` (clinic admin) and ``doctor``
(physician) sign in with the password ``bench-password``.
"""

from __future__ import annotations

import argparse
import datetime
import random
import time
from typing import Any

from django_bench import start_cit

CLINIC_NAME = "Scale Clinic"
PASSWORD = "bench-password"

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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--providers", type=int, default=8)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--audit-events", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20_261_126)


def world() -> dict[str, Any] | None:
    """The generated clinic's focus plan and users, or None when none was generated."""
    from cit.clinic.accounts.models import User
    from cit.clinic.appointments.models import Appointment, ResourceHold
    from cit.clinic.facilities.models import Clinic
    from cit.clinic.plans.models import TreatmentPlanRecord

    clinic = Clinic.objects.filter(name=CLINIC_NAME).first()
    if clinic is None:
        return None
    return {
        "plan": TreatmentPlanRecord.objects.filter(patient__clinic=clinic).order_by("pk").first(),
        "desk": User.objects.get(username="desk"),
        "admin": User.objects.get(username="admin"),
        "appointments": Appointment.objects.filter(clinic=clinic).count(),
        "holds": ResourceHold.objects.filter(clinic=clinic).count(),
    }


def add_reuse_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the clinic bench/generate.py left in DATABASE_URL instead of building one",
    )


def generated_clinic(options: argparse.Namespace) -> dict[str, Any]:
    """With ``--reuse``, the clinic an earlier run left in ``DATABASE_URL``; else one built
    now."""
    found = world() if options.reuse else None
    if options.reuse and found is None:
        raise SystemExit("--reuse: no generated clinic in this database; run bench/generate.py")
    return found if found is not None else generate(options)


def generate(options: argparse.Namespace) -> dict[str, Any]:
    """Build the clinic, printing what was made and how long it took."""
    built = time.perf_counter()
    made = build(options)
    print(
        f"built {options.patients:,} patients, {made['appointments']:,} appointments "
        f"({made['holds']:,} holds), {options.audit_events:,} audit events "
        f"in {time.perf_counter() - built:.0f} s"
    )
    return made


def build(options: argparse.Namespace) -> dict[str, Any]:
    from django.db import transaction

    from cit.clinic.accounts.models import LicenceType, Provider, User
    from cit.clinic.appointments.models import Appointment, ResourceHold, SeriesBooking
    from cit.clinic.audit.models import AuditEvent
    from cit.clinic.facilities.models import Clinic, Device, OpeningHours, Room
    from cit.clinic.intake.actions import do_record_intake
    from cit.clinic.patients.matching import search_key
    from cit.clinic.patients.models import Patient, write_search_words
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
    desk = User.objects.create_user(
        username="desk", role="front_desk", clinic=clinic, password=PASSWORD
    )
    admin = User.objects.create_user(
        username="admin", role="clinic_admin", clinic=clinic, password=PASSWORD
    )
    physician = User.objects.create_user(
        username="doctor", role="physician", clinic=clinic, password=PASSWORD
    )
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
            write_search_words(Patient.objects.bulk_create(batch))
            batch = []
    write_search_words(Patient.objects.bulk_create(batch))
    patient_ids = list(
        Patient.objects.filter(clinic=clinic).order_by("pk").values_list("pk", flat=True)
    )
    # bulk_create skips Patient.save, which keeps the clinic's count.
    Clinic.objects.filter(pk=clinic.pk).update(active_patients=len(patient_ids))

    today = clinic.today()
    start_day = today + datetime.timedelta(days=1)

    def accepted_plan(patient: Patient) -> Any:
        do_record_intake(
            actor=None,
            patient=patient,
            data={
                "birth_date": "1985-06-01",
                "goals": [{"indication": "acne_scars", "areas": ["cheeks"]}],
            },
            source="desk",
            today=today,
        )
        intake, proposal = propose_plan(patient, start_day)
        return do_accept_plan(
            actor=physician,
            patient=patient,
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

    # The focus patient's plan (made first: world() finds it so) is not booked yet; the load
    # series hang off another patient's plan, so the desk sees the focus series to propose.
    plan = accepted_plan(Patient.objects.get(pk=patient_ids[0]))
    load_plan = accepted_plan(Patient.objects.get(pk=patient_ids[1]))

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
                        plan=load_plan,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    options = parser.parse_args()
    start_cit("cit-generate-")
    if world() is not None:
        raise SystemExit(f"{CLINIC_NAME} is already in this database: use a new one.")
    generate(options)


if __name__ == "__main__":
    main()
