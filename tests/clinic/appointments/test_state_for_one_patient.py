"""A search for one patient's series loads every resource hold but other patients' own."""

from __future__ import annotations

import datetime
from typing import Any

from cit.clinic.appointments.convert import state_for_days
from cit.clinic.appointments.models import Appointment
from cit.scheduling import ResourceKind


def test_other_patients_own_holds_are_left_out(
    booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    first = make_patient(booking_clinic)
    second = make_patient(booking_clinic, given_name="Grace")
    book(make_plan(first))
    book(make_plan(second))
    today = booking_clinic.today()
    last = today + datetime.timedelta(days=200)

    def held(patient_id: str | None) -> set[tuple[str, str]]:
        state = state_for_days(booking_clinic, today, last, today=today, patient_id=patient_id)
        return {(b.resource.kind.value, b.appointment_id) for b in state.busy}

    everything = held(None)
    mine = held(str(first.pk))
    theirs = {str(a.pk) for a in Appointment.objects.filter(patient=second)}
    assert ("patient", next(iter(theirs))) in everything
    assert mine == {
        (kind, appointment)
        for kind, appointment in everything
        if not (kind == ResourceKind.PATIENT.value and appointment in theirs)
    }
    # Grace's provider and room holds still count: they can clash with anyone.
    assert {("provider", a) for a in theirs} <= mine
    assert {("room", a) for a in theirs} <= mine
