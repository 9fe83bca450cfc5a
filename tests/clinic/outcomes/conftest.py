"""Outcome fixtures: the shared patient with a portal account (``portal_patient``), an
accepted acne-scar plan, and a second patient with their own portal account."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cit.clinic.intake.actions import do_record_intake
from cit.clinic.plans.actions import do_accept_plan, propose_plan
from cit.protocol.adjust import SeriesAdjustment

# The browser fixtures (log_in, screenshot, console_errors) live with tests/browser.
from tests.browser.conftest import PASSWORD, console_errors, log_in, screenshot  # noqa: F401

ACNE_GOALS = [{"indication": "acne_scars", "areas": ["cheeks"]}]


@pytest.fixture
def today(clinic: Any) -> datetime.date:
    return clinic.today()


@pytest.fixture
def portal_user(clinic: Any, make_user: Any) -> Any:
    return make_user("patient", clinic, username="ada", password=PASSWORD)


@pytest.fixture
def portal_patient(clinic: Any, make_patient: Any, portal_user: Any) -> Any:
    """The shared patient (Ada) with the portal account ``portal_user``."""
    return make_patient(clinic, portal_user=portal_user)


@pytest.fixture
def other_patient(clinic: Any, make_patient: Any, make_user: Any) -> Any:
    grace = make_user("patient", clinic, username="grace", password=PASSWORD)
    return make_patient(
        clinic, portal_user=grace, given_name="Grace", family_name="Hopper", email="g@example.com"
    )


def accept_acne_plan(patient: Any, first: datetime.date, sessions: int = 3) -> Any:
    """An accepted acne-scar plan: ``sessions`` sessions 4 weeks apart from ``first``."""
    today = patient.clinic.today()
    do_record_intake(
        actor=None,
        patient=patient,
        data={"birth_date": "1985-12-10", "sex": "female", "goals": ACNE_GOALS},
        source="desk",
        today=today,
    )
    intake, proposal = propose_plan(patient, first)
    adjustments = [SeriesAdjustment(sessions, 4, first) for _ in proposal["series"]]
    from cit.clinic.accounts.models import User

    physician = User.objects.filter(role="physician", clinic=patient.clinic).first()
    assert physician is not None
    return do_accept_plan(
        actor=physician,
        patient=patient,
        intake=intake,
        proposal=proposal,
        adjustments=adjustments,
        today=today,
    )
