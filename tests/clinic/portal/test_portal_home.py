"""The portal home carries the treatment: the next appointment in the clinic's time with
the provider, address and directions, what to do before (from the protocol), the plan in
plain words with its timeline, today's aftercare after a recent session, and the
patient's consents and handouts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cit.clinic.appointments.models import Appointment
from cit.clinic.charting.consent import do_publish_consent_form, do_sign_consent
from cit.clinic.charting.sessions import (
    do_chart_zone,
    do_record_product,
    do_sign_note,
    do_start_session,
)
from cit.clinic.facilities.models import Device
from cit.clinic.intake.actions import do_record_intake
from cit.clinic.portal.home import patient_home
from cit.clinic.recovery.models import CheckIn
from tests.clinic.charting.conftest import CONSENT_TEXT, make_lot
from tests.clinic.photos.conftest import consent, photo_dir, stored_photo  # noqa: F401

pytestmark = pytest.mark.django_db


def _home(portal_user: Any) -> str:
    client = Client()
    client.force_login(portal_user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_next_appointment_in_local_time_with_provider_address_and_directions(
    portal_patient: Any, booked: Any, portal_user: Any
) -> None:
    first = Appointment.objects.filter(patient=portal_patient).order_by("start").first()
    assert first is not None
    local = first.start.astimezone(portal_patient.clinic.tzinfo)
    html = _home(portal_user)
    assert f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}" in html
    assert "Europe/London time" in html
    assert first.provider.user.get_full_name() in html
    assert "12 Harley Street<br>London W1G 9PF" in html
    assert "https://www.openstreetmap.org/search?query=12+Harley+Street%0ALondon+W1G+9PF" in html


def test_what_to_do_before_comes_from_the_protocol(
    portal_patient: Any, booked: Any, portal_user: Any
) -> None:
    html = _home(portal_user)
    assert "Arrive 15 minutes early to check in." in html
    assert "stop it 3 days before the session and start again 7 days after" in html
    assert "cold sores" not in html  # no history of cold sores in this patient's answers


def test_cold_sore_medicine_is_asked_for_after_a_history_of_cold_sores(
    portal_patient: Any, booked: Any, portal_user: Any
) -> None:
    do_record_intake(
        actor=None,
        patient=portal_patient,
        data={
            "birth_date": "1985-06-01",
            "history": {"cold_sores": True},
            "goals": [{"indication": "acne_scars", "areas": ["cheeks"]}],
        },
        source="portal",
        today=portal_patient.clinic.today(),
    )
    html = _home(portal_user)
    assert "Because you have had cold sores" in html
    assert "starting on the day of the session" in html


def test_the_plan_in_plain_words_with_its_timeline(
    portal_patient: Any, booked: Any, portal_user: Any
) -> None:
    html = _home(portal_user)
    assert "Atrophic acne scars: cheeks" in html
    assert "3 sessions, about 4 weeks apart (between 4 and 6 weeks)." in html
    assert "one session every 4 to 6 months keeps the results" in html
    for step in ("Session 1", "Session 2", "Session 3", "First maintenance session"):
        assert step in html
    assert "acne_scars" not in html
    assert "protocol" not in html.lower()


def _sign_session_today(patient: Any, nurse: Any, booking_clinic: Any) -> Any:
    """A consented, charted and signed session today (which schedules the diary)."""
    today = booking_clinic.today()
    form = do_publish_consent_form(
        actor=nurse,
        clinic=booking_clinic,
        procedure="microneedling",
        title="Micro-needling consent",
        body=CONSENT_TEXT,
        effective_on=today - datetime.timedelta(days=30),
    )
    do_sign_consent(
        actor=nurse, patient=patient, form=form, method="typed", typed_name="Rosa Lovelace"
    )
    pen = Device.objects.filter(clinic=booking_clinic, kind="pen").first()
    assert pen is not None
    assert pen.max_depth_mm >= Decimal("1.0")
    note = do_start_session(
        actor=nurse,
        patient=patient,
        session_date=today,
        device=pen,
        photos_taken=True,
    )
    do_chart_zone(
        actor=nurse,
        note=note,
        zone="cheeks",
        depth_mm="1.0",
        passes=3,
        endpoint="pinpoint_bleeding",
    )
    lot = make_lot(booking_clinic, "needle_cartridge", "12-pin cartridge")
    do_record_product(actor=nurse, note=note, lot=lot, purpose="needle_cartridge")
    do_sign_note(actor=nurse, note=note)
    return note


def test_todays_aftercare_two_days_after_a_session_and_the_documents(
    portal_patient: Any, booked: Any, portal_user: Any, nurse: Any, booking_clinic: Any
) -> None:
    note = _sign_session_today(portal_patient, nurse, booking_clinic)

    html = _home(portal_user)
    # The session day (CLINICAL.md §5): ice packs, no make-up, no retinoids.
    assert "Day 0 after your session" in html
    assert "Ice packs for a few hours." in html
    assert "No make-up." in html
    assert f"/sessions/{note.pk}/aftercare.pdf" in html

    now = datetime.datetime.now(datetime.UTC)
    # Day 2: mineral make-up only, still no retinoids, no sauna until day 5.
    day_two = patient_home(portal_patient, now + datetime.timedelta(days=2))["aftercare_today"]
    assert day_two.day == 2
    assert "Mineral make-up only." in day_two.instructions
    assert "No retinoids." in day_two.instructions
    assert "No make-up." not in day_two.instructions  # days 0 and 1 only
    # Day 7 still shows (usual care again); day 8 is past the week.
    day_seven = patient_home(portal_patient, now + datetime.timedelta(days=7))["aftercare_today"]
    assert "Usual make-up and skin care again." in day_seven.instructions
    assert patient_home(portal_patient, now + datetime.timedelta(days=8))["aftercare_today"] is None
    assert "Micro-needling consent, signed" in html
    assert "/portal/consents/" in html


def test_no_aftercare_more_than_a_week_after(
    portal_patient: Any, booked: Any, portal_user: Any
) -> None:
    assert 'data-testid="aftercare-today"' not in _home(portal_user)


def test_check_ins_due_and_the_newest_photos(
    portal_patient: Any, booked: Any, portal_user: Any, nurse: Any, booking_clinic: Any
) -> None:
    note = _sign_session_today(portal_patient, nurse, booking_clinic)
    now = datetime.datetime.now(datetime.UTC)
    assert patient_home(portal_patient, now)["check_ins_due"] == []
    # Just after day 2's check-in is due, days 1 and 2 wait (day 3 is not yet due).
    day_two_due = CheckIn.objects.get(note=note, day=2).due_at
    later = patient_home(portal_patient, day_two_due + datetime.timedelta(minutes=1))
    assert [c.day for c in later["check_ins_due"]] == [1, 2]
    CheckIn.objects.filter(note=note, day=1).update(answered_at=now)
    CheckIn.objects.filter(note=note, day=2).update(due_at=now - datetime.timedelta(hours=1))
    html = _home(portal_user)
    day_two = CheckIn.objects.get(note=note, day=2)
    due = html.split('data-testid="check-ins-due"')[1].split("</section>")[0]
    assert f'href="/portal/diary/{day_two.pk}/"' in due
    assert "Day 2 after your session" in html
    assert "Day 1 after your session" not in html

    assert 'data-testid="my-progress"' in html
    assert "photo-strip" not in html
    consent(nurse, portal_patient, "record")
    first = stored_photo(nurse, portal_patient, "face_frontal", note.session_date)
    newest = stored_photo(
        nurse, portal_patient, "face_frontal", note.session_date + datetime.timedelta(days=1)
    )
    side = stored_photo(nurse, portal_patient, "face_oblique_left", note.session_date)
    assert patient_home(portal_patient)["recent_photos"] == [newest, side]
    progress = _home(portal_user).split('data-testid="my-progress"')[1].split("</section>")[0]
    assert f"/photos/{newest.token}/thumbnail/" in progress
    assert first.token not in progress
