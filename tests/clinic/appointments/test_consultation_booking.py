"""Consultations: booked before any plan, for the clinic's consultation length, only with a
provider whose role the clinic allows, and only where the calendar is free (opening hours,
closures, absences, other bookings); the clinician marks one done; its reminder asks a new
patient for the questionnaire."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail

from cit.clinic.appointments.absences import do_record_absence
from cit.clinic.appointments.booking import do_book_proposal
from cit.clinic.appointments.consultations import (
    do_complete_consultation,
    propose_consultation,
)
from cit.clinic.appointments.errors import SchedulingRefused
from cit.clinic.appointments.models import Appointment, ResourceHold, SeriesBooking
from cit.clinic.appointments.tasks import send_reminder
from cit.clinic.appointments.visits import do_check_in
from cit.clinic.audit.models import AuditEvent
from cit.clinic.facilities.models import ClosureDay

pytestmark = pytest.mark.django_db


def _at(clinic: Any, days: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = clinic.today() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=clinic.tzinfo)


@pytest.fixture
def newcomer(booking_clinic: Any, make_patient: Any) -> Any:
    return make_patient(booking_clinic, given_name="Nina", family_name="Newcomer")


def _book_exact(desk: Any, proposals: Any) -> SeriesBooking:
    assert proposals.exact is not None, proposals.exact_refused
    return do_book_proposal(
        actor=desk, token=proposals.exact.token, clinic=proposals.patient.clinic
    )


def test_a_patient_without_a_plan_books_a_30_minute_consultation(
    booking_clinic: Any, nurse: Any, desk: Any, newcomer: Any
) -> None:
    start = _at(booking_clinic, 7, 10)
    proposals = propose_consultation(
        clinic=booking_clinic, patient=newcomer, start=start, provider=nurse.provider
    )
    series = _book_exact(desk, proposals)
    assert (series.kind, series.plan) == ("consultation", None)
    visit = Appointment.objects.get(series=series)
    # The default length is 30 minutes: 10:00–10:30 local.
    assert visit.local_start().time() == datetime.time(10, 0)
    assert visit.local_end().time() == datetime.time(10, 30)
    assert visit.provider == nurse.provider
    kinds = sorted(ResourceHold.objects.filter(appointment=visit).values_list("kind", flat=True))
    assert kinds == ["patient", "provider", "room"], "a consultation needs no pen"


def test_the_clinic_sets_the_length(
    booking_clinic: Any, nurse: Any, desk: Any, newcomer: Any
) -> None:
    booking_clinic.consultation_minutes = 45
    booking_clinic.save()
    proposals = propose_consultation(
        clinic=booking_clinic,
        patient=newcomer,
        start=_at(booking_clinic, 7, 11),
        provider=nurse.provider,
    )
    visit = Appointment.objects.get(series=_book_exact(desk, proposals))
    assert visit.local_end().time() == datetime.time(11, 45)


def test_only_the_roles_the_clinic_allows_hold_consultations(
    booking_clinic: Any, nurse: Any, physician: Any, desk: Any, newcomer: Any
) -> None:
    booking_clinic.consultation_roles = ["physician"]
    booking_clinic.save()
    refused = propose_consultation(
        clinic=booking_clinic,
        patient=newcomer,
        start=_at(booking_clinic, 7, 10),
        provider=nurse.provider,
    )
    assert refused.exact is None
    assert "does not hold consultations" in (refused.exact_refused or "")
    assert refused.alternatives
    assert {o.session.provider_id for o in refused.alternatives} == {str(physician.provider.pk)}


@pytest.mark.parametrize("obstacle", ["closure", "absence", "booked", "after hours", "past"])
def test_the_clicked_time_must_be_free(
    booking_clinic: Any,
    nurse: Any,
    desk: Any,
    newcomer: Any,
    make_patient: Any,
    obstacle: str,
) -> None:
    start = _at(booking_clinic, 7, 10)
    if obstacle == "closure":
        ClosureDay.objects.create(clinic=booking_clinic, date=start.date(), name="Staff training")
    elif obstacle == "absence":
        do_record_absence(
            actor=desk,
            provider=nurse.provider,
            start=start - datetime.timedelta(hours=1),
            end=start + datetime.timedelta(hours=2),
        )
    elif obstacle == "booked":
        other = make_patient(booking_clinic, given_name="Otto", family_name="Other")
        _book_exact(
            desk,
            propose_consultation(
                clinic=booking_clinic,
                patient=other,
                start=start + datetime.timedelta(minutes=15),
                provider=nurse.provider,
            ),
        )
    elif obstacle == "after hours":
        start = _at(booking_clinic, 7, 17, 45)  # 17:45–18:15, the clinic closes at 18:00
    else:
        start = _at(booking_clinic, -1, 10)
    proposals = propose_consultation(
        clinic=booking_clinic, patient=newcomer, start=start, provider=nurse.provider
    )
    assert proposals.exact is None
    assert proposals.exact_refused
    assert str(nurse.provider.pk) not in proposals.exact_refused.split(), "names, not ids"


def test_a_slot_taken_after_the_proposal_is_refused_at_booking(
    booking_clinic: Any, nurse: Any, desk: Any, newcomer: Any, make_patient: Any
) -> None:
    start = _at(booking_clinic, 7, 10)
    first = propose_consultation(
        clinic=booking_clinic, patient=newcomer, start=start, provider=nurse.provider
    )
    other = make_patient(booking_clinic, given_name="Otto", family_name="Other")
    _book_exact(
        desk,
        propose_consultation(
            clinic=booking_clinic, patient=other, start=start, provider=nurse.provider
        ),
    )
    with pytest.raises(SchedulingRefused):
        _book_exact(desk, first)
    assert not SeriesBooking.objects.filter(patient=newcomer).exists()


def test_the_clinician_marks_the_consultation_done(
    booking_clinic: Any, nurse: Any, desk: Any, newcomer: Any
) -> None:
    now = _at(booking_clinic, 0, 12)
    proposals = propose_consultation(
        clinic=booking_clinic,
        patient=newcomer,
        start=_at(booking_clinic, 0, 12, 15),
        provider=nurse.provider,
        now=now,
    )
    assert proposals.exact is not None
    series = do_book_proposal(
        actor=desk, token=proposals.exact.token, clinic=booking_clinic, now=now
    )
    visit = Appointment.objects.get(series=series)
    do_check_in(actor=desk, appointment=visit, now=now + datetime.timedelta(minutes=10))
    done = do_complete_consultation(
        actor=nurse, appointment=visit, now=now + datetime.timedelta(minutes=40)
    )
    assert done.status == "completed"
    assert done.completed_at == now + datetime.timedelta(minutes=40)
    event = AuditEvent.objects.filter(object_id=str(visit.pk)).order_by("-pk").first()
    assert event is not None
    assert event.detail["event"] == "consultation_done"
    with pytest.raises(SchedulingRefused):
        do_complete_consultation(actor=nurse, appointment=visit, now=now)


def test_a_consultation_is_marked_done_on_its_day_only(
    booking_clinic: Any, nurse: Any, desk: Any, newcomer: Any
) -> None:
    series = _book_exact(
        desk,
        propose_consultation(
            clinic=booking_clinic,
            patient=newcomer,
            start=_at(booking_clinic, 7, 10),
            provider=nurse.provider,
        ),
    )
    visit = Appointment.objects.get(series=series)
    with pytest.raises(SchedulingRefused, match="on the day"):
        do_complete_consultation(actor=nurse, appointment=visit)
    visit.refresh_from_db()
    assert visit.status == "booked"


def test_a_treatment_session_is_not_marked_done_by_hand(
    booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    series = book(make_plan(make_patient(booking_clinic)))
    session = Appointment.objects.get(series=series, number=1)
    with pytest.raises(SchedulingRefused, match="signing its note"):
        do_complete_consultation(actor=nurse, appointment=session)


def test_the_reminder_asks_a_new_patient_for_the_questionnaire(
    booking_clinic: Any, nurse: Any, desk: Any, newcomer: Any, settings: Any
) -> None:
    from cit.clinic.intake.actions import do_record_intake

    settings.SITE_URL = "https://cit.example.org"
    visit = Appointment.objects.get(
        series=_book_exact(
            desk,
            propose_consultation(
                clinic=booking_clinic,
                patient=newcomer,
                start=_at(booking_clinic, 7, 10),
                provider=nurse.provider,
            ),
        )
    )
    assert send_reminder.call(visit.pk, visit.sequence) == "sent"
    link = f"https://cit.example.org/patients/{newcomer.pk}/questionnaire/"
    assert link in mail.outbox[0].body
    assert "questionnaire" in mail.outbox[0].body
    # Once the questionnaire is in, the next reminder does not ask for it.
    do_record_intake(
        actor=None,
        patient=newcomer,
        data={"birth_date": "1985-12-10", "goals": []},
        source="portal",
        today=booking_clinic.today(),
    )
    # As a move does: a new version of the appointment, not yet reminded.
    Appointment.objects.filter(pk=visit.pk).update(
        sequence=5, reminder_claimed_at=None, reminder_sent_at=None
    )
    assert send_reminder.call(visit.pk, 5) == "sent"
    assert "questionnaire" not in mail.outbox[1].body


def test_a_consultation_moves_like_any_visit(
    booking_clinic: Any, nurse: Any, desk: Any, newcomer: Any
) -> None:
    from cit.clinic.appointments.moves import do_move_session

    visit = Appointment.objects.get(
        series=_book_exact(
            desk,
            propose_consultation(
                clinic=booking_clinic,
                patient=newcomer,
                start=_at(booking_clinic, 7, 10),
                provider=nurse.provider,
            ),
        )
    )
    do_move_session(actor=desk, appointment=visit, new_start=_at(booking_clinic, 8, 15))
    visit.refresh_from_db()
    assert (visit.local_start().time(), visit.local_end().time()) == (
        datetime.time(15, 0),
        datetime.time(15, 30),
    )
    # Moving onto a closed day is refused like any booking.
    ClosureDay.objects.create(
        clinic=booking_clinic, date=_at(booking_clinic, 9, 10).date(), name="Holiday"
    )
    with pytest.raises(SchedulingRefused):
        do_move_session(actor=desk, appointment=visit, new_start=_at(booking_clinic, 9, 10))


def test_a_session_charted_the_same_day_is_not_the_consultations(
    booking_clinic: Any,
    nurse: Any,
    desk: Any,
    newcomer: Any,
    make_plan: Any,
    book: Any,
) -> None:
    from cit.clinic.appointments.visits import visit_for_session

    series = book(make_plan(newcomer))
    session = Appointment.objects.get(series=series, number=1)
    day = session.local_start().date()
    # The session at 11:00 (its holds with it), the consultation before it at 09:00.
    late = datetime.datetime.combine(day, datetime.time(11), tzinfo=booking_clinic.tzinfo)
    shift = late - session.start
    Appointment.objects.filter(pk=session.pk).update(start=late, end=session.end + shift)
    for hold in ResourceHold.objects.filter(appointment=session):
        ResourceHold.objects.filter(pk=hold.pk).update(
            start=hold.start + shift, end=hold.end + shift
        )
    session.refresh_from_db()
    early = datetime.datetime.combine(day, datetime.time(9), tzinfo=booking_clinic.tzinfo)
    consultation = _book_exact(
        desk,
        propose_consultation(
            clinic=booking_clinic, patient=newcomer, start=early, provider=nurse.provider
        ),
    )
    assert Appointment.objects.get(series=consultation).start < session.start
    assert visit_for_session(newcomer, day) == session
