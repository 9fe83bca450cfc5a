"""The maintenance list is filtered, ordered and counted by the database: its windows, states
and order are those the plan's months give in Python (``maintenance_due_after``, sorted
overdue, due now, due soon, each by the day the window opens, then family name, plan and
series), month ends and leap days included."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import DateField, IntegerField, Value

from cit.clinic.appointments.convert import AddMonths, maintenance_due_after
from cit.clinic.appointments.maintenance import STATE_ORDER, _finished_series, due_series
from cit.clinic.appointments.models import Appointment, SeriesBooking
from cit.clinic.facilities.models import Clinic
from cit.clinic.patients.models import Patient
from cit.clinic.plans.models import TreatmentPlanRecord
from cit.protocol.dates import add_months
from cit.scheduling.maintenance import DueState
from tests.clinic.appointments.maintenance_support import finish_series
from tests.clones import clone

pytestmark = pytest.mark.django_db

MONTH_ENDS = [
    datetime.date(2025, 1, 31),
    datetime.date(2024, 2, 29),
    datetime.date(2025, 8, 31),
    datetime.date(2025, 10, 31),
    datetime.date(2025, 12, 31),
    datetime.date(2025, 11, 30),
    datetime.date(2026, 3, 15),
]
# The last visits held: month ends among them, in the year before NOW.
HELD = [
    datetime.date(2025, 1, 31),
    datetime.date(2024, 2, 29),
    datetime.date(2025, 4, 30),
    datetime.date(2025, 5, 31),
    datetime.date(2024, 12, 31),
    datetime.date(2025, 3, 31),
    datetime.date(2025, 6, 15),
]
NOW = datetime.date(2025, 10, 1)


@pytest.mark.parametrize("months", [1, 3, 4, 6, 12, 13])
def test_add_months_in_the_database_is_the_protocols(clinic: Any, months: int) -> None:
    for day in MONTH_ENDS:
        found = (
            Clinic.objects.filter(pk=clinic.pk)
            .annotate(
                later=AddMonths(
                    Value(day, output_field=DateField()), Value(months, output_field=IntegerField())
                )
            )
            .values_list("later", flat=True)
            .get()
        )
        assert found == add_months(day, months), (day, months)


def _plan_with_months(plan: Any, low: int, high: int, target: int) -> dict[str, Any]:
    accepted = {**plan.accepted, "series": [dict(s) for s in plan.accepted["series"]]}
    accepted["series"][0]["maintenance"] = {
        **accepted["series"][0]["maintenance"],
        "interval_months": [low, high],
        "target_months": target,
    }
    return accepted


@pytest.fixture
def many_finished(
    booking_clinic: Any, make_patient: Any, make_plan: Any, book: Any
) -> tuple[Any, datetime.datetime]:
    """Forty finished series: their last visits on month ends and mid-months over a year,
    plans of three maintenance intervals (and one plan without maintenance), family names
    that tie."""
    series = book(make_plan(make_patient(booking_clinic)))
    last = datetime.date(2025, 1, 31)
    finish_series(series, last)
    plan = series.plan
    count = 40
    start = Patient.objects.count()
    clone(
        series.patient,
        count,
        record_number=lambda i: f"MD-{start + i}",
        portal_user=lambda i: None,
        family_name=lambda i: ("Byron", "Ada", "Curie")[i % 3],
    )
    patients = list(Patient.objects.order_by("-id")[:count])
    intervals = [(4, 6, 6), (3, 5, 4), (6, 12, 9)]
    accepted = [_plan_with_months(plan, *intervals[i % 3]) for i in range(count)]
    accepted[7]["series"][0].pop("maintenance")  # accepted before maintenance was planned
    clone(plan, count, patient=lambda i: patients[i], accepted=lambda i: accepted[i])
    plans = list(TreatmentPlanRecord.objects.order_by("-id")[:count])
    clone(series, count, patient=lambda i: patients[i], plan=lambda i: plans[i])
    all_series = list(SeriesBooking.objects.order_by("-id")[:count])
    visit = Appointment.objects.filter(series=series).order_by("-start").first()
    zone = booking_clinic.tzinfo

    def held_on(i: int) -> datetime.datetime:
        day = HELD[i % len(HELD)] + datetime.timedelta(days=(i // 7) * 9)
        return datetime.datetime.combine(day, datetime.time(10 + i % 5), tzinfo=zone)

    clone(
        visit,
        count,
        patient=lambda i: patients[i],
        series=lambda i: all_series[i],
        start=held_on,
        end=lambda i: held_on(i) + datetime.timedelta(hours=1),
    )
    now = datetime.datetime.combine(NOW, datetime.time(12), tzinfo=zone)
    return booking_clinic, now


def _expected(clinic: Any, now: datetime.datetime, states: Any) -> list[tuple[Any, ...]]:
    """The list as due_series computed it in Python before the database did."""
    today = clinic.today(now)
    found = []
    rows = _finished_series(clinic, now, None).values_list(
        "plan_id", "series_index", "last_held", "patient__family_name"
    )
    for plan_id, index, last, family_name in set(rows):
        try:
            due = maintenance_due_after(TreatmentPlanRecord.objects.get(pk=plan_id), index, last)
        except LookupError:
            continue
        state = due.state(today)
        if states is None or state in states:
            found.append((plan_id, index, family_name, due, state))
    found.sort(key=lambda e: (STATE_ORDER.get(e[4], 3), e[3].opens, e[2], e[0], e[1]))
    return found


@pytest.mark.parametrize(
    "states",
    [
        frozenset(DueState),
        None,
        frozenset({DueState.NOW}),
        frozenset({DueState.NOW, DueState.OVERDUE}),
        frozenset({DueState.SOON}),
    ],
)
def test_the_database_lists_what_python_listed(
    many_finished: tuple[Any, datetime.datetime], states: Any
) -> None:
    clinic, now = many_finished
    expected = _expected(clinic, now, states)
    found = [
        (d.plan_id, d.series_index, d.family_name, d.due, d.state)
        for d in due_series(clinic, now=now, states=states)
    ]
    assert found == expected
    # Every state is in the list, each several times.
    assert all(
        sum(e[4] is state for e in expected) >= 3 for state in (states or frozenset(DueState))
    )
