"""Booking a whole series: all sessions or none, one hold row per resource, clear refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from cit.clinic.accounts.models import Provider
from cit.clinic.appointments.booking import do_book_proposal, do_book_series
from cit.clinic.appointments.errors import BookingConflict, SchedulingRefused
from cit.clinic.appointments.models import Appointment, ResourceHold, SeriesBooking
from cit.clinic.appointments.proposals import propose_series
from cit.clinic.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_proposals_explain_their_score(
    booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any
) -> None:
    plan = make_plan(make_patient(booking_clinic))
    proposals = propose_series(plan=plan, series_index=0, now=timezone.now())
    assert proposals.result.found
    assert len(proposals.tokens) == len(proposals.result.proposals) >= 2
    best = proposals.result.best
    assert best is not None
    assert len(best.sessions) == 4
    assert all(isinstance(line, str) for line in best.score.explain())


def test_booking_writes_every_session_and_one_hold_per_resource(
    booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    patient = make_patient(booking_clinic)
    series = book(make_plan(patient))
    appointments = list(Appointment.objects.filter(series=series).order_by("number"))
    assert [a.number for a in appointments] == [1, 2, 3, 4]
    assert all(a.planned_session is not None for a in appointments)
    for appointment in appointments:
        kinds = sorted(appointment.holds.values_list("kind", flat=True))
        assert kinds == ["device", "patient", "provider", "room"]
        assert appointment.start.utcoffset() == timezone.timedelta(0)
    assert AuditEvent.objects.filter(patient=patient, action="create", object_id=str(series.pk))


def test_same_slot_twice_is_a_conflict_naming_the_resource(
    booking_clinic: Any, nurse: Any, desk: Any, make_patient: Any, make_plan: Any
) -> None:
    first = make_plan(make_patient(booking_clinic))
    second = make_plan(make_patient(booking_clinic, given_name="Grace"))
    token = propose_series(plan=first, series_index=0, now=timezone.now()).tokens[0]
    do_book_proposal(actor=desk, token=token, clinic=booking_clinic)
    chosen = propose_series(plan=first, series_index=0, now=timezone.now())
    # The second patient asks for exactly the first patient's times with the same provider.
    from cit.clinic.appointments.proposals import read_proposal

    taken = read_proposal(token, booking_clinic)
    other = propose_series(plan=second, series_index=0, now=timezone.now())
    request_for_second = read_proposal(other.tokens[0], booking_clinic).request
    holds_before = ResourceHold.objects.count()
    with pytest.raises(BookingConflict) as refused:
        do_book_series(
            actor=desk,
            plan=second,
            series_index=0,
            sessions=taken.sessions,
            request_for_series=request_for_second,
        )
    message = str(refused.value)
    assert "already booked" in message
    assert "Nothing was saved" in message
    assert "provider" in message or "room" in message or "pen" in message
    assert ResourceHold.objects.count() == holds_before
    assert SeriesBooking.objects.filter(patient=second.patient).count() == 0
    assert chosen.result.found


def test_a_taken_time_is_refused_before_the_rules_read_the_schedule(
    booking_clinic: Any,
    desk: Any,
    make_patient: Any,
    make_plan: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Many desks after one slot: every loser answers from one look at the holds, without
    taking the providers' locks to read the whole schedule in turn."""
    from cit.clinic.appointments import booking
    from cit.clinic.appointments.proposals import read_proposal

    first = make_plan(make_patient(booking_clinic))
    second = make_plan(make_patient(booking_clinic, given_name="Grace"))
    token = propose_series(plan=first, series_index=0, now=timezone.now()).tokens[0]
    do_book_proposal(actor=desk, token=token, clinic=booking_clinic)
    taken = read_proposal(token, booking_clinic)
    other = propose_series(plan=second, series_index=0, now=timezone.now())

    def must_not_run(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the schedule was read for a booking whose time is taken")

    monkeypatch.setattr(booking, "lock_providers", must_not_run)
    monkeypatch.setattr(booking, "build_state", must_not_run)
    with pytest.raises(BookingConflict, match="already booked"):
        do_book_series(
            actor=desk,
            plan=second,
            series_index=0,
            sessions=taken.sessions,
            request_for_series=read_proposal(other.tokens[0], booking_clinic).request,
        )


def test_the_same_plan_series_cannot_be_booked_twice(
    booking_clinic: Any, nurse: Any, desk: Any, make_patient: Any, make_plan: Any
) -> None:
    plan = make_plan(make_patient(booking_clinic))
    tokens = propose_series(plan=plan, series_index=0, now=timezone.now()).tokens
    do_book_proposal(actor=desk, token=tokens[0], clinic=booking_clinic)
    with pytest.raises(BookingConflict, match="already booked"):
        do_book_proposal(actor=desk, token=tokens[1], clinic=booking_clinic)
    assert SeriesBooking.objects.count() == 1


def test_forged_or_foreign_tokens_are_refused(
    booking_clinic: Any, other_clinic: Any, nurse: Any, desk: Any, make_patient: Any, make_plan: Any
) -> None:
    plan = make_plan(make_patient(booking_clinic))
    token = propose_series(plan=plan, series_index=0, now=timezone.now()).tokens[0]
    with pytest.raises(SchedulingRefused, match="not one CIT made"):
        do_book_proposal(actor=desk, token=token[:-3] + "abc", clinic=booking_clinic)
    with pytest.raises(SchedulingRefused, match="not in your clinic"):
        do_book_proposal(actor=desk, token=token, clinic=other_clinic)
    assert not Appointment.objects.exists()


def test_no_licensed_provider_explains_why(
    booking_clinic: Any, make_user: Any, make_patient: Any, make_plan: Any
) -> None:
    plan = make_plan(make_patient(booking_clinic))
    # Only an esthetician left to treat (the plan's author is archived).
    Provider.objects.update(archived_at=timezone.now())
    make_user("esthetician", booking_clinic)
    result = propose_series(plan=plan, series_index=0, now=timezone.now()).result
    assert not result.found
    assert result.failure is not None
    assert "licensed" in result.failure.message.lower()
