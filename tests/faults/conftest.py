"""The booking fixtures (a clinic ready to book, accepted plans) for the fault tests."""

from tests.clinic.appointments.conftest import (  # noqa: F401
    book,
    booking_clinic,
    desk,
    doctor,
    make_plan,
    nurse,
)
