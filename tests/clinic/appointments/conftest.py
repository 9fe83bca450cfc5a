"""A clinic ready to book: opening hours every day, rooms, pens and a centrifuge; accepted
plans made through the real intake → plan → accept actions. The staff are the shared
personas (tests/conftest.py) at the same clinic: a test that books asks for
``booking_clinic`` as well."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

GOALS = [{"indication": "acne_scars", "areas": ["cheeks"]}]


@pytest.fixture
def booking_clinic(clinic: Any) -> Any:
    from cit.clinic.facilities.models import Device, OpeningHours, Room

    for weekday in range(7):
        OpeningHours.objects.create(
            clinic=clinic, weekday=weekday, opens=datetime.time(9), closes=datetime.time(18)
        )
    Room.objects.create(clinic=clinic, name="Room 1")
    Room.objects.create(clinic=clinic, name="Room 2")
    Device.objects.create(
        clinic=clinic, kind="pen", model="SkinPen", serial_number="PEN-1", max_depth_mm="2.5"
    )
    Device.objects.create(
        clinic=clinic, kind="pen", model="Dermapen", serial_number="PEN-2", max_depth_mm="3.0"
    )
    Device.objects.create(clinic=clinic, kind="centrifuge", model="EBA 200", serial_number="CF-1")
    return clinic


@pytest.fixture
def make_plan(make_user: Any) -> Callable[..., Any]:
    """An accepted plan for ``patient``: one series of ``sessions`` sessions, first session
    ``first_in_days`` from today, interval target ``weeks``."""
    from cit.clinic.intake.actions import do_record_intake
    from cit.clinic.plans.actions import do_accept_plan, propose_plan
    from cit.protocol.adjust import SeriesAdjustment

    def factory(
        patient: Any,
        *,
        sessions: int = 4,
        weeks: int = 4,
        first_in_days: int = 7,
        goals: list[dict[str, Any]] | None = None,
    ) -> Any:
        today = patient.clinic.today()
        do_record_intake(
            actor=None,
            patient=patient,
            data={"birth_date": "1985-06-01", "goals": goals or GOALS},
            source="desk",
            today=today,
        )
        first = today + datetime.timedelta(days=first_in_days)
        intake, proposal = propose_plan(patient, first)
        adjustments = [
            SeriesAdjustment(
                sessions=sessions if index == 0 else series["sessions"],
                interval_target_weeks=weeks if index == 0 else series["interval_weeks"]["target"],
                first_session=first,
            )
            for index, series in enumerate(proposal["series"])
        ]
        return do_accept_plan(
            actor=make_user("physician", patient.clinic),
            patient=patient,
            intake=intake,
            proposal=proposal,
            adjustments=adjustments,
            today=today,
        )

    return factory


@pytest.fixture
def book(booking_clinic: Any, desk: Any) -> Callable[..., Any]:
    """Propose and book the best proposal for series 0 of ``plan`` (at ``booking_clinic``),
    as the front desk."""
    from cit.clinic.appointments.booking import do_book_proposal
    from cit.clinic.appointments.proposals import propose_series

    def factory(plan: Any, **options: Any) -> Any:
        proposals = propose_series(plan=plan, series_index=0, now=timezone.now(), **options)
        assert proposals.result.found, proposals.result.failure
        return do_book_proposal(actor=desk, token=proposals.tokens[0], clinic=plan.patient.clinic)

    return factory
