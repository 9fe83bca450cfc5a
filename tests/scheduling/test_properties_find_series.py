"""Property: whatever the clinic looks like, find_series never proposes a schedule that breaks a
hard rule, and never comes back empty-handed without a reason."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scheduling_support import (
    ZONES,
    hold,
    make_clinic,
    make_provider,
    make_request,
    make_state,
    scenarios,
)

from cit.scheduling import (
    ClinicState,
    ResourceKind,
    SearchLimits,
    SeriesRequest,
    booking_horizon,
    check_series,
    find_series,
)
from cit.scheduling.localtime import DayClock, to_epoch
from cit.scheduling.slots import SlotFinder

FAST = SearchLimits(horizon_days=45, max_completions=12, max_slot_evaluations=600)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_proposal_respects_every_hard_rule(
    scenario: tuple[ClinicState, SeriesRequest],
) -> None:
    state, request = scenario
    result = find_series(request, state, limits=FAST)
    if not result.found:
        assert result.failure is not None
        assert result.failure.message
        return
    first, last = booking_horizon(request, FAST)
    for proposal in result.proposals:
        # The booking layer may load only the holds within the horizon.
        days = [s.start.astimezone(state.zone).date() for s in proposal.sessions]
        assert first <= days[0]
        assert days[-1] <= last
        # Windows, opening and working hours, absences, licence, capabilities, devices,
        # double booking against existing holds and within the series itself.
        violations = check_series(proposal.sessions, request, state)
        assert not violations, [f"{v.code}: {v.message}" for v in violations]
        assert proposal.score.total >= 0


@given(scenarios())
def test_alternatives_start_on_another_day_or_with_another_provider(
    scenario: tuple[ClinicState, SeriesRequest],
) -> None:
    state, request = scenario
    result = find_series(request, state, limits=FAST)
    keys = [(p.sessions[0].start.date(), p.lead_provider_id) for p in result.proposals]
    assert len(keys) == len(set(keys))
    assert [p.rank for p in result.proposals] == list(range(1, len(result.proposals) + 1))
    if result.best is not None:
        assert result.best.score.total == min(p.score.total for p in result.proposals)


@st.composite
def busy_days(draw: st.DrawFn) -> tuple[ClinicState, SeriesRequest, date, int | None]:
    """One ordinary day (one UTC offset) with the provider's and the patient's holds at any
    second, the visit of any length, and "now" anywhere in the day or unset."""
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.sampled_from((date(2025, 6, 2), date(2025, 1, 15))))
    midnight = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))
    hours = f"{draw(st.integers(6, 10)):02}:{draw(st.sampled_from(('00', '10', '15', '45')))}"
    busy = []
    for n in range(draw(st.integers(0, 8))):
        kind, resource = draw(
            st.sampled_from([(ResourceKind.PROVIDER, "lic-a"), (ResourceKind.PATIENT, "patient-1")])
        )
        start = midnight + timedelta(seconds=draw(st.integers(6 * 3600, 19 * 3600)))
        length = timedelta(seconds=draw(st.integers(60, 4 * 3600)))
        busy.append(hold(kind, resource, start, start + length, f"held-{n}"))
    state = make_state(
        clinic=make_clinic(zone, opening=f"{hours}-19:00", days=range(7)),
        providers=[make_provider("lic-a", hours="07:30-18:20", days=range(7))],
        busy=busy,
    )
    request = make_request(visit_minutes=draw(st.integers(2, 36)) * 5, earliest_start=day)
    now = draw(st.none() | st.integers(0, 24 * 3600))
    return state, request, day, None if now is None else to_epoch(midnight) + now


@settings(max_examples=1000)
@given(busy_days())
def test_grid_starts_by_arithmetic_equal_the_minute_by_minute_walk(
    case: tuple[ClinicState, SeriesRequest, date, int | None],
) -> None:
    """On a day with one UTC offset the starts are computed per free gap; they must be the
    ones the walk over every grid minute (kept for DST days) finds."""
    state, request, day, now = case
    fast = SlotFinder(state, state.occupancy(), request, not_before=now)
    walked = SlotFinder(state, state.occupancy(), request, not_before=now)
    with mock.patch.object(DayClock, "uniform_base", property(lambda _clock: None)):
        expected = walked.provider_starts(day, "lic-a")
    assert fast.provider_starts(day, "lic-a") == expected


@settings(max_examples=300)
@given(scenarios(), st.data(), st.booleans())
def test_the_first_free_room_and_devices_are_the_first_of_the_options(
    scenario: tuple[ClinicState, SeriesRequest], data: st.DataObject, prefer: bool
) -> None:
    """``resources_at`` stops at the first free room and devices; it must choose what the
    first of ``resource_options`` (which lists every free one) is."""
    state, request = scenario
    # Near an existing hold, where some rooms or devices are taken.
    near = data.draw(st.sampled_from([b.start for b in state.busy] or [datetime.now(state.zone)]))
    start = to_epoch(near) + data.draw(st.integers(-150, 150)) * 60
    room = state.rooms[-1].id if prefer else None
    devices = [state.devices[-1].id] if prefer else []
    options = SlotFinder(state, state.occupancy(), request).resource_options(
        start, limit=1, prefer_room=room, prefer_devices=devices
    )
    finder = SlotFinder(state, state.occupancy(), request)
    chosen = finder.resources_at(start, prefer_room=room, prefer_devices=devices)
    assert chosen == (options[0] if options else None)
