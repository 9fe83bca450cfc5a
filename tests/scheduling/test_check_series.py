"""check_series, the independent oracle, catches each kind of broken schedule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from scheduling_support import (
    MONDAY,
    at,
    hold,
    make_clinic,
    make_provider,
    make_request,
    make_state,
)

from cit.scheduling import (
    BookedSession,
    Device,
    DeviceKind,
    DeviceUse,
    IntervalWindow,
    ResourceKind,
    TimeRange,
    ViolationCode,
    check_series,
)


def session(number: int, day: date, hhmm: str = "10:00", **changes: Any) -> BookedSession:
    start = at(day, hhmm)
    end = start + timedelta(minutes=90)
    base = BookedSession(
        number, start, end, "lic-a", "room-1", (DeviceUse("pen-1", DeviceKind.PEN, start, end),)
    )
    return replace(base, **changes)


REQUEST = make_request(sessions=2, interval=IntervalWindow(14, 28, 42))
GOOD = [session(1, MONDAY), session(2, MONDAY + timedelta(days=28))]


def codes(sessions: list[BookedSession], **kwargs: Any) -> set[ViolationCode]:
    state = kwargs.pop("state", make_state())
    request = kwargs.pop("request", REQUEST)
    return {v.code for v in check_series(sessions, request, state, **kwargs)}


def test_a_valid_series_passes() -> None:
    assert codes(GOOD) == set()


def test_interval_outside_the_window() -> None:
    assert ViolationCode.INTERVAL_OUT_OF_WINDOW in codes(
        [GOOD[0], session(2, MONDAY + timedelta(days=7))]
    )
    assert ViolationCode.INTERVAL_OUT_OF_WINDOW in codes(
        [GOOD[0], session(2, MONDAY + timedelta(days=43))]
    )


def test_opening_hours_and_closed_days() -> None:
    assert ViolationCode.OUTSIDE_OPENING_HOURS in codes([session(1, MONDAY, "17:00"), GOOD[1]])
    sunday = MONDAY + timedelta(days=6)
    assert ViolationCode.CLINIC_CLOSED in codes([session(1, sunday), GOOD[1]])
    holiday = make_state(clinic=make_clinic(closed=[MONDAY]))
    assert ViolationCode.CLINIC_CLOSED in codes(GOOD, state=holiday)


def test_working_hours_absences_licence_and_capabilities() -> None:
    part_time = make_state(providers=[make_provider("lic-a", hours="12:00-18:00")])
    assert ViolationCode.OUTSIDE_WORKING_HOURS in codes(GOOD, state=part_time)
    away = make_state(
        providers=[
            make_provider("lic-a", absences=[TimeRange(at(MONDAY, "00:00"), at(MONDAY, "23:00"))])
        ]
    )
    assert ViolationCode.PROVIDER_ABSENT in codes(GOOD, state=away)
    esthetician = make_state(providers=[make_provider("lic-a", licensed=False)])
    assert ViolationCode.NOT_LICENSED in codes(GOOD, state=esthetician)
    assert ViolationCode.MISSING_CAPABILITY in codes(
        GOOD, request=replace(REQUEST, provider_capabilities=frozenset({"scalp"}))
    )
    assert ViolationCode.MISSING_CAPABILITY in codes(
        GOOD, request=replace(REQUEST, room_capabilities=frozenset({"sink"}))
    )


def test_devices_must_match_the_needs_and_exist() -> None:
    no_pen = [replace(s, devices=()) for s in GOOD]
    assert ViolationCode.WRONG_DEVICES in codes(no_pen)
    prp = replace(REQUEST, needs_centrifuge=True)
    assert ViolationCode.WRONG_DEVICES in codes(GOOD, request=prp)
    state = make_state(
        devices=[Device("pen-1", DeviceKind.PEN), Device("spin", DeviceKind.CENTRIFUGE)]
    )
    with_spin = [
        replace(
            s,
            devices=s.devices
            + (
                DeviceUse(
                    "spin",
                    DeviceKind.CENTRIFUGE,
                    s.start + timedelta(minutes=25),
                    s.start + timedelta(minutes=40),
                ),
            ),
        )
        for s in GOOD
    ]
    assert codes(with_spin, request=prp, state=state) == set()


def test_double_booking_with_existing_holds_of_any_resource() -> None:
    start, end = GOOD[0].start, GOOD[0].end
    for kind, resource in [
        (ResourceKind.PROVIDER, "lic-a"),
        (ResourceKind.ROOM, "room-1"),
        (ResourceKind.DEVICE, "pen-1"),
        (ResourceKind.PATIENT, "patient-1"),
    ]:
        busy = [hold(kind, resource, start + timedelta(minutes=80), end + timedelta(hours=1), "x")]
        assert ViolationCode.DOUBLE_BOOKED in codes(GOOD, state=make_state(busy=busy)), kind
        # ... unless that booking is the one being replaced,
        assert codes(GOOD, state=make_state(busy=busy), ignore_appointment_ids={"x"}) == set()
        # ... and holds not yet in the state (another series of the same batch) count too.
        assert ViolationCode.DOUBLE_BOOKED in codes(GOOD, extra_busy=busy), kind


def test_sessions_of_one_series_cannot_overlap() -> None:
    request = make_request(sessions=2, interval=IntervalWindow(1, 1, 3))
    clash = [session(1, MONDAY), session(2, MONDAY, "10:30")]
    assert ViolationCode.SERIES_OVERLAP in codes(clash, request=request)


def test_numbering_start_window_length_and_the_past() -> None:
    assert ViolationCode.SESSION_NUMBERING in codes(GOOD[:1])
    assert codes(GOOD[:1], require_complete=False) == set()
    late = replace(
        REQUEST, latest_start=MONDAY - timedelta(days=1), earliest_start=MONDAY - timedelta(days=5)
    )
    assert ViolationCode.START_OUT_OF_WINDOW in codes(GOOD, request=late)
    short = [replace(GOOD[0], end=GOOD[0].start + timedelta(minutes=30)), GOOD[1]]
    assert ViolationCode.WRONG_LENGTH in codes(short)
    assert ViolationCode.IN_THE_PAST in codes(GOOD, not_before=at(MONDAY, "12:00"))
    assert ViolationCode.UNKNOWN_RESOURCE in codes([replace(GOOD[0], room_id="attic"), GOOD[1]])
