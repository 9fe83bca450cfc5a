"""In a real browser: the patient answers the questionnaire in the portal, a nurse sees
the screening, a physician overrides a finding with a reason, and the plan is accepted."""

from __future__ import annotations

from typing import Any

import pytest

from cit.clinic.plans.models import PlannedSession, TreatmentPlanRecord
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_questionnaire_screening_override_plan(
    clinic: Any,
    make_user: Any,
    make_patient: Any,
    page: Any,
    live_server: Any,
    log_in: Any,
    screenshot: Any,
    console_errors: list[str],
) -> None:
    portal_user = make_user("patient", clinic, username="maya", password=PASSWORD)
    patient = make_patient(clinic, portal_user=portal_user, given_name="Maya", family_name="Haddad")
    make_user("registered_nurse", clinic, username="nurse", password=PASSWORD)
    make_user("physician", clinic, username="doctor", password=PASSWORD)

    # The patient fills in the questionnaire in the portal.
    log_in("maya")
    page.get_by_role("link", name="Fill in my pre-visit questionnaire").click()
    page.get_by_label("I get cold sores (herpes)").check()
    page.locator("#id_medications-0-name").fill("Eliquis 5 mg")
    page.locator("#id_goals-0-indication").select_option("acne_scars")
    page.locator("[data-testid=rows-goals] input[value=cheeks]").first.check()
    screenshot("questionnaire-portal")
    page.get_by_role("button", name="Save answers").click()
    assert "Thank you" in page.content()
    page.get_by_role("button", name="Log out").click()

    # The nurse sees the screening: refer (anticoagulant) with the cold-sore precaution.
    log_in("nurse")
    page.goto(f"{live_server.url}/patients/{patient.pk}/screening/")
    assert page.get_by_test_id("decision").inner_text() == "refer"
    assert page.locator("[data-rule=anticoagulant]").is_visible()
    assert page.locator("[data-rule=herpes-history]").is_visible()
    screenshot("screening-refer")
    page.get_by_role("button", name="Log out").click()

    # The physician overrides the anticoagulant finding with a reason.
    log_in("doctor")
    page.goto(f"{live_server.url}/patients/{patient.pk}/screening/")
    page.get_by_label("Reason for overriding anticoagulant").fill(
        "Apixaban paused by cardiology for 48 h around the session"
    )
    page.locator("[data-rule=anticoagulant]").get_by_role("button", name="Override").click()
    assert page.get_by_test_id("decision").inner_text() == "treat_with_precautions"
    assert "paused by cardiology" in page.get_by_test_id("override-anticoagulant").inner_text()
    screenshot("screening-overridden")

    # ...and accepts the plan with fewer sessions.
    page.goto(f"{live_server.url}/patients/{patient.pk}/plan/")
    page.get_by_label("Sessions (3–6)").fill("5")
    page.get_by_role("button", name="Accept this plan").click()
    assert page.get_by_test_id("current-plan").is_visible()
    screenshot("plan-accepted")
    plan = TreatmentPlanRecord.objects.get(patient=patient)
    assert plan.accepted["series"][0]["sessions"] == 5
    assert PlannedSession.objects.filter(plan=plan).count() == 5
    assert console_errors == []
