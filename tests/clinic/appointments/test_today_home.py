"""Home pages open on today: the clinician's own visits, the desk's whole clinic, each with
its status and what is missing, the next patient first; worklists by role; audited."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cit.clinic.appointments.models import Appointment
from cit.clinic.audit.models import AuditEvent
from cit.clinic.intake.actions import do_record_intake
from cit.clinic.intake.models import IntakeRecord
from cit.clinic.patients.models import Patient
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
    row = next(r for r in rows if r.pk == grace.pk)
    assert "consent" in row.missing
    assert "questionnaire" not in row.missing


def _portal_questionnaire(patient: Any) -> IntakeRecord:
    """A questionnaire the patient sent from the portal (waiting for a clinician's review)."""
    do_record_intake(
        actor=None,
        patient=patient,
        data={
            "birth_date": "1985-06-01",
            "goals": [{"indication": "acne_scars", "areas": ["cheeks"]}],
        },
        source="portal",
        today=patient.clinic.today(),
    )
    return IntakeRecord.objects.get(patient=patient)


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
    intake = _portal_questionnaire(portal)
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


def _row(page: str, pk: int) -> str:
    found = re.search(rf'<tr [^>]*data-testid="visit-{pk}">.*?</tr>', page, re.S)
    assert found is not None, f"no row for visit {pk}"
    return found.group(0)


def _cells(row: str) -> list[str]:
    """Each cell's text, tags left out and entities read."""
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def _hhmm(moment: datetime.datetime, clinic: Any) -> str:
    return moment.astimezone(clinic.tzinfo).strftime("%H:%M")


def test_the_desks_row_cell_by_cell_the_name_escaped(two_visits_today: Any, desk: Any) -> None:
    grace, alan = two_visits_today
    Patient.objects.filter(pk=grace.patient_id).update(given_name="<script>alert(1)</script>")
    page = _client(desk).get("/").content.decode()
    assert "<script>alert(1)</script>" not in page
    row = _row(page, grace.pk)
    assert row.startswith(
        f'<tr class="visit-row status-booked next-visit" data-testid="visit-{grace.pk}">'
    )
    assert f'<a href="/patients/{grace.patient_id}/">&lt;script&gt;alert(1)&lt;/script&gt; ' in row
    clinic = desk.clinic
    # Time (the next one marked), patient, visit, provider, room, status, missing, buttons.
    assert _cells(row) == [
        f"{_hhmm(grace.start, clinic)}–{_hhmm(grace.end, clinic)} next",
        "<script>alert(1)</script> Lovelace",
        "Session 1",
        grace.provider.user.first_name + " " + grace.provider.user.last_name,
        grace.room.name,
        "Booked",
        "consent",  # questionnaire answered and screened to treat by the plan; no consent
        "Check in",
    ]
    assert f'data-testid="visit-status-{grace.pk}">Booked</span>' in row
    # The check-in form posts back to this page with the page's CSRF token; the desk may not
    # start a session, and the visit has not begun (no no-show yet).
    form = re.search(r"<form .*?</form>", row, re.S)
    assert form is not None
    assert f'action="/appointments/{grace.pk}/status/"' in form.group(0)
    assert re.search(r'name="csrfmiddlewaretoken" value="\w+"', form.group(0))
    assert '<input type="hidden" name="next" value="/">' in form.group(0)
    assert f'value="check_in" class="small" data-testid="check-in-{grace.pk}"' in form.group(0)
    assert f"no-show-{grace.pk}" not in row and f"start-{grace.pk}" not in row
    # Only the next visit is marked.
    assert "next-visit" not in _row(page, alan.pk)
    assert page.count('<strong class="next-label">next</strong>') == 1


def test_the_clinicians_rows_without_the_provider_column(two_visits_today: Any, nurse: Any) -> None:
    grace, _alan = two_visits_today
    page = _client(nurse).get("/").content.decode()
    row = _row(page, grace.pk)
    clinic = nurse.clinic
    assert _cells(row) == [
        f"{_hhmm(grace.start, clinic)}–{_hhmm(grace.end, clinic)} next",
        "Grace Lovelace",
        "Session 1",
        grace.room.name,
        "Booked",
        "consent",
        "Check in Start session",
    ]
    assert (
        f'<a class="button small" href="/patients/{grace.patient_id}/sessions/new/" '
        f'data-testid="start-{grace.pk}">Start session</a>'
    ) in row


def test_the_next_marker_and_the_order_follow_the_statuses(
    two_visits_today: Any, desk: Any
) -> None:
    grace, alan = two_visits_today
    now = timezone.now()
    # Grace began ten minutes ago and never came: a no-show button, still the next visit.
    Appointment.objects.filter(pk=grace.pk).update(start=now - datetime.timedelta(minutes=10))
    page = _client(desk).get("/").content.decode()
    row = _row(page, grace.pk)
    assert "next-visit" in row
    assert f'value="no_show" class="small secondary" data-testid="no-show-{grace.pk}"' in row
    # Checked in: her label in words and an undo; no check-in any more.
    Appointment.objects.filter(pk=grace.pk).update(status="arrived")
    row = _row(_client(desk).get("/").content.decode(), grace.pk)
    assert f'data-testid="visit-status-{grace.pk}">Checked in</span>' in row
    assert 'value="undo_check_in" class="small secondary">Undo check-in</button>' in row
    assert "check_in" not in row.replace("undo_check_in", "")
    assert "next-visit" in row
    # Completed: Alan is next, and Grace's row comes after his.
    Appointment.objects.filter(pk=grace.pk).update(status="completed")
    page = _client(desk).get("/").content.decode()
    assert "next-visit" not in _row(page, grace.pk)
    assert "next-visit" in _row(page, alan.pk)
    assert page.index(f'data-testid="visit-{alan.pk}"') < page.index(
        f'data-testid="visit-{grace.pk}"'
    )
    assert _cells(_row(page, grace.pk))[5:] == ["Completed", "consent", ""]
    # Cancelled visits are not shown.
    Appointment.objects.filter(pk=alan.pk).update(status="cancelled")
    page = _client(desk).get("/").content.decode()
    assert f'data-testid="visit-{alan.pk}"' not in page
    assert page.count("next-label") == 0


def test_worklist_items_cell_by_cell_names_escaped(
    booking_clinic: Any, nurse: Any, desk: Any, make_patient: Any, make_plan: Any, book: Any
) -> None:
    answered = make_patient(booking_clinic, given_name="Answered")
    series = book(make_plan(answered, first_in_days=2))
    silent = make_patient(booking_clinic, given_name="<b>Silent</b>", email="silent@example.com")
    visit = Appointment.objects.get(series=series, number=1)
    Appointment.objects.filter(pk=visit.pk).update(patient=silent)
    portal = make_patient(booking_clinic, given_name="<i>Portal</i>")
    intake = _portal_questionnaire(portal)
    start = visit.start.astimezone(booking_clinic.tzinfo)
    desk_page = " ".join(_client(desk).get("/").content.decode().split())
    # "D j M H:i", then the record, the questionnaire to fill in and the address to send it.
    assert (
        f"<li>{start:%a} {start.day} {start:%b} {start:%H:%M} — "
        f'<a href="/patients/{silent.pk}/">&lt;b&gt;Silent&lt;/b&gt; Lovelace</a> '
        f'<a href="/patients/{silent.pk}/questionnaire/">fill in</a> '
        '<span class="muted">(silent@example.com)</span></li>'
    ) in desk_page
    recorded = intake.recorded_at.astimezone(booking_clinic.tzinfo)
    nurse_page = " ".join(_client(nurse).get("/").content.decode().split())
    item = re.search(rf'<li><a href="/patients/{portal.pk}/screening/">.*?</form></li>', nurse_page)
    assert item is not None
    # The form carries the page's CSRF token (a new mask each page: any word characters).
    token = r'<input type="hidden" name="csrfmiddlewaretoken" value="\w+">'
    assert len(re.findall(token, item.group(0))) == 1
    assert re.sub(token, "{csrf}", item.group(0)) == (
        f'<li><a href="/patients/{portal.pk}/screening/">&lt;i&gt;Portal&lt;/i&gt; Lovelace</a>'
        f" — version 1, patient portal, {recorded.day} {recorded:%b} {recorded:%H:%M} "
        f'<form method="post" action="/questionnaires/{intake.pk}/reviewed/" '
        'class="inline-form">{csrf}<button type="submit" class="small secondary">'
        "Mark reviewed</button></form></li>"
    )
