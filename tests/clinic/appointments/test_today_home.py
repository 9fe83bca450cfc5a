"""Home pages open on today: the clinician's own visits, the desk's whole clinic, each with
its status and what is missing, the next patient first; worklists by role; audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cit.clinic.appointments.models import Appointment
from cit.clinic.audit.models import AuditEvent
from cit.clinic.intake.actions import do_record_intake
from cit.clinic.intake.models import IntakeRecord
from cit.clinic.worklists.models import QuestionnaireReview
from cit.clinic.worklists.today import visits_on
from tests.clinic.appointments.clinic_day_support import move_clinic_to_morning

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two_visits_today(
    booking_clinic: Any, nurse: Any, physician: Any, make_patient: Any, make_plan: Any, book: Any
) -> list[Appointment]:
    """Two patients' first sessions moved to later today, one with each provider. The clinic
    is put in a time zone where it is morning now, so both visits fall today whatever the hour
    the suite runs at."""
    move_clinic_to_morning(booking_clinic)
    now = timezone.now()
    visits = []
    for index, (name, provider) in enumerate([("Grace", nurse), ("Alan", physician)]):
        patient = make_patient(booking_clinic, given_name=name, email=f"{name}@example.com")
        series = book(make_plan(patient))
        visit = Appointment.objects.get(series=series, number=1)
        start = now + datetime.timedelta(minutes=30 + 120 * index)
        Appointment.objects.filter(pk=visit.pk).update(
            start=start,
            end=start + datetime.timedelta(minutes=90),
            provider=provider.provider,
        )
        visit.refresh_from_db()
        visits.append(visit)
    return visits


def test_the_desk_sees_the_whole_clinic_next_first(two_visits_today: Any, desk: Any) -> None:
    grace, alan = two_visits_today
    page = _client(desk).get("/").content.decode()
    assert page.index("Grace") < page.index("Alan")
    assert f'data-testid="visit-{grace.pk}"' in page
    assert f'data-testid="visit-{alan.pk}"' in page
    assert "next</strong>" in page
    assert "consent" in page  # nobody has signed consent
    event = AuditEvent.objects.filter(action="list", detail__has_key="today").latest("at")
    assert set(event.detail["visits"]) == {grace.pk, alan.pk}


def test_a_clinician_sees_only_their_own(two_visits_today: Any, nurse: Any) -> None:
    grace, alan = two_visits_today
    page = _client(nurse).get("/").content.decode()
    assert f'data-testid="visit-{grace.pk}"' in page
    assert f'data-testid="visit-{alan.pk}"' not in page
    assert "Start session" in page
    assert "Notes to sign" in page


def test_times_are_in_the_clinic_time_zone(two_visits_today: Any, desk: Any) -> None:
    clinic = desk.clinic
    clinic.timezone = "America/Los_Angeles"
    clinic.save()
    grace = two_visits_today[0]
    page = _client(desk).get(f"/patients/{grace.patient_id}/bookings/").content.decode()
    assert grace.start.astimezone(clinic.tzinfo).strftime("%H:%M") in page


def test_visit_rows_say_what_is_missing(two_visits_today: Any) -> None:
    grace = two_visits_today[0]
    rows = visits_on(grace.clinic, grace.local_start().date())
    row = next(r for r in rows if r.appointment.pk == grace.pk)
    assert "consent" in row.missing
    assert "questionnaire" not in row.missing


def test_worklists(
    booking_clinic: Any, nurse: Any, desk: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    # A patient booked in two days who never answered the questionnaire.
    answered = make_patient(booking_clinic, given_name="Answered")
    series = book(make_plan(answered, first_in_days=2))
    silent = make_patient(booking_clinic, given_name="Silent")
    visit = Appointment.objects.get(series=series, number=1)
    Appointment.objects.filter(pk=visit.pk).update(patient=silent)
    # The patient who answered has a visit in those days too (moved there by hand here).
    later = Appointment.objects.get(series=series, number=2)
    Appointment.objects.filter(pk=later.pk).update(
        start=visit.start + datetime.timedelta(hours=3), end=visit.end + datetime.timedelta(hours=3)
    )
    # A portal questionnaire waiting for review.
    portal = make_patient(booking_clinic, given_name="Portal")
    intake = do_record_intake(
        actor=None,
        patient=portal,
        data={
            "birth_date": "1985-06-01",
            "goals": [{"indication": "acne_scars", "areas": ["cheeks"]}],
        },
        source="portal",
        today=booking_clinic.today(),
    )
    if not isinstance(intake, IntakeRecord):
        intake = IntakeRecord.objects.filter(patient=portal).first()
    desk_page = _client(desk).get("/").content.decode()
    no_questionnaire = desk_page.split('data-testid="worklist-no-questionnaire"')[1].split(
        "</section>"
    )[0]
    assert "Silent" in no_questionnaire
    assert "Answered" not in no_questionnaire
    assert "Questionnaires to review" not in desk_page
    nurse_client = _client(nurse)
    nurse_page = nurse_client.get("/").content.decode()
    review_list = nurse_page.split('data-testid="worklist-questionnaires"')[1].split("</section>")[
        0
    ]
    assert "Portal" in review_list
    response = nurse_client.post(f"/questionnaires/{intake.pk}/reviewed/")
    assert response.status_code == 302
    assert QuestionnaireReview.objects.filter(intake=intake, reviewed_by=nurse).exists()
    nurse_page = nurse_client.get("/").content.decode()
    review_list = nurse_page.split('data-testid="worklist-questionnaires"')[1].split("</section>")[
        0
    ]
    assert "Portal" not in review_list
    # The desk may not mark reviews; nor may anyone for a missing questionnaire.
    assert _client(desk).post(f"/questionnaires/{intake.pk}/reviewed/").status_code == 403
    assert nurse_client.post("/questionnaires/999999/reviewed/").status_code == 404
    assert nurse_client.get(f"/questionnaires/{intake.pk}/reviewed/").status_code == 405
