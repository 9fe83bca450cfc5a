"""A provider whose licence lapses mid-series is not booked for the sessions after it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cit.clinic.accounts.models import Provider
from cit.clinic.appointments.proposals import propose_series

pytestmark = pytest.mark.django_db


def test_sessions_after_a_licence_lapses_go_to_a_provider_still_licensed(
    booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any
) -> None:
    plan = make_plan(make_patient(booking_clinic), sessions=4, weeks=4, first_in_days=7)
    lapses_on = booking_clinic.today() + datetime.timedelta(days=14)
    Provider.objects.filter(user=nurse).update(licence_expires_on=lapses_on)
    proposals = propose_series(plan=plan, series_index=0, now=timezone.now())
    assert proposals.result.found, proposals.result.failure
    for proposal in proposals.result.proposals:
        for session in proposal.sessions:
            if session.start.astimezone(booking_clinic.tzinfo).date() > lapses_on:
                assert session.provider_id != str(nurse.provider.pk), (
                    f"session {session.number} on {session.start:%Y-%m-%d} went to a "
                    "provider whose licence lapsed"
                )


def test_no_provider_with_a_valid_licence_means_no_proposal(
    booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any
) -> None:
    plan = make_plan(make_patient(booking_clinic), sessions=4, weeks=4, first_in_days=7)
    lapses_on = booking_clinic.today() + datetime.timedelta(days=14)
    Provider.objects.filter(clinic=booking_clinic).update(licence_expires_on=lapses_on)
    proposals = propose_series(plan=plan, series_index=0, now=timezone.now())
    assert not proposals.result.found
    assert proposals.result.failure is not None
    assert proposals.result.failure.message
