"""Series are booked only inside a provider's weekly working hours."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cit.clinic.accounts.actions import do_set_weekly_rota
from cit.clinic.accounts.models import Provider
from cit.clinic.appointments.proposals import propose_series
from cit.clinic.intake.actions import do_record_intake
from cit.clinic.plans.actions import do_accept_plan, propose_plan
from cit.protocol.adjust import SeriesAdjustment
from tests.clinic.appointments.conftest import GOALS


@pytest.mark.django_db
def test_booking_uses_the_rota(booking_clinic: Any, make_user: Any, make_patient: Any) -> None:

    physician = make_user("physician", booking_clinic)
    patient = make_patient(booking_clinic)
    today = booking_clinic.today()
    do_record_intake(
        actor=None,
        patient=patient,
        data={"birth_date": "1985-06-01", "goals": GOALS},
        source="desk",
        today=today,
    )
    first = today + datetime.timedelta(days=7)
    intake, proposal = propose_plan(patient, first)
    plan = do_accept_plan(
        actor=physician,
        patient=patient,
        intake=intake,
        proposal=proposal,
        adjustments=[SeriesAdjustment(4, 4, first)],
        today=today,
    )
    # The only provider works Tuesday afternoons alone.
    Provider.objects.exclude(pk=physician.provider.pk).update(archived_at=timezone.now())
    tuesday_afternoon = [(datetime.time(13), datetime.time(17, 30))]
    do_set_weekly_rota(
        provider=physician.provider,
        rota={d: (tuesday_afternoon if d == 1 else []) for d in range(7)},
    )
    proposals = propose_series(plan=plan, series_index=0, now=timezone.now())
    assert proposals.result.found, proposals.result.failure
    for proposal in proposals.result.proposals:
        for session in proposal.sessions:
            local = session.start.astimezone(booking_clinic.tzinfo)
            assert local.weekday() == 1
            assert local.time() >= datetime.time(13)
