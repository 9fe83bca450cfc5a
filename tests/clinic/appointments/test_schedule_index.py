"""The per-clinic scheduling index is reused across proposals and never served stale: every
action that writes holds or absences moves the clinic's schedule version in its transaction
and logs the appointments it changed, and a process (a cache) holding an older version
reloads those appointments' holds (or all of them, past the log)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cit.clinic.appointments.absences import do_record_absence, replan_for_absence
from cit.clinic.appointments.convert import busy_rows, series_request, state_for_days
from cit.clinic.appointments.models import Appointment, HoldKind, ResourceHold, ScheduleChange
from cit.clinic.appointments.moves import do_cancel_session, do_move_session
from cit.clinic.appointments.noshow import do_replan_after_no_show, propose_after_no_show
from cit.clinic.appointments.proposals import propose_series
from cit.clinic.appointments.schedule_index import (
    PROCESS_CACHE,
    ScheduleIndexCache,
    schedule_version,
    state_for_search,
    warm_up,
)
from cit.clinic.appointments.visits import (
    do_check_in,
    do_complete_visit,
    do_mark_no_show,
    do_start_visit,
)
from cit.scheduling import find_series
from tests.source_writers import functions_writing

pytestmark = pytest.mark.django_db
WEEK = datetime.timedelta(days=7)


def _day_of(appointment: Appointment) -> tuple[datetime.datetime, datetime.datetime]:
    day = appointment.start.astimezone(appointment.clinic.tzinfo).replace(hour=0, minute=0)
    return day, day + datetime.timedelta(days=1)


def _shared_rows_in_db(clinic: Any) -> set[tuple[str, int, int, str]]:
    holds = ResourceHold.objects.filter(clinic=clinic, active=True).exclude(kind=HoldKind.PATIENT)
    return set(busy_rows(holds))


def _window() -> tuple[datetime.datetime, datetime.datetime]:
    now = timezone.now()
    return now, now + datetime.timedelta(days=200)


# -- every write path moves the version ---------------------------------------------------------

# The functions that write ResourceHold or ProviderAbsence rows, found by reading the source
# below. A new one must bump the schedule version (and get a test here) before it is listed.
KNOWN_WRITERS = {
    ("clinic/appointments/holds.py", "write_holds"),
    ("clinic/appointments/moves.py", "apply_replan"),
    ("clinic/appointments/moves.py", "do_cancel_session"),
    ("clinic/appointments/absences.py", "do_record_absence"),
    ("clinic/appointments/visits.py", "_change"),
    ("clinic/appointments/noshow.py", "do_replan_after_no_show"),
}
WRITE_METHODS = {"create", "bulk_create", "update", "get_or_create", "update_or_create", "save"}


def test_the_known_writers_are_every_function_that_writes_holds_or_absences() -> None:
    found = functions_writing(("ResourceHold", "ProviderAbsence"), WRITE_METHODS)
    assert found == KNOWN_WRITERS


@pytest.fixture
def series(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any) -> Any:
    return book(make_plan(make_patient(booking_clinic), sessions=3, weeks=4))


def test_booking_moves_the_version(
    booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    assert schedule_version(booking_clinic.pk) == 0
    book(make_plan(make_patient(booking_clinic)))
    assert schedule_version(booking_clinic.pk) == 1


def test_moving_moves_the_version(series: Any, desk: Any) -> None:
    before = schedule_version(series.clinic_id)
    second = Appointment.objects.get(series=series, number=2)
    do_move_session(actor=desk, appointment=second, new_start=second.start + WEEK)
    assert schedule_version(series.clinic_id) == before + 1


def test_cancelling_moves_the_version(series: Any, desk: Any) -> None:
    before = schedule_version(series.clinic_id)
    do_cancel_session(actor=desk, appointment=Appointment.objects.get(series=series, number=3))
    assert schedule_version(series.clinic_id) == before + 1


def test_a_no_show_and_its_re_plan_move_the_version(series: Any, desk: Any, nurse: Any) -> None:
    one, two, _three = Appointment.objects.filter(series=series).order_by("number")
    do_start_visit(actor=nurse, appointment=one, now=one.start)
    do_complete_visit(actor=nurse, appointment=one, now=one.end)
    missed_at = two.start + datetime.timedelta(minutes=20)
    before = schedule_version(series.clinic_id)
    do_mark_no_show(actor=desk, appointment=two, now=missed_at)
    assert schedule_version(series.clinic_id) == before + 1
    proposals = propose_after_no_show(actor=desk, appointment=two, now=missed_at)
    assert proposals.result.found, proposals.result.failure
    do_replan_after_no_show(
        actor=desk, token=proposals.tokens[0], clinic=series.clinic, now=missed_at
    )
    assert schedule_version(series.clinic_id) == before + 2


def test_a_status_change_that_keeps_the_holds_leaves_the_version(series: Any, desk: Any) -> None:
    one = Appointment.objects.get(series=series, number=1)
    before = schedule_version(series.clinic_id)
    do_check_in(actor=desk, appointment=one, now=one.start - datetime.timedelta(minutes=5))
    assert schedule_version(series.clinic_id) == before


def test_an_absence_and_its_inline_re_plan_move_the_version(series: Any, desk: Any) -> None:
    second = Appointment.objects.get(series=series, number=2)
    before = schedule_version(series.clinic_id)
    start, end = _day_of(second)
    absence = do_record_absence(actor=desk, provider=second.provider, start=start, end=end)
    assert absence.replan_status == "done", absence.replan
    # Once for the re-plan's moves, once for the absence itself.
    assert schedule_version(series.clinic_id) == before + 2


def test_an_absence_re_planned_in_the_background_moves_the_version_again(
    series: Any, desk: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.REPLAN_INLINE_MAX_SERIES = 0
    second = Appointment.objects.get(series=series, number=2)
    before = schedule_version(series.clinic_id)
    start, end = _day_of(second)
    with django_capture_on_commit_callbacks(execute=False):
        absence = do_record_absence(actor=desk, provider=second.provider, start=start, end=end)
    assert schedule_version(series.clinic_id) == before + 1
    replan_for_absence(absence.pk, optimise=False)
    assert schedule_version(series.clinic_id) == before + 2


# -- two processes, one database ----------------------------------------------------------------


def test_two_processes_never_serve_an_index_older_than_the_database(
    series: Any, desk: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    clinic = series.clinic
    first, second = ScheduleIndexCache(), ScheduleIndexCache()
    start, end = _window()
    for cache in (first, second):
        assert set(cache.shared_holds(clinic, start, end).rows) == _shared_rows_in_db(clinic)
    # Nothing changed: both reuse what they hold.
    first.shared_holds(clinic, start, end)
    second.shared_holds(clinic, start, end)
    assert (first.loads, second.loads) == (1, 1)

    # Another process writes (a booking, a move, a cancellation): each cache sees it next time.
    writes = [
        lambda: book(make_plan(make_patient(clinic))),
        lambda: do_move_session(
            actor=desk,
            appointment=Appointment.objects.get(series=series, number=2),
            new_start=Appointment.objects.get(series=series, number=2).start + WEEK,
        ),
        lambda: do_cancel_session(
            actor=desk, appointment=Appointment.objects.get(series=series, number=3)
        ),
    ]
    for done, write in enumerate(writes, start=1):
        held_before = _shared_rows_in_db(clinic)
        write()
        assert _shared_rows_in_db(clinic) != held_before
        for cache in (first, second):
            shared = cache.shared_holds(clinic, start, end)
            assert set(shared.rows) == _shared_rows_in_db(clinic)
            assert len(shared.rows) == len(set(shared.rows))
            assert cache.refreshes == done
            assert cache.loads == 1


def test_a_refreshed_index_answers_like_a_fresh_one(series: Any, desk: Any) -> None:
    clinic = series.clinic
    cache = ScheduleIndexCache()
    start, end = _window()
    cache.shared_holds(clinic, start, end)
    second = Appointment.objects.get(series=series, number=2)
    do_move_session(actor=desk, appointment=second, new_start=second.start + WEEK)
    refreshed = cache.shared_holds(clinic, start, end)
    fresh = ScheduleIndexCache().shared_holds(clinic, start, end)
    assert cache.refreshes == 1
    moved = Appointment.objects.get(pk=second.pk)
    for key in {row[0] for row in fresh.rows}:
        for probe in (second.start, moved.start):
            at = int(probe.timestamp())
            assert refreshed.index.is_free(key, at, at + 60) == fresh.index.is_free(
                key, at, at + 60
            )


def test_a_cache_further_behind_than_the_log_loads_everything_again(series: Any, desk: Any) -> None:
    clinic = series.clinic
    cache = ScheduleIndexCache()
    start, end = _window()
    cache.shared_holds(clinic, start, end)
    do_cancel_session(actor=desk, appointment=Appointment.objects.get(series=series, number=3))
    ScheduleChange.objects.filter(clinic=clinic).delete()  # as if pruned
    assert set(cache.shared_holds(clinic, start, end).rows) == _shared_rows_in_db(clinic)
    assert (cache.loads, cache.refreshes) == (2, 0)


def test_a_wider_window_is_loaded_once_then_reused(series: Any) -> None:
    cache = ScheduleIndexCache()
    start, end = _window()
    cache.shared_holds(clinic=series.clinic, start=start, end=end)
    cache.shared_holds(clinic=series.clinic, start=start, end=end + datetime.timedelta(days=600))
    cache.shared_holds(clinic=series.clinic, start=start, end=end + datetime.timedelta(days=300))
    assert cache.loads == 2


def test_proposals_from_the_cached_index_match_a_fresh_state(
    series: Any, booking_clinic: Any, make_patient: Any, make_plan: Any
) -> None:
    plan = make_plan(make_patient(booking_clinic), sessions=3, weeks=4)
    clinic, now = booking_clinic, timezone.now()
    today = clinic.today(now)
    request = series_request(plan, 0, earliest_start=today)
    cache = ScheduleIndexCache()
    cached = state_for_search(clinic, request, today=today, cache=cache)
    fresh = state_for_days(
        clinic,
        request.earliest_start,
        request.earliest_start + datetime.timedelta(days=200),
        today=today,
        patient_id=request.patient_id,
    )
    from_cache = find_series(request, cached, not_before=now, alternatives=3)
    from_rows = find_series(request, fresh, not_before=now, alternatives=3)
    assert from_cache.found
    assert from_cache.proposals == from_rows.proposals
    # The cached index is what the proposal page uses, and it is reused.
    propose_series(plan=plan, series_index=0, now=now)
    reads = (PROCESS_CACHE.loads, PROCESS_CACHE.refreshes)
    propose_series(plan=plan, series_index=0, now=now)
    assert (PROCESS_CACHE.loads, PROCESS_CACHE.refreshes) == reads


def test_a_warmed_up_worker_proposes_without_loading_again(
    series: Any, booking_clinic: Any, other_clinic: Any, make_patient: Any, make_plan: Any
) -> None:
    """What a web worker loads as it starts is what its first proposal needs."""
    cache = ScheduleIndexCache()
    assert warm_up(cache) == 2  # both clinics
    assert (cache.loads, cache.setup_loads) == (2, 2)
    plan = make_plan(make_patient(booking_clinic), sessions=6, weeks=6)
    now = timezone.now()
    request = series_request(plan, 0, earliest_start=booking_clinic.today(now))
    state = state_for_search(booking_clinic, request, today=booking_clinic.today(now), cache=cache)
    assert find_series(request, state, not_before=now).found
    assert (cache.loads, cache.refreshes, cache.setup_loads) == (2, 0, 2)


def test_the_change_log_keeps_only_its_last_versions(
    series: Any, desk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cit.clinic.appointments import schedule_index

    monkeypatch.setattr(schedule_index, "LOG_LENGTH", 2)
    for number in (1, 2, 3):
        do_cancel_session(
            actor=desk, appointment=Appointment.objects.get(series=series, number=number)
        )
    # Versions 1 (the booking) to 4; at 4 every version up to 2 was dropped.
    assert schedule_version(series.clinic_id) == 4
    kept = ScheduleChange.objects.filter(clinic=series.clinic).order_by("version")
    assert list(kept.values_list("version", flat=True)) == [3, 4]
