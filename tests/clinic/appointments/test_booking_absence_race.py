"""A booking and an absence of the same provider at the same moment: the booking checks its
rules under the provider's lock, and recording an absence takes that lock, so either the
absence is seen and stops the booking, or the booking is seen and the absence re-plans it.
Never a session booked inside an absence.

Each test holds one action inside its transaction while the other starts; the pause only
makes the race likely (without the lock it would be lost), the outcome does not depend on it.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from cit.clinic.accounts.models import Provider
from cit.clinic.appointments import absences, booking
from cit.clinic.appointments.absences import do_record_absence
from cit.clinic.appointments.booking import do_book_series
from cit.clinic.appointments.errors import SchedulingRefused
from cit.clinic.appointments.models import Appointment, ProviderAbsence, SeriesBooking
from cit.clinic.appointments.proposals import propose_series, read_proposal

PAUSE_SECONDS = 0.5


def _in_thread(work: Callable[[], Any], outcome: dict[str, Any], name: str) -> threading.Thread:
    def run() -> None:
        try:
            outcome[name] = work()
        except Exception as error:  # the test reads it
            outcome[name] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _proposal(booking_clinic: Any, make_patient: Any, make_plan: Any) -> tuple[Any, Any]:
    plan = make_plan(make_patient(booking_clinic))
    token = propose_series(plan=plan, series_index=0, now=timezone.now()).tokens[0]
    return plan, read_proposal(token, booking_clinic)


def _day_of(start: datetime.datetime, zone: Any) -> tuple[datetime.datetime, datetime.datetime]:
    day = start.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return day, day + datetime.timedelta(days=1)


@pytest.mark.django_db(transaction=True)
def test_an_absence_recorded_while_booking_stops_the_booking(
    booking_clinic: Any,
    nurse: Any,
    desk: Any,
    make_patient: Any,
    make_plan: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan, chosen = _proposal(booking_clinic, make_patient, make_plan)
    first = chosen.sessions[0]
    provider = Provider.objects.get(pk=int(first.provider_id))
    away_from, away_to = _day_of(first.start, booking_clinic.tzinfo)
    absence_locked, booking_started = threading.Event(), threading.Event()
    series_hit_by = absences._series_hit_by

    def absence_holding_its_lock(absence: Any, now: Any) -> list[int]:
        absence_locked.set()
        booking_started.wait(timeout=30)
        time.sleep(PAUSE_SECONDS)  # the booking now checks (or waits to check) its rules
        return series_hit_by(absence, now)

    monkeypatch.setattr(absences, "_series_hit_by", absence_holding_its_lock)
    outcome: dict[str, Any] = {}
    absence_thread = _in_thread(
        lambda: do_record_absence(actor=desk, provider=provider, start=away_from, end=away_to),
        outcome,
        "absence",
    )
    assert absence_locked.wait(timeout=30)

    def book() -> Any:
        booking_started.set()
        return do_book_series(
            actor=desk,
            plan=plan,
            series_index=0,
            sessions=chosen.sessions,
            request_for_series=chosen.request,
        )

    booking_thread = _in_thread(book, outcome, "booking")
    absence_thread.join(timeout=60)
    booking_thread.join(timeout=60)

    assert isinstance(outcome["absence"], ProviderAbsence)
    assert isinstance(outcome["booking"], SchedulingRefused), outcome["booking"]
    assert "is absent at" in str(outcome["booking"])
    assert not SeriesBooking.objects.filter(plan=plan).exists()


@pytest.mark.django_db(transaction=True)
def test_a_booking_made_while_an_absence_is_recorded_is_re_planned(
    booking_clinic: Any,
    nurse: Any,
    desk: Any,
    make_user: Any,
    make_patient: Any,
    make_plan: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_user("registered_nurse", booking_clinic)  # a colleague to take the session over
    plan, chosen = _proposal(booking_clinic, make_patient, make_plan)
    first = chosen.sessions[0]
    provider = Provider.objects.get(pk=int(first.provider_id))
    away_from, away_to = _day_of(first.start, booking_clinic.tzinfo)
    booking_checked, absence_started = threading.Event(), threading.Event()
    rule_violations = booking._rule_violations

    def booking_holding_its_lock(*args: Any, **kwargs: Any) -> list[str]:
        problems = rule_violations(*args, **kwargs)
        booking_checked.set()
        absence_started.wait(timeout=30)
        time.sleep(PAUSE_SECONDS)  # the absence now looks (or waits to look) for bookings
        return problems

    monkeypatch.setattr(booking, "_rule_violations", booking_holding_its_lock)
    outcome: dict[str, Any] = {}
    booking_thread = _in_thread(
        lambda: do_book_series(
            actor=desk,
            plan=plan,
            series_index=0,
            sessions=chosen.sessions,
            request_for_series=chosen.request,
        ),
        outcome,
        "booking",
    )
    assert booking_checked.wait(timeout=30)

    def record() -> Any:
        absence_started.set()
        return do_record_absence(actor=desk, provider=provider, start=away_from, end=away_to)

    absence_thread = _in_thread(record, outcome, "absence")
    booking_thread.join(timeout=60)
    absence_thread.join(timeout=60)

    assert isinstance(outcome["booking"], SeriesBooking), outcome["booking"]
    absence = outcome["absence"]
    assert isinstance(absence, ProviderAbsence), absence
    assert absence.replan_status == "done", absence.replan
    assert absence.replan["series"] == 1
    session = Appointment.objects.get(series=outcome["booking"], number=1)
    inside_absence = session.provider_id == provider.pk and away_from <= session.start < away_to
    assert not inside_absence
