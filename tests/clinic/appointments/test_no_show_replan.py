"""After a no-show the rest of the series is re-planned inside its interval windows: the
booked sessions get new times and the missed treatment is booked as a make-up session."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cit.clinic.appointments.errors import SchedulingRefused
from cit.clinic.appointments.models import Appointment, ResourceHold
from cit.clinic.appointments.noshow import do_replan_after_no_show, propose_after_no_show
from cit.clinic.appointments.visits import do_complete_visit, do_mark_no_show, do_start_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    return book(make_plan(make_patient(booking_clinic), sessions=4, weeks=4))


def test_rest_of_series_replanned_within_the_windows(series: Any, desk: Any, nurse: Any) -> None:
    one, two, three, four = Appointment.objects.filter(series=series).order_by("number")
    do_start_visit(actor=nurse, appointment=one, now=one.start)
    do_complete_visit(actor=nurse, appointment=one, now=one.end)
    missed_at = two.start + datetime.timedelta(minutes=20)
    do_mark_no_show(actor=desk, appointment=two, now=missed_at)

    proposals = propose_after_no_show(actor=desk, appointment=two, now=missed_at)
    assert proposals.result.found, proposals.result.failure
    assert [a.pk for a in proposals.rest] == [three.pk, four.pk]
    changed = do_replan_after_no_show(
        actor=desk, token=proposals.tokens[0], clinic=series.clinic, now=missed_at
    )
    assert [a.pk for a in changed][:2] == [three.pk, four.pk]
    make_up = changed[-1]
    assert make_up.number == 5
    assert make_up.status == "booked"

    window = series.request["interval"]
    zone = series.clinic.tzinfo
    kept = list(
        Appointment.objects.filter(series=series, status__in=["completed", "booked"]).order_by(
            "start"
        )
    )
    assert [a.number for a in kept] == [1, 3, 4, 5]
    days = [a.start.astimezone(zone).date() for a in kept]
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    assert all(window["min_days"] <= gap <= window["max_days"] for gap in gaps), gaps
    assert all(a.start > missed_at for a in kept[1:])
    for appointment in kept[1:]:
        holds = ResourceHold.objects.filter(appointment=appointment, active=True)
        assert {h.start for h in holds} >= {appointment.start}


def test_a_stale_proposal_is_refused(series: Any, desk: Any) -> None:
    from cit.clinic.appointments.moves import do_cancel_session

    _one, two, three, four = Appointment.objects.filter(series=series).order_by("number")
    missed_at = two.start + datetime.timedelta(minutes=20)
    do_mark_no_show(actor=desk, appointment=two, now=missed_at)
    proposals = propose_after_no_show(actor=desk, appointment=two, now=missed_at)
    do_cancel_session(actor=desk, appointment=four, now=missed_at)
    with pytest.raises(SchedulingRefused, match="changed"):
        do_replan_after_no_show(
            actor=desk, token=proposals.tokens[0], clinic=series.clinic, now=missed_at
        )
    three.refresh_from_db()
    assert three.sequence == 0


def test_only_a_no_show_is_replanned_this_way(series: Any, desk: Any) -> None:
    two = Appointment.objects.get(series=series, number=2)
    with pytest.raises(SchedulingRefused, match="no-show"):
        propose_after_no_show(actor=desk, appointment=two)
    with pytest.raises(SchedulingRefused, match="not one CIT made"):
        do_replan_after_no_show(actor=desk, token="forged", clinic=series.clinic)
