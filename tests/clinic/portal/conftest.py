"""A clinic ready to book (the appointments fixtures) and a patient with a portal account
and a booked series: acne scars, 3 sessions 4 weeks apart (window 4–6 weeks), the first
a week from today; the clinic is open 09:00–18:00 every day and a visit takes 90 min."""

from __future__ import annotations

from typing import Any

import pytest

from tests.clinic.appointments import conftest as booking

# The booking fixtures of tests/appointments, shared here.
booking_clinic = booking.booking_clinic
make_plan, book = booking.make_plan, booking.book


@pytest.fixture
def portal_user(booking_clinic: Any, make_user: Any) -> Any:
    return make_user("patient", booking_clinic, username="rosa", password="x-portal-pass-1")


@pytest.fixture
def portal_patient(booking_clinic: Any, make_patient: Any, portal_user: Any) -> Any:
    """Rosa, with the portal account ``portal_user``, at a booking clinic that shows its
    address and phone number."""
    booking_clinic.address = "12 Harley Street\nLondon W1G 9PF"
    booking_clinic.phone = "020 7946 0000"
    booking_clinic.save()
    return make_patient(booking_clinic, portal_user=portal_user, given_name="Rosa")


@pytest.fixture
def booked(portal_patient: Any, make_plan: Any, book: Any, nurse: Any) -> Any:
    """The patient's booked series (its appointments ordered by number)."""
    series = book(make_plan(portal_patient, sessions=3, weeks=4))
    return series


@pytest.fixture
def other_patient(booking_clinic: Any, make_patient: Any, make_user: Any) -> Any:
    other_user = make_user("patient", booking_clinic, username="grace")
    return make_patient(
        booking_clinic, portal_user=other_user, given_name="Grace", email="grace@example.com"
    )
