"""Recovery fixtures: a signed session (the charting fixtures), a portal patient, the SMS
backend in memory, and a clock that can move on by whole days after the session."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from cit.clinic.appointments.sms import LocmemSmsBackend
from tests.browser.conftest import console_errors, log_in, screenshot  # noqa: F401

# The charting fixtures build a consented patient and a signed note.
from tests.clinic.charting.conftest import (  # noqa: F401
    cartridge_lot,
    consent_form,
    consented_patient,
    draft_note,
    pen,
    screened_patient,
    signed_note,
    today,
)


@pytest.fixture(autouse=True)
def _sms_in_memory(settings: Any) -> None:
    settings.SMS_BACKEND = "cit.clinic.appointments.sms.LocmemSmsBackend"
    settings.SITE_URL = "https://clinic.example"
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def move_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime.datetime], None]:
    """Set the application's clock (``timezone.now``) to a fixed moment."""

    def move(to: datetime.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: to)

    return move


@pytest.fixture
def on_day(
    signed_note: Any,  # noqa: F811
    move_clock: Callable[[datetime.datetime], None],
) -> Callable[..., datetime.datetime]:
    """Move the clock to ``day`` days after the signed session, at ``hour`` in the clinic."""

    def move(day: int, hour: int = 12) -> datetime.datetime:
        clinic = signed_note.patient.clinic
        moment = datetime.datetime.combine(
            signed_note.session_date + datetime.timedelta(days=day),
            datetime.time(hour),
            tzinfo=clinic.tzinfo,
        )
        move_clock(moment)
        return moment

    return move


@pytest.fixture
def portal_user(clinic: Any, make_user: Any, screened_patient: Any) -> Any:  # noqa: F811
    user = make_user("patient", clinic, username="ada-portal", password="portal-pass-2026")
    screened_patient.portal_user = user
    screened_patient.save(update_fields=["portal_user"])
    return user


@pytest.fixture
def other_patient_user(clinic: Any, make_user: Any, make_patient: Any) -> Any:
    user = make_user("patient", clinic, username="grace-portal", password="portal-pass-2026")
    make_patient(
        clinic,
        portal_user=user,
        given_name="Grace",
        family_name="Hopper",
        email="grace@example.com",
        birth_date=datetime.date(1976, 12, 9),
    )
    return user


NO_SIGNS: dict[str, Any] = {"redness": 0, "swelling": 0, "pain": 0, "pain_trend": "same"}


def answers(**fields: Any) -> dict[str, Any]:
    return {**NO_SIGNS, **fields}


@pytest.fixture
def day_two(signed_note: Any, on_day: Any) -> Any:  # noqa: F811
    """The signed session's day-2 check-in, on day 2."""
    from cit.clinic.recovery.models import CheckIn

    on_day(2)
    return CheckIn.objects.get(note=signed_note, day=2)
