"""Closure days in the scheduling core, pure: one-off and yearly closures, leap days, and
the search, validation and re-plan never placing a session on a closed day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from scheduling_support import MONDAY, make_clinic, make_request, make_state

from cit.scheduling import check_series, find_series
from cit.scheduling.closures import Closure, closed_dates, closure_on
from cit.scheduling.validation import ViolationCode


def test_one_off_closure() -> None:
    closure = Closure(date(2026, 5, 4), "Bank holiday")
    assert closed_dates([closure], date(2026, 5, 1), date(2026, 5, 31)) == {date(2026, 5, 4)}
    assert closed_dates([closure], date(2026, 6, 1), date(2026, 6, 30)) == frozenset()


def test_yearly_closure_repeats_from_its_first_year() -> None:
    christmas = Closure(date(2025, 12, 25), "Christmas Day", yearly=True)
    assert closed_dates([christmas], date(2024, 1, 1), date(2027, 12, 31)) == {
        date(2025, 12, 25),
        date(2026, 12, 25),
        date(2027, 12, 25),
    }
    assert christmas.falls_on(date(2030, 12, 25))
    assert not christmas.falls_on(date(2024, 12, 25))


def test_a_yearly_leap_day_closes_only_in_leap_years() -> None:
    leap = Closure(date(2024, 2, 29), yearly=True)
    assert closed_dates([leap], date(2024, 1, 1), date(2028, 12, 31)) == {
        date(2024, 2, 29),
        date(2028, 2, 29),
    }


def test_closure_on_names_the_closure() -> None:
    closures = [Closure(date(2026, 1, 1), "New Year's Day", yearly=True)]
    found = closure_on(closures, date(2027, 1, 1))
    assert found is not None
    assert found.name == "New Year's Day"
    assert closure_on(closures, date(2027, 1, 2)) is None


def test_empty_and_reversed_ranges() -> None:
    closure = Closure(date(2026, 5, 4), yearly=True)
    assert closed_dates([closure], date(2026, 5, 5), date(2026, 5, 3)) == frozenset()
    assert closed_dates([], date(2026, 1, 1), date(2026, 12, 31)) == frozenset()


def test_the_search_skips_closed_days_for_every_session() -> None:
    request = make_request(sessions=3)
    open_state = make_state()
    best = find_series(request, open_state).best
    assert best is not None
    days = {s.start.date() for s in best.sessions}
    closed = closed_dates(
        [Closure(day) for day in days], MONDAY - timedelta(days=1), MONDAY + timedelta(days=365)
    )
    state = make_state(clinic=make_clinic(closed=sorted(closed)))
    again = find_series(request, state).best
    assert again is not None
    assert not {s.start.date() for s in again.sessions} & closed
    assert ViolationCode.CLINIC_CLOSED in {
        v.code for v in check_series(best.sessions, request, state)
    }


def test_a_yearly_closure_in_the_clinic_state_is_respected() -> None:
    request = replace(make_request(sessions=1), earliest_start=MONDAY, latest_start=MONDAY)
    closed = closed_dates(
        [Closure(MONDAY.replace(year=MONDAY.year - 1), yearly=True)], MONDAY, MONDAY
    )
    result = find_series(request, make_state(clinic=make_clinic(closed=sorted(closed))))
    assert not result.found


def test_replan_and_the_solver_never_move_a_session_onto_a_closed_day() -> None:
    from scheduling_support import at, book, make_provider, with_booked

    from cit.scheduling import ProviderUnavailable, optimise_replan, replan

    providers = [make_provider("lic-a"), make_provider("lic-b", days=[1, 2])]
    request = make_request(sessions=2)
    open_state = make_state(providers=providers)
    proposal = find_series(request, open_state, alternatives=0).best
    assert proposal is not None
    series = book(proposal, request, "s1")
    first_day = proposal.sessions[0].start.date()
    # lic-a is away the whole first day; the next days are closure days.
    closed = {first_day + timedelta(days=n) for n in (1, 2)}
    state = with_booked(make_state(clinic=make_clinic(closed=closed), providers=providers), series)
    change = ProviderUnavailable(
        proposal.sessions[0].provider_id, at(first_day, "00:00"), at(first_day, "23:59")
    )
    now = at(MONDAY - timedelta(days=7), "09:00")
    for result in (
        replan([series], state, change, now=now),
        optimise_replan([series], state, change, now=now, time_limit_seconds=5).result,
    ):
        for move in result.moves:
            assert move.after.start.date() not in closed
