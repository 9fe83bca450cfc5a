"""Each hard rule, on its own, visibly shapes what find_series proposes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from scheduling_support import (
    MONDAY,
    assert_bookable,
    at,
    hold,
    make_clinic,
    make_provider,
    make_request,
    make_state,
)

from cit.scheduling import (
    ClinicState,
    Device,
    DeviceKind,
    ResourceKind,
    Room,
    ScheduleProposal,
    SeriesRequest,
    TimeRange,
    find_series,
)


def best(request: SeriesRequest, state: ClinicState, **kwargs: Any) -> ScheduleProposal:
    result = find_series(request, state, **kwargs)
    assert result.best is not None, result.failure
    for proposal in result.proposals:
        assert_bookable(proposal.sessions, request, state)
    return result.best


def first_start(request: SeriesRequest, state: ClinicState, **kwargs: Any) -> str:
    return best(request, state, **kwargs).sessions[0].start.strftime("%a %d %H:%M")


def test_the_first_free_slot_on_the_earliest_day_with_no_constraints() -> None:
    assert first_start(make_request(), make_state()) == "Mon 03 08:00"


def test_sessions_fit_inside_opening_hours() -> None:
    state = make_state(clinic=make_clinic(opening="10:00-11:30"))
    proposal = best(make_request(visit_minutes=90), state)
    for session in proposal.sessions:
        assert session.start.strftime("%H:%M") == "10:00"
        assert session.end.strftime("%H:%M") == "11:30"


def test_closed_dates_are_skipped() -> None:
    state = make_state(clinic=make_clinic(closed=[MONDAY]))
    assert first_start(make_request(), state) == "Tue 04 08:00"


def test_provider_working_hours_bound_the_visit() -> None:
    state = make_state(providers=[make_provider("lic-a", hours="13:00-18:00")])
    assert first_start(make_request(), state) == "Mon 03 13:00"


def test_absences_block_the_provider() -> None:
    away = TimeRange(at(MONDAY, "00:00"), at(MONDAY + timedelta(days=2), "12:00"))
    state = make_state(providers=[make_provider("lic-a", absences=[away])])
    assert first_start(make_request(), state) == "Wed 05 12:00"


def test_skin_breaking_depth_needs_a_licensed_provider() -> None:
    providers = [make_provider("esthetician", licensed=False), make_provider("nurse")]
    state = make_state(providers=providers)
    licensed = best(make_request(needs_licensed_provider=True), state)
    assert {s.provider_id for s in licensed.sessions} == {"nurse"}
    shallow = find_series(make_request(needs_licensed_provider=False), state)
    assert {p.lead_provider_id for p in shallow.proposals} >= {"esthetician"}


def test_provider_capabilities_are_required() -> None:
    providers = [make_provider("lic-a"), make_provider("lic-scalp", capabilities=["scalp"])]
    proposal = best(
        make_request(provider_capabilities=frozenset({"scalp"})), make_state(providers=providers)
    )
    assert {s.provider_id for s in proposal.sessions} == {"lic-scalp"}


def test_room_capabilities_are_required() -> None:
    rooms = [Room("plain"), Room("wet", frozenset({"sink"}))]
    proposal = best(make_request(room_capabilities=frozenset({"sink"})), make_state(rooms=rooms))
    assert {s.room_id for s in proposal.sessions} == {"wet"}


def test_busy_provider_room_device_or_patient_each_push_the_start() -> None:
    for kind, resource in [
        (ResourceKind.PROVIDER, "lic-a"),
        (ResourceKind.ROOM, "room-1"),
        (ResourceKind.DEVICE, "pen-1"),
        (ResourceKind.PATIENT, "patient-1"),
    ]:
        busy = [hold(kind, resource, at(MONDAY, "07:00"), at(MONDAY, "11:10"), "other")]
        assert first_start(make_request(), make_state(busy=busy)) == "Mon 03 11:15", kind


def test_another_free_room_or_device_is_used_instead_of_waiting() -> None:
    busy = [hold(ResourceKind.ROOM, "room-1", at(MONDAY, "07:00"), at(MONDAY, "12:00"))]
    state = make_state(rooms=[Room("room-1"), Room("room-2")], busy=busy)
    proposal = best(make_request(), state)
    assert proposal.sessions[0].room_id == "room-2"
    assert proposal.sessions[0].start == at(MONDAY, "08:00")


def test_prp_holds_the_centrifuge_only_during_the_spin() -> None:
    devices = [Device("pen-1", DeviceKind.PEN), Device("spin-1", DeviceKind.CENTRIFUGE)]
    request = make_request(needs_centrifuge=True, visit_minutes=100)
    # Busy before the spin would start: a visit at 08:00 spins 08:25-08:40, so it still fits.
    early = [hold(ResourceKind.DEVICE, "spin-1", at(MONDAY, "07:00"), at(MONDAY, "08:20"))]
    assert first_start(request, make_state(devices=devices, busy=early)) == "Mon 03 08:00"
    # Busy 08:20-08:45 overlaps the spins of 08:00 and 08:15 starts; 08:30 spins at 08:55.
    clash = [hold(ResourceKind.DEVICE, "spin-1", at(MONDAY, "08:20"), at(MONDAY, "08:45"))]
    proposal = best(request, make_state(devices=devices, busy=clash))
    first = proposal.sessions[0]
    assert first.start == at(MONDAY, "08:30")
    spin = next(use for use in first.devices if use.kind is DeviceKind.CENTRIFUGE)
    assert (spin.start, spin.end) == (at(MONDAY, "08:55"), at(MONDAY, "09:10"))


def test_no_session_is_proposed_before_now() -> None:
    assert (
        first_start(make_request(), make_state(), not_before=at(MONDAY, "11:07")) == "Mon 03 11:15"
    )
    # A clock past the earliest day moves the search to today.
    later = at(MONDAY + timedelta(days=3), "17:00")
    assert first_start(make_request(), make_state(), not_before=later) == "Fri 07 08:00"


def test_latest_start_bounds_the_first_session() -> None:
    busy = [
        hold(
            ResourceKind.PROVIDER,
            "lic-a",
            at(MONDAY, "00:00"),
            at(MONDAY + timedelta(days=2), "00:00"),
        )
    ]
    request = make_request(latest_start=MONDAY + timedelta(days=1))
    result = find_series(request, make_state(busy=busy))
    assert not result.found
    assert result.failure is not None


def test_every_interval_stays_inside_its_window_even_when_target_days_are_blocked() -> None:
    # The provider is away for the whole week around session 2's 28-day target.
    absences = [
        TimeRange(
            at(MONDAY + timedelta(days=25), "00:00"), at(MONDAY + timedelta(days=32), "00:00")
        )
    ]
    state = make_state(providers=[make_provider("lic-a", absences=absences)])
    # Pinned to start on Monday (else the search rightly shifts the start instead).
    proposal = best(make_request(latest_start=MONDAY), state)
    days = [s.start.date() for s in proposal.sessions]
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    assert all(14 <= gap <= 42 for gap in gaps)
    assert gaps[0] == 24  # the nearest free day to the target, before the week away
    assert gaps[1:] == [28, 28]
