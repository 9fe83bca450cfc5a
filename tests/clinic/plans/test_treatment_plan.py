"""The plan page: the engine proposes, the clinician adjusts inside the allowed ranges
and accepts; the accepted plan's sessions can be re-dated by hand inside the window."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from cit.clinic.intake.actions import do_override_finding, do_record_intake
from cit.clinic.intake.models import ScreeningRecord
from cit.clinic.plans.models import PlannedSession, TreatmentPlanRecord

pytestmark = pytest.mark.django_db

GOALS = [{"indication": "acne_scars", "areas": ["cheeks"]}]


@pytest.fixture
def nurse_client(clinic: Any, make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("registered_nurse", clinic))
    return client


def _intake(patient: Any, **extra: Any) -> None:
    do_record_intake(
        actor=None,
        patient=patient,
        data={"birth_date": "1985-06-01", "goals": GOALS, **extra},
        source="desk",
        today=patient.clinic.today(),
    )


def _accept(client: Client, patient: Any, **values: Any) -> Any:
    today = patient.clinic.today()
    data = {
        "start": today.isoformat(),
        "s0-sessions": "4",
        "s0-interval_target_weeks": "5",
        "s0-first_session": (today + datetime.timedelta(days=7)).isoformat(),
        "s0-depth-acne_scars:cheeks": "1.5",
        **values,
    }
    return client.post(f"/patients/{patient.pk}/plan/", data)


def test_proposal_then_accepted_plan_with_sessions(nurse_client: Client, patient: Any) -> None:
    _intake(patient)
    page = nurse_client.get(f"/patients/{patient.pk}/plan/")
    assert page.status_code == 200
    series = page.context["proposal"]["series"][0]
    assert series["sessions"] == 6
    assert series["interval_weeks"] == {"min": 4, "target": 4, "max": 6}
    assert _accept(nurse_client, patient).status_code == 302
    plan = TreatmentPlanRecord.objects.get(patient=patient)
    accepted = plan.accepted["series"][0]
    assert (accepted["sessions"], accepted["interval_weeks"]["target"]) == (4, 5)
    assert accepted["zones"][0]["planned_depth_mm"] == 1.5
    assert plan.proposed["series"][0]["sessions"] == 6
    days = list(PlannedSession.objects.filter(plan=plan).values_list("planned_on", flat=True))
    first = patient.clinic.today() + datetime.timedelta(days=7)
    assert days == [first + datetime.timedelta(weeks=5 * n) for n in range(4)]


def test_values_outside_the_ranges_are_refused_with_reasons(
    nurse_client: Client, patient: Any
) -> None:
    _intake(patient)
    response = _accept(
        nurse_client,
        patient,
        **{
            "s0-sessions": "12",
            "s0-interval_target_weeks": "2",
            "s0-depth-acne_scars:cheeks": "2.5",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "must be between 3 and 6" in page
    assert "must be between 4 and 6 weeks" in page
    assert "must be between 1.0 and 2.0 mm" in page
    assert not TreatmentPlanRecord.objects.exists()
    garbage = _accept(nurse_client, patient, **{"s0-sessions": "many"})
    assert garbage.status_code == 422
    assert "enter a whole number" in garbage.content.decode()


def test_plan_refused_until_an_override_lifts_the_finding(
    clinic: Any, make_user: Any, nurse_client: Client, patient: Any
) -> None:
    _intake(patient, medications=[{"name": "Warfarin 5 mg"}])
    page = nurse_client.get(f"/patients/{patient.pk}/plan/")
    assert page.context["refused"]["decision"] == "refer"
    assert "proposal" not in page.context
    screening = ScreeningRecord.objects.get(patient=patient)
    do_override_finding(
        actor=make_user("physician", clinic),
        screening=screening,
        rule="anticoagulant",
        reason="INR stable; haematology cleared on 2026-11-20",
    )
    page = nurse_client.get(f"/patients/{patient.pk}/plan/")
    assert page.context["proposal"]["series"]
    notes = [note["text"] for note in page.context["proposal"]["notes"]]
    assert "Finding anticoagulant overridden by a clinician." in notes


def test_redating_a_session_keeps_the_window(nurse_client: Client, patient: Any) -> None:
    _intake(patient)
    _accept(nurse_client, patient)
    second = PlannedSession.objects.get(number=2)
    too_close = second.planned_on - datetime.timedelta(weeks=2)
    response = nurse_client.post(
        f"/planned-sessions/{second.pk}/date/", {"planned_on": too_close.isoformat()}, follow=True
    )
    assert "the interval must be 4-6 weeks" in response.content.decode()
    second.refresh_from_db()
    moved = second.planned_on + datetime.timedelta(days=3)
    nurse_client.post(f"/planned-sessions/{second.pk}/date/", {"planned_on": moved.isoformat()})
    second.refresh_from_db()
    assert second.planned_on == moved


def test_who_may_see_and_accept(clinic: Any, make_user: Any, patient: Any) -> None:
    _intake(patient)
    desk = Client()
    desk.force_login(make_user("front_desk", clinic))
    assert desk.get(f"/patients/{patient.pk}/plan/").status_code == 403
    esthetician = Client()
    esthetician.force_login(make_user("esthetician", clinic))
    assert esthetician.get(f"/patients/{patient.pk}/plan/").status_code == 200
    portal_user = make_user("patient", clinic)
    patient.portal_user = portal_user
    patient.save()
    portal = Client()
    portal.force_login(portal_user)
    assert portal.get(f"/patients/{patient.pk}/plan/").status_code == 200
    assert _accept(portal, patient).status_code == 403
    assert not TreatmentPlanRecord.objects.exists()


def test_several_goals_each_keep_their_own_count_on_the_page(
    nurse_client: Client, patient: Any
) -> None:
    # Pigmentation (4 of 4-6) and alopecia (12) share 12 visits every 2 weeks.
    _intake(
        patient,
        goals=[
            {"indication": "pigmentation", "areas": ["cheeks"]},
            {"indication": "alopecia", "areas": ["scalp"]},
        ],
    )
    page = nurse_client.get(f"/patients/{patient.pk}/plan/")
    series = page.context["proposal"]["series"][0]
    assert [g["sessions"] for g in series["goals"]] == [4, 12]
    text = page.content.decode()
    assert 'name="s0-goal0-sessions"' in text
    assert 'name="s0-sessions"' not in text
    assert "Scalp: not priced (12 sessions)" in text
    today = patient.clinic.today()
    data = {
        "start": today.isoformat(),
        "s0-goal0-sessions": "6",
        "s0-goal1-sessions": "12",
        "s0-interval_target_weeks": "2",
        "s0-first_session": today.isoformat(),
        "s0-depth-pigmentation:cheeks": "0.5",
        "s0-depth-alopecia:scalp": "1.0",
    }
    refused = nurse_client.post(f"/patients/{patient.pk}/plan/", {**data, "s0-goal0-sessions": "7"})
    assert refused.status_code == 422
    assert "must be between 4 and 6 for pigmentation" in refused.content.decode()
    assert nurse_client.post(f"/patients/{patient.pk}/plan/", data).status_code == 302
    accepted = TreatmentPlanRecord.objects.get(patient=patient).accepted["series"][0]
    assert [g["sessions"] for g in accepted["goals"]] == [6, 12]
    assert accepted["price"]["series"] == [6 * 250, 6 * 400]
    assert PlannedSession.objects.filter(plan__patient=patient).count() == 12


def test_an_implausible_goal_is_a_message_not_an_error_page(
    nurse_client: Client, patient: Any
) -> None:
    _intake(patient, goals=[{"indication": "striae", "areas": ["cheeks"]}])
    page = nurse_client.get(f"/patients/{patient.pk}/plan/")
    assert page.status_code == 200
    assert "cannot be planned on the cheeks" in page.content.decode()


def test_the_clinic_price_list_and_currency_are_used(
    clinic: Any, nurse_client: Client, patient: Any
) -> None:
    from django.core.exceptions import ValidationError

    from cit.clinic.plans.models import ClinicPriceList

    bad = ClinicPriceList(clinic=clinic, currency="euro", prices={})
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "currency" in error.value.message_dict
    with pytest.raises(ValidationError):
        ClinicPriceList(clinic=clinic, currency="EUR", prices={"per_session": {"x": 1}}).clean()
    ClinicPriceList.objects.create(
        clinic=clinic, currency="EUR", prices={"per_session": {"face": [180, 300]}}
    )
    _intake(patient)  # acne scars on the cheeks: 6 sessions of the face
    page = nurse_client.get(f"/patients/{patient.pk}/plan/")
    proposal = page.context["proposal"]
    assert proposal["currency"] == "EUR"
    assert proposal["series"][0]["price"]["series"] == [6 * 180, 6 * 300]
    assert "1080–1800 EUR" in page.content.decode()
