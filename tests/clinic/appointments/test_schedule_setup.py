"""The clinic's set-up (providers, rota, absences, rooms, devices, opening hours, closure days)
is cached with the scheduling index and never served stale: every set-up action moves the
schedule version in its transaction and logs a set-up change, so another process (another
worker's cache) reloads it on its next proposal, while a booking alone leaves it cached."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cit.clinic.accounts.actions import do_set_weekly_rota, do_update_staff
from cit.clinic.accounts.models import Provider
from cit.clinic.appointments.absences import do_record_absence
from cit.clinic.appointments.convert import resource_state, search_span, series_request
from cit.clinic.appointments.models import Appointment, ScheduleChange
from cit.clinic.appointments.moves import do_cancel_session
from cit.clinic.appointments.schedule_index import (
    ScheduleIndexCache,
    schedule_version,
    state_for_search,
)
from cit.clinic.facilities.actions import (
    do_add_closure_day,
    do_add_device,
    do_add_room,
    do_remove_closure_day,
    do_retire_resource,
    do_set_opening_hours,
    do_update_resource,
)
from cit.clinic.facilities.models import Room
from cit.scheduling import booking_horizon, find_series
from tests.source_writers import functions_writing

pytestmark = pytest.mark.django_db


def _proposals(cache: ScheduleIndexCache, plan: Any) -> Any:
    """Series 0 of ``plan`` proposed from ``cache`` (one worker's scheduling index)."""
    clinic, now = plan.patient.clinic, timezone.now()
    today = clinic.today(now)
    search = series_request(plan, 0, earliest_start=today)
    state = state_for_search(clinic, search, today=today, cache=cache)
    return find_series(search, state, not_before=now, alternatives=3)


def _first_days(result: Any, clinic: Any) -> set[datetime.date]:
    return {p.sessions[0].start.astimezone(clinic.tzinfo).date() for p in result.proposals}


@pytest.fixture
def plan(booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any) -> Any:
    return make_plan(make_patient(booking_clinic), sessions=3, weeks=4)


@pytest.fixture
def worker(plan: Any) -> ScheduleIndexCache:
    """Another worker process whose index and set-up are cached before the change."""
    cache = ScheduleIndexCache()
    assert _proposals(cache, plan).found
    assert cache.setup_loads == 1
    return cache


def _last_change(clinic: Any) -> ScheduleChange:
    change = ScheduleChange.objects.filter(clinic=clinic).order_by("-version").first()
    assert change is not None
    return change


# -- the cached set-up answers like rows read now ------------------------------------------------


def test_the_cached_set_up_gives_the_state_read_now(
    plan: Any, worker: ScheduleIndexCache, desk: Any, nurse: Any
) -> None:
    clinic = plan.patient.clinic
    today = clinic.today()
    first, last = booking_horizon(series_request(plan, 0, earliest_start=today))
    start, end = search_span(clinic, first, last)
    do_record_absence(
        actor=desk,
        provider=nurse.provider,
        start=start + datetime.timedelta(days=3),
        end=start + datetime.timedelta(days=4),
        reason="course",
    )
    cached = worker.setup(clinic, start, end).state(clinic, start, end, today=today)
    assert cached == resource_state(clinic, start, end, today=today)
    assert cached.provider(str(nurse.provider.pk)).absences


def test_a_booking_alone_keeps_the_cached_set_up(
    plan: Any, worker: ScheduleIndexCache, book: Any, desk: Any
) -> None:
    clinic = plan.patient.clinic
    series = book(plan)
    do_cancel_session(actor=desk, appointment=Appointment.objects.get(series=series, number=3))
    assert not _last_change(clinic).setup
    assert _proposals(worker, plan).found
    assert worker.setup_loads == 1
    assert worker.setup(clinic).version == schedule_version(clinic.pk)


# -- every set-up action moves the version, and the next proposal sees it ---------------------


def test_a_closure_day_is_seen_by_the_next_proposal_of_another_worker(
    plan: Any, worker: ScheduleIndexCache, desk: Any
) -> None:
    clinic = plan.patient.clinic
    before = _proposals(worker, plan)
    closed = min(_first_days(before, clinic))
    version = schedule_version(clinic.pk)
    closure = do_add_closure_day(actor=desk, clinic=clinic, date=closed, name="Flood")
    assert schedule_version(clinic.pk) == version + 1
    assert _last_change(clinic).setup
    after = _proposals(worker, plan)
    assert worker.setup_loads == 2
    assert closed not in _first_days(after, clinic)
    assert after.proposals == _proposals(ScheduleIndexCache(), plan).proposals

    do_remove_closure_day(actor=desk, closure=closure)
    assert closed in _first_days(_proposals(worker, plan), clinic)
    assert worker.setup_loads == 3


def test_new_opening_hours_are_seen_by_the_next_proposal_of_another_worker(
    plan: Any, worker: ScheduleIndexCache, desk: Any
) -> None:
    clinic = plan.patient.clinic
    assert any(s.start.astimezone(clinic.tzinfo).hour < 12 for s in _sessions(worker, plan))
    do_set_opening_hours(
        actor=desk,
        clinic=clinic,
        hours={day: [(datetime.time(13), datetime.time(18))] for day in range(7)},
    )
    assert _last_change(clinic).setup
    assert all(s.start.astimezone(clinic.tzinfo).hour >= 13 for s in _sessions(worker, plan))


def test_a_new_rota_is_seen_by_the_next_proposal_of_another_worker(
    plan: Any, worker: ScheduleIndexCache
) -> None:
    clinic = plan.patient.clinic
    afternoons = [(datetime.time(14), datetime.time(18))]
    providers = list(Provider.objects.filter(clinic=clinic))
    for provider in providers:
        do_set_weekly_rota(provider=provider, rota={day: afternoons for day in range(7)})
    assert _last_change(clinic).setup
    assert all(s.start.astimezone(clinic.tzinfo).hour >= 14 for s in _sessions(worker, plan))
    for provider in providers:
        do_set_weekly_rota(provider=provider, rota=None)
    assert any(s.start.astimezone(clinic.tzinfo).hour < 14 for s in _sessions(worker, plan))


def test_deactivated_providers_are_left_out_by_the_next_proposal_of_another_worker(
    plan: Any, worker: ScheduleIndexCache, make_user: Any
) -> None:
    clinic = plan.patient.clinic
    admin = make_user("clinic_admin", clinic)
    for provider in Provider.objects.filter(clinic=clinic).select_related("user"):
        user = provider.user
        data = {
            **{name: getattr(user, name) for name in ("first_name", "last_name", "email", "role")},
            **{
                name: getattr(provider, name)
                for name in ("licence_type", "licence_number", "licence_expires_on")
            },
        }
        do_update_staff(actor=admin, user=user, data={**data, "is_active": False})
        assert _last_change(clinic).setup
    assert Provider.objects.active().filter(clinic=clinic).exists()
    assert not _proposals(worker, plan).found


def test_rooms_and_devices_added_changed_or_retired_are_seen_by_another_worker(
    plan: Any, worker: ScheduleIndexCache, desk: Any
) -> None:
    clinic = plan.patient.clinic
    version = schedule_version(clinic.pk)
    room = do_add_room(clinic=clinic, name="Room 3")
    assert str(room.pk) in {r.id for r in _state(worker, plan).rooms}
    do_update_resource(actor=desk, resource=room, changes={"name": "Garden room"}, request=None)
    assert worker.setup(clinic).room_names()[str(room.pk)] == "Garden room"
    do_retire_resource(actor=desk, resource=Room.objects.get(pk=room.pk), request=None)
    assert str(room.pk) not in {r.id for r in _state(worker, plan).rooms}
    device = do_add_device(
        clinic=clinic, kind="pen", model="Pen 3", serial_number="PEN-3", max_depth_mm="2.0"
    )
    assert str(device.pk) in {d.id for d in _state(worker, plan).devices}
    assert schedule_version(clinic.pk) == version + 4
    assert all(c.setup for c in ScheduleChange.objects.filter(clinic=clinic, version__gt=version))


def _state(cache: ScheduleIndexCache, plan: Any) -> Any:
    clinic = plan.patient.clinic
    today = clinic.today()
    return state_for_search(
        clinic, series_request(plan, 0, earliest_start=today), today=today, cache=cache
    )


def _sessions(cache: ScheduleIndexCache, plan: Any) -> list[Any]:
    result = _proposals(cache, plan)
    assert result.found
    return [s for p in result.proposals for s in p.sessions]


# -- the set-up writers -------------------------------------------------------------------------

SETUP_MODELS = ("Room", "Device", "ClosureDay", "OpeningHours", "Provider", "ProviderWorkingHours")
WRITE_METHODS = {"create", "bulk_create", "update", "get_or_create", "update_or_create", "delete"}
# Functions that write set-up rows through a manager, found by reading the source below; each
# moves the schedule version (instance saves go through the set-up actions and the admin).
KNOWN_SETUP_WRITERS = {
    ("clinic/facilities/actions.py", "do_set_opening_hours"),
    ("clinic/accounts/actions.py", "do_set_weekly_rota"),
    ("clinic/demo.py", "_load_clinic"),
}


def test_the_known_setup_writers_are_every_function_that_writes_setup_rows() -> None:
    assert functions_writing(SETUP_MODELS, WRITE_METHODS) == KNOWN_SETUP_WRITERS
