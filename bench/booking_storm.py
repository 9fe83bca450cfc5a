"""The booking storm: many front-desk clients book overlapping series at the same moment.

Run: ``.venv/bin/python bench/booking_storm.py [--clients 200] [--threads 40]`` (SQLite in a
fresh temporary folder; set ``DATABASE_URL`` to an empty PostgreSQL database to run there).

Builds a clinic with two nurses, two rooms and two pens, and ``--clients`` patients each with
an accepted four-session plan (made by the intake → plan → accept actions). Every client
asks for its patient's proposals before anyone books, so they all want the same few slots;
then all book at once (``do_book_proposal``, the page's and API's path) from ``--threads``
threads released together. Prints: winners, clean conflicts (409), rule refusals (422),
other errors (what would be 5xx), double-bookings (overlapping active holds on one resource),
orphans (series without appointments, appointments without holds) and the time taken
(median and worst per booking, and the whole storm).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

GOALS = [{"indication": "acne_scars", "areas": ["cheeks"]}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--threads", type=int, default=40)
    options = parser.parse_args()

    os.environ.setdefault("CIT_DATA_DIR", tempfile.mkdtemp(prefix="cit-storm-"))
    os.environ.setdefault("ALLOW_CONSOLE_BACKENDS", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cit.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    clinic, desk, tokens = _build(options.clients)
    print(
        f"database: {connection.vendor}; {options.clients} clients with proposals "
        f"built in {time.perf_counter() - started:.0f} s"
    )
    outcomes, durations, wall = _storm(clinic, desk, tokens, options.threads)
    double, orphans = _audit(clinic)
    print(f"storm: {options.clients} clients on {options.threads} threads, {wall:.1f} s in all")
    for name in ("booked", "conflict (409)", "refused (422)", "error (5xx)"):
        print(f"  {name:16} {outcomes.get(name, 0)}")
    print(f"  double-bookings  {double}")
    print(f"  orphan rows      {orphans}")
    print(
        f"  per booking      median {statistics.median(durations):.2f} s, "
        f"worst {max(durations):.2f} s"
    )


def _build(clients: int) -> tuple[Any, Any, list[str]]:
    from django.utils import timezone

    from cit.clinic.accounts.models import LicenceType, Provider, User
    from cit.clinic.appointments.proposals import propose_series
    from cit.clinic.facilities.models import Clinic, Device, OpeningHours, Room
    from cit.clinic.intake.actions import do_record_intake
    from cit.clinic.patients.actions import do_register_patient
    from cit.clinic.plans.actions import do_accept_plan, propose_plan
    from cit.protocol.adjust import SeriesAdjustment

    clinic = Clinic.objects.create(name="Storm Clinic", timezone="Europe/London")
    for weekday in range(7):
        OpeningHours.objects.create(
            clinic=clinic, weekday=weekday, opens=datetime.time(9), closes=datetime.time(18)
        )
    for n in (1, 2):
        Room.objects.create(clinic=clinic, name=f"Room {n}")
        Device.objects.create(
            clinic=clinic, kind="pen", model="Pen", serial_number=f"PEN-{n}", max_depth_mm="3.0"
        )
        user = User.objects.create_user(
            username=f"nurse{n}", role="registered_nurse", clinic=clinic
        )
        Provider.objects.create(
            user=user,
            clinic=clinic,
            licence_type=LicenceType.REGISTERED_NURSE,
            licence_number=f"RN-{n}",
            licence_expires_on=datetime.date(2035, 1, 1),
        )
    physician = User.objects.create_user(username="doctor", role="physician", clinic=clinic)
    desk = User.objects.create_user(username="desk", role="front_desk", clinic=clinic)
    today = clinic.today()
    first = today + datetime.timedelta(days=7)
    tokens = []
    for n in range(clients):
        patient = do_register_patient(
            actor=None,
            clinic=clinic,
            given_name="Client",
            family_name=f"Number {n}",
            birth_date=datetime.date(1985, 1, 1) + datetime.timedelta(days=n),
            sex="female",
        )
        do_record_intake(
            actor=None,
            patient=patient,
            data={"birth_date": patient.birth_date.isoformat(), "goals": GOALS},
            source="desk",
            today=today,
        )
        intake, proposal = propose_plan(patient, first)
        plan = do_accept_plan(
            actor=physician,
            patient=patient,
            intake=intake,
            proposal=proposal,
            adjustments=[
                SeriesAdjustment(
                    sessions=4 if index == 0 else series["sessions"],
                    interval_target_weeks=4 if index == 0 else series["interval_weeks"]["target"],
                    first_session=first,
                )
                for index, series in enumerate(proposal["series"])
            ],
            today=today,
        )
        # Everyone asks before anyone books: they all want the same best slots.
        proposals = propose_series(plan=plan, series_index=0, now=timezone.now())
        tokens.append(proposals.tokens[0])
    return clinic, desk, tokens


def _storm(
    clinic: Any, desk: Any, tokens: list[str], threads: int
) -> tuple[Counter[str], list[float], float]:
    from django.db import connections

    from cit.clinic.appointments.booking import do_book_proposal
    from cit.clinic.appointments.errors import BookingConflict, SchedulingRefused

    gate = threading.Barrier(min(threads, len(tokens)))
    outcomes: Counter[str] = Counter()
    durations: list[float] = []
    lock = threading.Lock()

    def book(index: int) -> None:
        if index < gate.parties:
            gate.wait()
        began = time.perf_counter()
        try:
            do_book_proposal(actor=desk, token=tokens[index], clinic=clinic)
            outcome = "booked"
        except BookingConflict:
            outcome = "conflict (409)"
        except SchedulingRefused:
            outcome = "refused (422)"
        except Exception as error:  # what a view would turn into a 500
            outcome = "error (5xx)"
            print(f"  error: {type(error).__name__}: {error}")
        finally:
            connections.close_all()
        with lock:
            outcomes[outcome] += 1
            durations.append(time.perf_counter() - began)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(book, range(len(tokens))))
    return outcomes, durations, time.perf_counter() - began


def _audit(clinic: Any) -> tuple[int, int]:
    """Overlapping active holds on one resource, and rows a failed booking left behind."""
    from cit.clinic.appointments.models import Appointment, ResourceHold, SeriesBooking

    double = 0
    by_resource: dict[str, list[tuple[datetime.datetime, datetime.datetime]]] = {}
    for resource, start, end in ResourceHold.objects.filter(clinic=clinic, active=True).values_list(
        "resource", "start", "end"
    ):
        by_resource.setdefault(resource, []).append((start, end))
    for spans in by_resource.values():
        spans.sort()
        double += sum(1 for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1])
    orphans = (
        SeriesBooking.objects.filter(clinic=clinic, appointments__isnull=True).count()
        + Appointment.objects.filter(clinic=clinic, holds__isnull=True).count()
    )
    return double, orphans


if __name__ == "__main__":
    main()
