"""When nothing fits, find_series says why in words the front desk can act on."""

from __future__ import annotations

from datetime import timedelta

from scheduling_support import MONDAY, at, hold, make_provider, make_request, make_state

from cit.scheduling import (
    Device,
    DeviceKind,
    FailureCode,
    ResourceKind,
    Room,
    SchedulingFailure,
    SeriesSearchResult,
    TimeRange,
    find_series,
)


def failure(result: SeriesSearchResult) -> SchedulingFailure:
    assert not result.found
    assert result.proposals == ()
    assert result.failure is not None
    return result.failure


def test_no_licensed_provider_for_a_skin_breaking_depth() -> None:
    state = make_state(providers=[make_provider("esthetician", licensed=False)])
    reason = failure(find_series(make_request(needs_licensed_provider=True), state))
    assert reason.code is FailureCode.NO_ELIGIBLE_PROVIDER
    assert "licensed" in reason.message


def test_no_provider_with_the_capability() -> None:
    reason = failure(
        find_series(make_request(provider_capabilities=frozenset({"scalp"})), make_state())
    )
    assert reason.code is FailureCode.NO_ELIGIBLE_PROVIDER
    assert "scalp" in reason.message


def test_no_centrifuge_for_prp() -> None:
    reason = failure(find_series(make_request(needs_centrifuge=True), make_state()))
    assert reason.code is FailureCode.NO_DEVICE
    assert "centrifuge" in reason.message
    assert "PRP" in reason.message


def test_no_suitable_room() -> None:
    state = make_state(rooms=[Room("plain")])
    reason = failure(find_series(make_request(room_capabilities=frozenset({"sink"})), state))
    assert reason.code is FailureCode.NO_SUITABLE_ROOM


def test_a_visit_longer_than_any_working_stretch() -> None:
    state = make_state(providers=[make_provider("lic-a", hours="09:00-10:00")])
    reason = failure(find_series(make_request(visit_minutes=90), state))
    assert reason.code is FailureCode.VISIT_TOO_LONG
    assert "60 minutes" in reason.message


def test_no_provider_works_when_the_clinic_is_open() -> None:
    state = make_state(providers=[make_provider("lic-a", days=[6])])
    reason = failure(find_series(make_request(), state))
    assert reason.code is FailureCode.NO_SHARED_HOURS


def test_fully_booked_first_session_window() -> None:
    week = [
        hold(
            ResourceKind.PROVIDER,
            "lic-a",
            at(MONDAY, "00:00"),
            at(MONDAY + timedelta(days=8), "00:00"),
        )
    ]
    request = make_request(latest_start=MONDAY + timedelta(days=6))
    reason = failure(find_series(request, make_state(busy=week)))
    assert reason.code is FailureCode.NO_FIRST_SESSION_SLOT
    assert "fully booked" in reason.message
    assert any("clinic closed: 1 day" in detail for detail in reason.details)  # the Sunday


def test_absent_providers_are_named_as_the_reason() -> None:
    away = TimeRange(at(MONDAY, "00:00"), at(MONDAY + timedelta(days=14), "00:00"))
    state = make_state(providers=[make_provider("lic-a", absences=[away])])
    reason = failure(find_series(make_request(latest_start=MONDAY + timedelta(days=6)), state))
    assert reason.code is FailureCode.NO_FIRST_SESSION_SLOT
    assert "absent" in reason.message


def test_no_room_or_device_free() -> None:
    busy = [
        hold(
            ResourceKind.DEVICE,
            "pen-1",
            at(MONDAY, "00:00"),
            at(MONDAY + timedelta(days=1), "00:00"),
        )
    ]
    request = make_request(latest_start=MONDAY)
    reason = failure(
        find_series(request, make_state(busy=busy, devices=[Device("pen-1", DeviceKind.PEN)]))
    )
    assert "no suitable room or device free" in reason.message


def test_a_series_that_cannot_be_completed_names_the_session() -> None:
    # Free on Monday only; then away for three months, longer than any interval allows.
    away = TimeRange(
        at(MONDAY + timedelta(days=1), "00:00"), at(MONDAY + timedelta(days=100), "00:00")
    )
    state = make_state(providers=[make_provider("lic-a", absences=[away])])
    reason = failure(find_series(make_request(latest_start=MONDAY), state))
    assert reason.code is FailureCode.SERIES_DOES_NOT_FIT
    assert "session 2" in reason.message
    assert "14-42 days after session 1" in reason.message


def test_a_latest_start_already_passed() -> None:
    request = make_request(latest_start=MONDAY + timedelta(days=1))
    reason = failure(
        find_series(request, make_state(), not_before=at(MONDAY + timedelta(days=5), "09:00"))
    )
    assert reason.code is FailureCode.NO_FIRST_SESSION_SLOT
    assert "already passed" in reason.message
