"""In a real browser: a physician's override survives the patient saving the
questionnaire unchanged and lapses, visibly, when the medicine behind it changes; the
session start says the effective decision; "Add another" adds a row in place (issue 10)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from cit.clinic.charting.consent import do_publish_consent_form, do_sign_consent
from cit.clinic.facilities.models import Device
from cit.clinic.intake.actions import do_override_finding, do_record_intake
from cit.clinic.intake.models import IntakeRecord
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WARFARIN = {
    "birth_date": "1985-06-01",
    "sex": "female",
    "medications": [{"name": "Warfarin 5 mg"}],
    "goals": [{"indication": "rejuvenation", "areas": ["cheeks"]}],
}


def test_override_survives_an_unchanged_save_and_lapses_when_its_facts_change(
    clinic: Any,
    make_user: Any,
    make_patient: Any,
    page: Any,
    live_server: Any,
    log_in: Any,
    screenshot: Any,
) -> None:
    portal_user = make_user("patient", clinic, username="rosa", password=PASSWORD)
    patient = make_patient(
        clinic,
        portal_user=portal_user,
        given_name="Rosa",
        family_name="Diaz",
        birth_date=datetime.date(1985, 6, 1),
    )
    make_user("registered_nurse", clinic, username="nurse", password=PASSWORD)
    doctor = make_user("physician", clinic, username="doctor", password=PASSWORD)
    today = patient.clinic.today()
    _, screening = do_record_intake(
        actor=doctor, patient=patient, data=WARFARIN, source="desk", today=today
    )
    assert screening.decision == "refer"
    do_override_finding(
        actor=doctor,
        screening=screening,
        rule="anticoagulant",
        reason="INR stable; cleared by haematology for micro-needling",
    )
    pen = Device.objects.create(
        clinic=clinic, kind="pen", model="Pen", serial_number="P-1", max_depth_mm=Decimal("2.5")
    )
    form = do_publish_consent_form(
        actor=doctor,
        clinic=clinic,
        procedure="microneedling",
        title="Micro-needling consent",
        body="I understand the procedure, its risks and the aftercare, and agree to it.",
        effective_on=today,
    )
    do_sign_consent(
        actor=doctor, patient=patient, form=form, method="typed", typed_name="Rosa Diaz"
    )

    # The patient opens the questionnaire and saves it without changing anything.
    log_in("rosa")
    page.get_by_role("link", name="Fill in my pre-visit questionnaire").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Save answers").click()
    assert "Thank you" in page.content()
    assert IntakeRecord.objects.filter(patient=patient).count() == 2
    page.get_by_role("button", name="Log out").click()

    # The nurse sees the override still standing, then starts the session.
    log_in("nurse")
    page.goto(f"{live_server.url}/patients/{patient.pk}/screening/")
    assert page.get_by_test_id("decision").inner_text() == "Treat"
    assert "cleared by haematology" in page.get_by_test_id("override-anticoagulant").inner_text()
    assert "overridden" in page.get_by_test_id("overridden-note").inner_text()
    page.goto(f"{live_server.url}/patients/{patient.pk}/sessions/new/")
    last = page.get_by_test_id("last-screening").inner_text()
    assert last.startswith("Treat (overridden; the screening said refer to a physician)")
    page.get_by_label("Needling device").select_option(str(pen.pk))
    page.get_by_label("Yes").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Re-screen and start").click()
    message = page.locator(".messages .success").inner_text()
    assert message == (
        "Session started. Re-screen: treat (overridden; the screening said refer to a physician)."
    )
    page.get_by_role("button", name="Log out").click()

    # The patient now records a last dose for the warfarin: the finding's facts change.
    log_in("rosa")
    page.get_by_role("link", name="Fill in my pre-visit questionnaire").click()
    page.locator("#id_medications-0-last_dose").fill(
        (today - datetime.timedelta(days=2)).isoformat()
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save answers").click()
    page.get_by_role("button", name="Log out").click()

    log_in("nurse")
    page.goto(f"{live_server.url}/patients/{patient.pk}/screening/")
    assert page.get_by_test_id("decision").inner_text() == "Refer to a physician"
    lapsed = page.get_by_test_id("lapsed-anticoagulant").inner_text()
    assert "no longer applies" in lapsed
    assert "cleared by haematology" in lapsed
    assert page.get_by_test_id("override-anticoagulant").count() == 0
    screenshot("override-lapsed")


def test_add_another_adds_a_row_in_place(
    clinic: Any, make_user: Any, make_patient: Any, page: Any, live_server: Any, log_in: Any
) -> None:
    make_user("front_desk", clinic, username="desk", password=PASSWORD)
    patient = make_patient(clinic)
    log_in("desk")
    page.goto(f"{live_server.url}/patients/{patient.pk}/questionnaire/")
    goals = page.get_by_test_id("rows-goals")
    assert goals.locator("[data-row]").count() == 1
    url = page.url
    goals.get_by_role("button", name="Add another").click()
    assert goals.locator("[data-row]").count() == 2
    assert page.url == url, "no reload, no jump"
    new_select = page.locator("#id_goals-1-indication")
    assert new_select.is_visible()
    assert page.evaluate("document.activeElement.id") == "id_goals-1-indication"
    assert page.locator("input[name=goals-TOTAL_FORMS]").input_value() == "2"
    # The added row is saved with the rest.
    new_select.select_option("acne_scars")
    page.locator("#id_goals-1-areas input[value=cheeks]").check()
    page.locator("#id_goals-0-indication").select_option("rejuvenation")
    page.locator("#id_goals-0-areas input[value=forehead]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save answers").click()
    saved = IntakeRecord.objects.get(patient=patient)
    assert [goal["indication"] for goal in saved.data["goals"]] == ["rejuvenation", "acne_scars"]


def test_add_another_without_javascript(
    clinic: Any, make_user: Any, make_patient: Any, browser: Any, live_server: Any
) -> None:
    make_user("front_desk", clinic, username="desk2", password=PASSWORD)
    patient = make_patient(clinic)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("desk2")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/patients/{patient.pk}/questionnaire/")
    page.locator("#id_allergies-0-substance").fill("Latex")
    with page.expect_navigation():  # without JavaScript the button posts the page
        page.get_by_test_id("rows-allergies").get_by_role("button", name="Add another").click()
    page.wait_for_load_state()
    rows = page.get_by_test_id("rows-allergies").locator("[data-row]")
    assert rows.count() == 2
    assert page.locator("#id_allergies-0-substance").input_value() == "Latex"
    assert page.url.endswith("#rows-allergies"), "the page comes back at the list"
    assert not IntakeRecord.objects.filter(patient=patient).exists()
    context.close()
