"""24 threads book overlapping series at the same moment: exactly one winner per slot, every
loser gets a conflict, and nothing half-written is left behind.

On PostgreSQL the exclusion constraint decides; on SQLite the serialised (IMMEDIATE)
transactions do. Both run here: the suite runs on whichever DATABASE_URL points at.
"""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.utils import timezone

from cit.clinic.appointments import holds
from cit.clinic.appointments.booking import do_book_series
from cit.clinic.appointments.errors import BookingConflict
from cit.clinic.appointments.models import Appointment, ResourceHold, SeriesBooking
from cit.clinic.appointments.proposals import propose_series, read_proposal
from cit.scheduling import BookedSession

GROUPS = 3
THREADS_PER_GROUP = 8


def _shifted(sessions: tuple[BookedSession, ...], hours: int) -> tuple[BookedSession, ...]:
    delta = datetime.timedelta(hours=hours)
    return tuple(
        BookedSession(
            number=s.number,
            start=s.start + delta,
            end=s.end + delta,
            provider_id=s.provider_id,
            room_id=s.room_id,
            devices=tuple(
                type(use)(use.device_id, use.kind, use.start + delta, use.end + delta)
                for use in s.devices
            ),
        )
        for s in sessions
    )


@pytest.mark.django_db(transaction=True)
def test_one_winner_per_slot_and_no_orphans(
    booking_clinic: Any, nurse: Any, desk: Any, make_patient: Any, make_plan: Any
) -> None:
    _race(booking_clinic, desk, make_patient, make_plan)


@pytest.mark.django_db(transaction=True)
def test_the_database_alone_refuses_double_booking_on_postgresql(
    booking_clinic: Any,
    nurse: Any,
    desk: Any,
    make_patient: Any,
    make_plan: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the courtesy overlap query, the exclusion constraint still lets one win."""
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    monkeypatch.setattr(holds, "find_conflict", lambda clinic, holds: None)
    _race(booking_clinic, desk, make_patient, make_plan)


def _race(booking_clinic: Any, desk: Any, make_patient: Any, make_plan: Any) -> None:
    plans = [
        make_plan(make_patient(booking_clinic, given_name=f"P{n}", email=f"p{n}@example.com"))
        for n in range(GROUPS * THREADS_PER_GROUP)
    ]
    best = read_proposal(
        propose_series(plan=plans[0], series_index=0, now=timezone.now()).tokens[0], booking_clinic
    )
    assert best.sessions[0].start.astimezone(booking_clinic.tzinfo).hour == 9
    # Three disjoint slot sets (09:00, 12:00, 15:00 local); eight patients race for each.
    slot_sets = [_shifted(best.sessions, 3 * group) for group in range(GROUPS)]
    barrier = threading.Barrier(len(plans))
    outcomes: dict[int, str] = {}

    def attempt(index: int) -> None:
        plan = plans[index]
        try:
            request_for_series = read_proposal(
                propose_series(plan=plan, series_index=0, now=timezone.now()).tokens[0],
                booking_clinic,
            ).request
            barrier.wait(timeout=30)
            do_book_series(
                actor=desk,
                plan=plan,
                series_index=0,
                sessions=slot_sets[index % GROUPS],
                request_for_series=request_for_series,
            )
            outcomes[index] = "booked"
        except BookingConflict:
            outcomes[index] = "conflict"
        except Exception as error:  # reported below, never swallowed
            outcomes[index] = f"error: {error!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(plans))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == len(plans), "a thread did not finish"
    errors = [o for o in outcomes.values() if o.startswith("error")]
    assert not errors, errors
    for group in range(GROUPS):
        results = [outcomes[i] for i in range(len(plans)) if i % GROUPS == group]
        assert results.count("booked") == 1, (group, results)
        assert results.count("conflict") == THREADS_PER_GROUP - 1

    # No orphans: three whole series, four sessions each, four holds per session.
    assert SeriesBooking.objects.count() == GROUPS
    sessions = SeriesBooking.objects.annotate(n=Count("appointments")).values_list("n", flat=True)
    assert sorted(sessions) == [4] * GROUPS
    assert Appointment.objects.count() == 4 * GROUPS
    holds = Appointment.objects.annotate(n=Count("holds")).values_list("n", flat=True)
    assert set(holds) == {4}
    assert ResourceHold.objects.filter(appointment__isnull=True).count() == 0
    # And no resource is held twice at once.
    active = list(ResourceHold.objects.filter(active=True).order_by("resource", "start"))
    for earlier, later in zip(active, active[1:], strict=False):
        if earlier.resource == later.resource:
            assert earlier.end <= later.start, (earlier, later)
