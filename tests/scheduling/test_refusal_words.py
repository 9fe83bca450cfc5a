"""A move the core refuses names the provider and the room and gives the time on the
clinic's clock with its zone, never an internal id or a UTC timestamp."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from scheduling_support import (
    MONDAY,
    at,
    book,
    hold,
    make_provider,
    make_request,
    make_state,
    with_booked,
)

from cit.scheduling import IntervalWindow, ResourceKind, Room, SessionMoved, find_series, replan

REQUEST = make_request(sessions=3, interval=IntervalWindow(14, 28, 42))
NOW = at(MONDAY - timedelta(days=7), "09:00")
ANA = replace(make_provider("7"), name="Ana Silva (Physician)")
ROOM = Room("3", name="Treatment room 1")


def _moved_into(busy_kind: ResourceKind, busy_id: str) -> str:
    state = make_state(providers=[ANA], rooms=[ROOM])
    proposal = find_series(REQUEST, state).best
    assert proposal is not None
    series = book(proposal, REQUEST, "s1")
    # Session 2 lands near 31 Mar 2025; the day after is in British Summer Time (UTC+1).
    day = series.session(2).start.astimezone(at(MONDAY, "09:00").tzinfo).date() + timedelta(days=1)
    start = at(day, "10:00")
    taken = hold(busy_kind, busy_id, start, start + timedelta(minutes=90), "other-patient")
    state = with_booked(state, series).with_changes(add=[taken])
    result = replan([series], state, SessionMoved("s1", 2, start), now=NOW)
    assert result.rejected is not None
    local = f"{day:%a} {day.day} {day:%b %Y} 10:00–11:30 (Europe/London)"
    assert local in result.rejected
    assert "UTC" not in result.rejected
    assert "s1" not in result.rejected
    return result.rejected


def test_a_booked_provider_is_named_with_the_local_time() -> None:
    words = _moved_into(ResourceKind.PROVIDER, "7")
    assert "Ana Silva (Physician) is absent or already booked at" in words
    assert "provider 7" not in words


def test_a_taken_room_is_named_with_the_local_time() -> None:
    words = _moved_into(ResourceKind.ROOM, "3")
    assert "Treatment room 1 and every other suitable room or device is taken at" in words
    assert "room 3" not in words
