"""Daylight-saving changes: wall-clock times are kept, skipped times are never offered, repeated
times are offered once, and intervals count local calendar days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduling_support import (
    LONDON,
    NEW_YORK,
    assert_bookable,
    at,
    hold,
    make_provider,
    make_request,
    make_state,
)

from cit.scheduling import Clinic, IntervalWindow, ResourceKind, WeeklyHours, find_series
from cit.scheduling.localtime import (
    DayClock,
    boundary_epoch,
    calendar_days_between,
    local_instant,
    to_epoch,
    wall_time_exists,
    wall_time_is_ambiguous,
)
from cit.scheduling.slots import SlotFinder

LONDON_SPRING = date(2025, 3, 30)  # 01:00 -> 02:00
LONDON_AUTUMN = date(2025, 10, 26)  # 02:00 -> 01:00
NEW_YORK_SPRING = date(2025, 3, 9)  # 02:00 -> 03:00
NEW_YORK_AUTUMN = date(2025, 11, 2)  # 02:00 -> 01:00


def test_the_helpers_know_skipped_and_repeated_wall_times() -> None:
    london, new_york = ZoneInfo(LONDON), ZoneInfo(NEW_YORK)
    assert not wall_time_exists(LONDON_SPRING, 90, london)
    assert local_instant(LONDON_SPRING, 90, london) is None
    assert wall_time_exists(LONDON_SPRING, 120, london)
    assert wall_time_is_ambiguous(NEW_YORK_AUTUMN, 90, new_york)
    first = local_instant(NEW_YORK_AUTUMN, 90, new_york)
    assert first is not None
    assert first.utcoffset() == timedelta(hours=-4)  # EDT, fold=0
    assert not wall_time_is_ambiguous(NEW_YORK_AUTUMN, 180, new_york)


def test_a_window_boundary_inside_a_gap_is_the_instant_of_the_jump() -> None:
    new_york = ZoneInfo(NEW_YORK)
    jump = datetime(2025, 3, 9, 7, 0, tzinfo=UTC)  # 02:00 EST becomes 03:00 EDT
    assert boundary_epoch(NEW_YORK_SPRING, 150, new_york) == to_epoch(jump)
    ordinary = datetime(2025, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT
    assert boundary_epoch(NEW_YORK_SPRING, 9 * 60, new_york) == to_epoch(ordinary)


def test_day_clock_matches_zoneinfo_on_ordinary_and_transition_days() -> None:
    london = ZoneInfo(LONDON)
    for day in (date(2025, 3, 29), LONDON_SPRING, LONDON_AUTUMN, date(2025, 7, 1)):
        clock = DayClock(day, london)
        for minute in range(0, 24 * 60, 15):
            instant = local_instant(day, minute, london)
            expected = None if instant is None else to_epoch(instant)
            assert clock.start_epoch(minute) == expected, (day, minute)


def test_intervals_are_counted_in_local_calendar_days() -> None:
    london = ZoneInfo(LONDON)
    before = at(date(2025, 3, 24), "09:00")
    after = at(date(2025, 4, 21), "09:00")
    assert calendar_days_between(before, after, london) == 28
    elapsed = after.astimezone(UTC) - before.astimezone(UTC)
    assert elapsed == timedelta(days=28, hours=-1)  # one hour fewer elapsed
    assert calendar_days_between(before, before.replace(hour=23, minute=30), london) == 0


def test_a_london_series_across_spring_forward_keeps_its_wall_clock_time() -> None:
    request = make_request(earliest_start=date(2025, 3, 10), sessions=3)
    state = make_state()
    proposal = find_series(request, state).best
    assert proposal is not None
    assert [s.start.strftime("%Y-%m-%d %H:%M %z") for s in proposal.sessions] == [
        "2025-03-10 08:00 +0000",
        "2025-04-07 08:00 +0100",
        "2025-05-05 08:00 +0100",
    ]
    assert_bookable(proposal.sessions, request, state)


def test_a_new_york_series_across_fall_back_keeps_its_wall_clock_time() -> None:
    clinic = Clinic(NEW_YORK, WeeklyHours.every(range(6), "09:00-17:00"))
    state = make_state(clinic=clinic, providers=[make_provider("lic-a", hours="09:00-17:00")])
    request = make_request(earliest_start=date(2025, 10, 20), sessions=2)
    proposal = find_series(request, state).best
    assert proposal is not None
    first, second = proposal.sessions
    assert (first.start.hour, second.start.hour) == (9, 9)
    assert (first.start.utcoffset(), second.start.utcoffset()) == (
        timedelta(hours=-4),
        timedelta(hours=-5),
    )
    assert (second.start.date() - first.start.date()).days == 28


def night_clinic(zone: str, day: date) -> Clinic:
    return Clinic(zone, WeeklyHours.from_mapping({day.weekday(): ["00:00-04:00"]}))


def test_skipped_wall_times_are_never_offered() -> None:
    clinic = night_clinic(LONDON, LONDON_SPRING)
    provider = make_provider("lic-a", hours="00:00-04:00", days=[LONDON_SPRING.weekday()])
    state = make_state(clinic=clinic, providers=[provider])
    request = make_request(sessions=1, visit_minutes=30, earliest_start=LONDON_SPRING)
    finder = SlotFinder(state, state.occupancy(), request)
    minutes = [minute for minute, _start in finder.provider_starts(LONDON_SPRING, "lic-a")]
    assert minutes[:4] == [0, 15, 30, 45]
    assert not set(minutes) & {60, 75, 90, 105}  # 01:00-01:59 does not exist that night
    assert minutes[4] == 120
    assert minutes[-1] == 210  # the last 30-minute visit ends at 04:00
    # With the hour before the gap taken, the next proposal is 02:00 BST, i.e. 01:00 UTC.
    busy = [
        hold(ResourceKind.PROVIDER, "lic-a", at(LONDON_SPRING, "00:00"), at(LONDON_SPRING, "00:50"))
    ]
    state = make_state(clinic=clinic, providers=[provider], busy=busy)
    proposal = find_series(request, state).best
    assert proposal is not None
    start = proposal.sessions[0].start
    assert start.strftime("%H:%M %z") == "02:00 +0100"
    assert start.astimezone(UTC).strftime("%H:%M") == "01:00"


def test_a_visit_may_span_the_gap_and_is_as_long_as_booked() -> None:
    clinic = night_clinic(LONDON, LONDON_SPRING)
    provider = make_provider("lic-a", hours="00:00-04:00", days=[LONDON_SPRING.weekday()])
    busy = [
        hold(ResourceKind.PROVIDER, "lic-a", at(LONDON_SPRING, "00:00"), at(LONDON_SPRING, "00:30"))
    ]
    state = make_state(clinic=clinic, providers=[provider], busy=busy)
    request = make_request(sessions=1, visit_minutes=60, earliest_start=LONDON_SPRING)
    proposal = find_series(request, state).best
    assert proposal is not None
    session = proposal.sessions[0]
    assert session.start.strftime("%H:%M") == "00:30"
    assert session.end.strftime("%H:%M") == "02:30"  # wall clock jumps, the visit is 60 minutes
    assert session.duration == timedelta(minutes=60)
    assert_bookable(proposal.sessions, request, state)


def test_repeated_wall_times_are_offered_once_at_their_first_occurrence() -> None:
    clinic = night_clinic(NEW_YORK, NEW_YORK_AUTUMN)
    provider = make_provider("lic-a", hours="00:00-04:00", days=[NEW_YORK_AUTUMN.weekday()])
    state = make_state(clinic=clinic, providers=[provider])
    request = make_request(sessions=1, visit_minutes=30, earliest_start=NEW_YORK_AUTUMN)
    finder = SlotFinder(state, state.occupancy(), request)
    starts = finder.provider_starts(NEW_YORK_AUTUMN, "lic-a")
    minutes = [minute for minute, _start in starts]
    assert minutes.count(60) == 1
    one_am = dict(starts)[60]
    assert datetime.fromtimestamp(one_am, UTC).strftime("%H:%M") == "05:00"  # 01:00 EDT
    # 4 night hours of wall clock, 5 hours elapsed: a 30-minute grid still never overlaps itself.
    epochs = [start for _minute, start in starts]
    assert epochs == sorted(epochs)


def test_a_clinic_opening_inside_the_gap_opens_at_the_jump() -> None:
    clinic = Clinic(LONDON, WeeklyHours.from_mapping({LONDON_SPRING.weekday(): ["01:30-05:00"]}))
    provider = make_provider("lic-a", hours="00:00-06:00", days=[LONDON_SPRING.weekday()])
    state = make_state(clinic=clinic, providers=[provider])
    request = make_request(sessions=1, visit_minutes=30, earliest_start=LONDON_SPRING)
    proposal = find_series(request, state).best
    assert proposal is not None
    # The clinic "opens at 01:30", a time that does not exist: it is open from the jump on.
    assert proposal.sessions[0].start.strftime("%H:%M %z") == "02:00 +0100"
    assert_bookable(proposal.sessions, request, state)


def test_sydney_autumn_change_in_april_keeps_wall_time_too() -> None:
    clinic = Clinic("Australia/Sydney", WeeklyHours.every(range(6), "09:00-17:00"))
    state = make_state(clinic=clinic, providers=[make_provider("lic-a", hours="09:00-17:00")])
    request = make_request(
        earliest_start=date(2025, 3, 24), sessions=2, interval=IntervalWindow(14, 21, 28)
    )
    proposal = find_series(request, state).best
    assert proposal is not None
    assert [s.start.time() for s in proposal.sessions] == [time(9), time(9)]
    assert proposal.sessions[0].start.utcoffset() != proposal.sessions[1].start.utcoffset()
