"""An absence that hits many series re-plans them with as many queries as one that hits a
few: the series, their sessions and holds are read in bulk and the moves saved together.
(The reminders and calendar messages, one task per moved session, are enqueued after
commit and are not counted.)"""

from __future__ import annotations

import datetime
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cit.clinic.appointments.absences import do_record_absence
from cit.clinic.appointments.convert import hold_rows, request_to_json, series_request
from cit.clinic.appointments.models import Appointment, ResourceHold, SeriesBooking
from cit.clinic.facilities.models import Device, Room
from cit.scheduling import BookedSession, DeviceKind, DeviceUse

pytestmark = pytest.mark.django_db
SESSIONS = 3
WEEKS_APART = 4
QUERY_BUDGET = 41


def _book_series_on(
    clinic: Any, plan: Any, provider: Any, patient: Any, first: datetime.datetime
) -> None:
    """One three-session series with ``provider``, written as a booking writes it (rows and
    holds) without searching, so tens of series can be laid back to back on one day."""
    request = series_request(plan, 0, earliest_start=first.date())
    request = replace(request, patient_id=str(patient.pk), sessions=SESSIONS)
    room = Room.objects.filter(clinic=clinic).order_by("pk").first()
    pen = Device.objects.filter(clinic=clinic, kind="pen").order_by("pk").first()
    series = SeriesBooking.objects.create(
        clinic=clinic,
        patient=patient,
        plan=plan,
        series_index=0,
        # A maintenance booking is not unique per plan series, so one plan serves them all.
        kind="maintenance",
        request=request_to_json(request),
    )
    length = datetime.timedelta(minutes=request.visit_minutes)
    for number in range(1, SESSIONS + 1):
        start = first + datetime.timedelta(weeks=WEEKS_APART * (number - 1))
        session = BookedSession(
            number=number,
            start=start,
            end=start + length,
            provider_id=str(provider.pk),
            room_id=str(room.pk),
            devices=(DeviceUse(str(pen.pk), DeviceKind.PEN, start, start + length),),
        )
        appointment = Appointment.objects.create(
            clinic=clinic,
            patient=patient,
            series=series,
            number=number,
            provider=provider,
            room=room,
            start=session.start,
            end=session.end,
        )
        ResourceHold.objects.bulk_create(hold_rows(appointment, session, patient.pk))


def _queries_to_re_plan(
    count: int,
    booking_clinic: Any,
    make_user: Any,
    make_patient: Any,
    make_plan: Any,
    settings: Any,
) -> tuple[int, Any]:
    settings.REPLAN_INLINE_MAX_SERIES = 1000
    absent = make_user("registered_nurse", booking_clinic).provider
    # Colleagues with free time to take the sessions over.
    for _ in range(3):
        make_user("registered_nurse", booking_clinic)
    plan = make_plan(make_patient(booking_clinic), sessions=SESSIONS, weeks=WEEKS_APART)
    zone = booking_clinic.tzinfo
    first_day = booking_clinic.today() + datetime.timedelta(days=14)
    visit = datetime.timedelta(
        minutes=series_request(plan, 0, earliest_start=first_day).visit_minutes
    )
    per_day = int(datetime.timedelta(hours=8) / visit)
    for n in range(count):
        day = first_day + datetime.timedelta(days=n // per_day)
        start = datetime.datetime.combine(day, datetime.time(9), tzinfo=zone) + visit * (
            n % per_day
        )
        _book_series_on(booking_clinic, plan, absent, make_patient(booking_clinic), start)
    days = count // per_day + 1
    away_from = datetime.datetime.combine(first_day, datetime.time(0), tzinfo=zone)
    with CaptureQueriesContext(connection) as queries:
        absence = do_record_absence(
            actor=None,
            provider=absent,
            start=away_from,
            end=away_from + datetime.timedelta(days=days),
        )
    return len(queries), absence


@pytest.mark.parametrize("count", [3, 30])
def test_the_re_plan_reads_and_writes_in_bulk(
    count: int,
    booking_clinic: Any,
    make_user: Any,
    make_patient: Any,
    make_plan: Any,
    settings: Any,
) -> None:
    queries, absence = _queries_to_re_plan(
        count, booking_clinic, make_user, make_patient, make_plan, settings
    )
    assert absence.replan_status == "done", absence.replan
    assert absence.replan["series"] == count
    assert absence.replan["moved"] >= count
    # 39 whatever the count (before: 43 for 3 series, 205 for 30), plus slack for SQLite's
    # insert batches (about 120 holds per statement).
    assert queries <= QUERY_BUDGET
