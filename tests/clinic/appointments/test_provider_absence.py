"""A provider's absence re-plans the sessions it hits: greedily at once for a few series,
clinic-wide with CP-SAT in a background task for many; running the task twice is harmless."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cit.clinic.appointments.absences import do_record_absence, replan_for_absence
from cit.clinic.appointments.models import Appointment, ProviderAbsence

pytestmark = pytest.mark.django_db


def _absence_over(appointment: Appointment) -> tuple[datetime.datetime, datetime.datetime]:
    day = appointment.start.astimezone(appointment.clinic.tzinfo).replace(hour=0, minute=0)
    return day, day + datetime.timedelta(days=1)


def test_a_few_series_are_re_planned_at_once(
    booking_clinic: Any, nurse: Any, desk: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    series = book(make_plan(make_patient(booking_clinic)))
    second = Appointment.objects.get(series=series, number=2)
    start, end = _absence_over(second)
    absence = do_record_absence(actor=desk, provider=second.provider, start=start, end=end)
    assert absence.replan_status == "done", absence.replan
    second.refresh_from_db()
    assert second.status == "booked"
    moved_away = second.provider_id != absence.provider_id or not (start <= second.start < end)
    assert moved_away
    assert absence.replan["moved"] >= 1
    assert absence.replan["method"] == "greedy"


def test_many_series_go_to_the_background_solver(
    booking_clinic: Any,
    nurse: Any,
    desk: Any,
    make_patient: Any,
    make_plan: Any,
    book: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.REPLAN_INLINE_MAX_SERIES = 0
    settings.REPLAN_TIME_LIMIT_SECONDS = 5
    series = book(make_plan(make_patient(booking_clinic)))
    first = Appointment.objects.get(series=series, number=1)
    start, end = _absence_over(first)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        absence = do_record_absence(actor=desk, provider=first.provider, start=start, end=end)
    assert absence.replan_status == "pending"
    assert len(callbacks) == 1
    summary = replan_for_absence(absence.pk, optimise=True)
    assert summary["method"] == "cp-sat"
    assert summary["objective"] is not None
    assert summary["bound"] is not None
    assert summary["bound"] <= summary["objective"]
    first.refresh_from_db()
    assert first.provider_id != absence.provider_id or not (start <= first.start < end)
    # A second run (worker restart, duplicate task) changes nothing.
    starts = list(Appointment.objects.order_by("pk").values_list("start", "provider_id"))
    assert replan_for_absence(absence.pk, optimise=True) == summary
    assert list(Appointment.objects.order_by("pk").values_list("start", "provider_id")) == starts
    assert ProviderAbsence.objects.get(pk=absence.pk).replan_status == "done"


def test_an_absence_hitting_nothing_says_so(booking_clinic: Any, nurse: Any, desk: Any) -> None:
    start = datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC)
    absence = do_record_absence(
        actor=desk, provider=nurse.provider, start=start, end=start + datetime.timedelta(days=2)
    )
    assert absence.replan_status == "nothing"
