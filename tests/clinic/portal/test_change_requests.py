"""A patient asks to move or cancel a session from the portal; staff confirm (the
ordinary move or cancel runs) or decline (the patient sees why). Requests outside the
series' interval window, at too little notice, on a closed day or outside opening hours
are refused with a plain reason and change nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from cit.clinic.appointments.models import Appointment, AppointmentStatus
from cit.clinic.facilities.models import ClosureDay
from cit.clinic.portal.models import ChangeRequest, RequestStatus

pytestmark = pytest.mark.django_db


def _sessions(patient: Any) -> list[Appointment]:
    return list(Appointment.objects.filter(patient=patient).order_by("number"))


def _local_day(appointment: Appointment) -> datetime.date:
    return appointment.start.astimezone(appointment.clinic.tzinfo).date()


def _ask_move(client: Client, appointment: Appointment, day: datetime.date, time: str) -> Any:
    return client.post(
        f"/portal/appointments/{appointment.pk}/change/",
        {"kind": "reschedule", "new_date": day.isoformat(), "new_time": time},
    )


@pytest.fixture
def patient_client(portal_user: Any) -> Client:
    client = Client()
    client.force_login(portal_user)
    return client


@pytest.fixture
def desk_client(desk: Any) -> Client:
    client = Client()
    client.force_login(desk)
    return client


def test_a_move_inside_the_window_is_asked_then_confirmed_by_staff(
    portal_patient: Any, booked: Any, patient_client: Client, desk_client: Client
) -> None:
    first, second, _third = _sessions(portal_patient)
    # Session 2 may be 28 to 42 days after session 1: day 30 at 10:00 is inside.
    day = _local_day(first) + datetime.timedelta(days=30)
    response = _ask_move(patient_client, second, day, "10:00")
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.status == RequestStatus.PENDING
    assert _sessions(portal_patient)[1].start == second.start  # nothing moves until staff confirm

    home = patient_client.get("/").content.decode()
    assert "Waiting for the clinic" in home

    worklist = desk_client.get("/portal/requests/")
    assert "Rosa" in worklist.content.decode()
    confirmed = desk_client.post(f"/portal/requests/{change.pk}/confirm/")
    assert confirmed.status_code == 302
    moved = Appointment.objects.get(pk=second.pk)
    wanted = datetime.datetime.combine(day, datetime.time(10), tzinfo=portal_patient.clinic.tzinfo)
    assert moved.start == wanted
    assert moved.status == AppointmentStatus.BOOKED
    change.refresh_from_db()
    assert change.status == RequestStatus.CONFIRMED
    assert "Done by the clinic" in patient_client.get("/").content.decode()


def test_a_move_outside_the_window_is_refused_in_plain_words(
    portal_patient: Any, booked: Any, patient_client: Client
) -> None:
    first, second, _third = _sessions(portal_patient)
    start = _local_day(first)
    too_soon = start + datetime.timedelta(days=20)
    response = _ask_move(patient_client, second, too_soon, "10:00")
    assert response.status_code == 422
    text = response.content.decode()
    earliest = start + datetime.timedelta(days=28)
    latest = start + datetime.timedelta(days=42)
    assert "the sessions need the right gap between them" in text
    assert f"{earliest:%a} {earliest.day} {earliest:%b %Y}" in text
    assert f"{latest:%a} {latest.day} {latest:%b %Y}" in text
    assert not ChangeRequest.objects.exists()


def test_a_time_the_visit_does_not_fit_in_is_refused(
    portal_patient: Any, booked: Any, patient_client: Client
) -> None:
    first, second, _third = _sessions(portal_patient)
    day = _local_day(first) + datetime.timedelta(days=30)
    # Open until 18:00; a 90-minute visit starting 17:00 would end 18:30.
    response = _ask_move(patient_client, second, day, "17:00")
    assert response.status_code == 422
    assert "must fit within the clinic&#x27;s opening hours" in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_a_closed_day_is_refused(
    portal_patient: Any, booked: Any, patient_client: Client, booking_clinic: Any
) -> None:
    first, second, _third = _sessions(portal_patient)
    day = _local_day(first) + datetime.timedelta(days=30)
    ClosureDay.objects.create(clinic=booking_clinic, date=day, name="Training day")
    response = _ask_move(patient_client, second, day, "10:00")
    assert response.status_code == 422
    assert "The clinic is closed that day" in response.content.decode()


def test_a_session_less_than_a_day_away_cannot_be_changed_online(
    portal_patient: Any, booked: Any, patient_client: Client
) -> None:
    first = _sessions(portal_patient)[0]
    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=20)
    Appointment.objects.filter(pk=first.pk).update(
        start=soon, end=soon + datetime.timedelta(minutes=90)
    )
    response = patient_client.post(f"/portal/appointments/{first.pk}/change/", {"kind": "cancel"})
    assert response.status_code == 422
    assert "less than 24 hours away" in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_declining_tells_the_patient_why(
    portal_patient: Any, booked: Any, patient_client: Client, desk_client: Client
) -> None:
    third = _sessions(portal_patient)[2]
    patient_client.post(
        f"/portal/appointments/{third.pk}/change/", {"kind": "cancel", "note": "Travelling"}
    )
    change = ChangeRequest.objects.get()
    response = desk_client.post(
        f"/portal/requests/{change.pk}/decline/",
        {"reason": "Please call us: this is your last session of the series."},
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == RequestStatus.DECLINED
    home = patient_client.get("/").content.decode()
    assert "Not possible" in home
    assert "Please call us: this is your last session of the series." in home
    assert Appointment.objects.get(pk=third.pk).status == AppointmentStatus.BOOKED


def test_a_confirmed_cancellation_cancels_the_session(
    portal_patient: Any, booked: Any, patient_client: Client, desk_client: Client
) -> None:
    third = _sessions(portal_patient)[2]
    patient_client.post(f"/portal/appointments/{third.pk}/change/", {"kind": "cancel"})
    change = ChangeRequest.objects.get()
    desk_client.post(f"/portal/requests/{change.pk}/confirm/")
    assert Appointment.objects.get(pk=third.pk).status == AppointmentStatus.CANCELLED


def test_a_second_request_for_the_same_session_waits_for_the_first(
    portal_patient: Any, booked: Any, patient_client: Client
) -> None:
    third = _sessions(portal_patient)[2]
    patient_client.post(f"/portal/appointments/{third.pk}/change/", {"kind": "cancel"})
    again = patient_client.post(f"/portal/appointments/{third.pk}/change/", {"kind": "cancel"})
    assert again.status_code == 422
    assert ChangeRequest.objects.count() == 1


def test_another_patient_can_neither_see_nor_ask_nor_withdraw(
    portal_patient: Any, booked: Any, other_patient: Any, patient_client: Client
) -> None:
    third = _sessions(portal_patient)[2]
    patient_client.post(f"/portal/appointments/{third.pk}/change/", {"kind": "cancel"})
    change = ChangeRequest.objects.get()
    intruder = Client()
    intruder.force_login(other_patient.portal_user)
    assert intruder.get(f"/portal/appointments/{third.pk}/change/").status_code == 404
    posted = intruder.post(f"/portal/appointments/{third.pk}/change/", {"kind": "cancel"})
    assert posted.status_code == 404
    assert intruder.post(f"/portal/change-requests/{change.pk}/withdraw/").status_code == 404
    assert intruder.post(f"/portal/requests/{change.pk}/confirm/").status_code == 403
    assert ChangeRequest.objects.count() == 1
    change.refresh_from_db()
    assert change.status == RequestStatus.PENDING


def test_staff_of_another_clinic_cannot_answer(
    portal_patient: Any, booked: Any, patient_client: Client, other_clinic: Any, make_user: Any
) -> None:
    third = _sessions(portal_patient)[2]
    patient_client.post(f"/portal/appointments/{third.pk}/change/", {"kind": "cancel"})
    change = ChangeRequest.objects.get()
    stranger = Client()
    stranger.force_login(make_user("front_desk", other_clinic))
    assert stranger.post(f"/portal/requests/{change.pk}/confirm/").status_code in (403, 404)
    assert "Rosa" not in stranger.get("/portal/requests/").content.decode()
    change.refresh_from_db()
    assert change.status == RequestStatus.PENDING


def test_the_patient_may_withdraw_a_waiting_request(
    portal_patient: Any, booked: Any, patient_client: Client
) -> None:
    third = _sessions(portal_patient)[2]
    patient_client.post(f"/portal/appointments/{third.pk}/change/", {"kind": "cancel"})
    change = ChangeRequest.objects.get()
    assert patient_client.post(f"/portal/change-requests/{change.pk}/withdraw/").status_code == 302
    change.refresh_from_db()
    assert change.status == RequestStatus.WITHDRAWN
