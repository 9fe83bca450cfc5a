"""The booking fixtures (a clinic ready to book, accepted plans) for the fault tests."""

from tests.clinic.appointments.conftest import book, booking_clinic, make_plan  # noqa: F401
