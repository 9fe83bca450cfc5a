"""The whole clinical path in a real browser, as a new clinic's staff would walk it: the
patient answers the questionnaire in the portal, a nurse sees the screening, a physician
overrides one finding with a reason and accepts the plan, the patient signs consent, the
nurse charts the session on the face map, signs the note and adds an amendment."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from cit.clinic.charting.consent import do_publish_consent_form
from cit.clinic.charting.models import NoteAmendment, SessionNote
from cit.clinic.facilities.models import Device
from cit.clinic.inventory.actions import do_add_product, do_receive_lot
from cit.clinic.plans.models import PlannedSession, TreatmentPlanRecord
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_questionnaire_to_signed_and_amended_session(
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
    doctor = make_user("physician", clinic, username="doctor", password=PASSWORD)
    # The clinic's set-up: a pen, a lot of needle cartridges, the consent text.
    pen = Device.objects.create(
        clinic=clinic,
        kind="pen",
        model="SkinPen Precision",
        serial_number="SP-9",
        max_depth_mm=Decimal("2.50"),
    )
    today = patient.clinic.today()
    cartridges = do_add_product(clinic=clinic, kind="needle_cartridge", name="14-pin cartridge")
    lot = do_receive_lot(
        product=cartridges,
        lot_number="NC-77",
        expires_on=today + datetime.timedelta(days=300),
        received_on=today - datetime.timedelta(days=3),
        quantity=10,
    )
    do_publish_consent_form(
        actor=doctor,
        clinic=clinic,
        procedure="microneedling",
        title="Micro-needling consent",
        body="I understand the procedure, its risks (redness, swelling, infection, pigment "
        "change) and the aftercare, and I agree to be treated.",
        effective_on=today,
    )

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
    assert page.get_by_test_id("decision").inner_text() == "Refer to a physician"
    assert page.locator("[data-rule=anticoagulant]").is_visible()
    assert page.locator("[data-rule=herpes-history]").is_visible()
    screenshot("screening-refer")
    page.get_by_role("button", name="Log out").click()

    # The physician overrides the anticoagulant finding with a reason.
    log_in("doctor")
    page.goto(f"{live_server.url}/patients/{patient.pk}/screening/")
    page.locator("[data-rule=anticoagulant]").get_by_placeholder("Reason for overriding").fill(
        "Apixaban paused by cardiology for 48 h around the session"
    )
    page.locator("[data-rule=anticoagulant]").get_by_role("button", name="Override").click()
    assert page.get_by_test_id("decision").inner_text() == "Treat with precautions"
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
    page.get_by_role("button", name="Log out").click()

    # Visit day: the patient signs consent (typed name), witnessed by the nurse.
    log_in("nurse")
    page.goto(f"{live_server.url}/patients/{patient.pk}/sessions/")
    page.get_by_role("link", name="Sign consent").click()
    page.get_by_label("Typed full name").check()
    page.get_by_label("Patient's full name (typed signature)").fill("Maya Haddad")
    page.get_by_label("The patient has read the form").check()
    page.get_by_role("button", name="Sign consent").click()
    screenshot("path-consent-signed")

    # Checklist: the re-screen keeps the physician's override, so the session may start.
    page.get_by_role("link", name="Start a session").click()
    page.get_by_label("Needling device").select_option(str(pen.pk))
    page.get_by_label("Yes").check()
    page.get_by_label("Numbing applied at").fill("09:00")
    page.get_by_label("Numbing removed at").fill("09:30")
    page.get_by_role("button", name="Re-screen and start").click()
    rescreen = page.get_by_test_id("rescreen").inner_text()
    assert rescreen.startswith("Treat with precautions")
    assert "overridden by" in rescreen

    # Face map: the cheeks at the planned depth, then the cartridge lot.
    page.locator('[data-zone="cheeks"] path').first.click()
    page.get_by_label("Depth (mm)").fill("1.5")
    page.get_by_label("Passes").fill("3")
    page.get_by_label("Endpoint reached").select_option("pinpoint_bleeding")
    page.get_by_role("button", name="Save zone").click()
    page.locator('[data-zone-row="cheeks"]').wait_for()
    page.get_by_label("Used as").select_option("needle_cartridge")
    page.get_by_label("Lot").select_option(str(lot.pk))
    page.get_by_role("button", name="Record lot").click()
    screenshot("path-session-charted")

    # Sign, then correct the depth by amendment.
    page.get_by_role("button", name="Sign note").click()
    assert page.get_by_test_id("note-status").inner_text().startswith("Signed")
    page.get_by_role("link", name="Add an amendment").click()
    page.get_by_label("What to correct").select_option("zone:cheeks:depth_mm")
    page.get_by_label("Corrected value").fill("1.25")
    page.get_by_label("Reason").fill("Pen display showed 1.25 mm for the cheeks")
    page.get_by_role("button", name="Add amendment").click()
    row = page.get_by_test_id("amendment").first
    assert "1.50" in row.locator(".was").inner_text()
    assert "1.25" in row.locator(".now").inner_text()
    screenshot("path-signed-and-amended")

    note = SessionNote.objects.get(patient=patient)
    assert note.is_signed
    assert note.zones.get().depth_mm == Decimal("1.50")
    assert NoteAmendment.objects.get(note=note).new_value == "1.25"
    lot.refresh_from_db()
    assert lot.quantity_on_hand == 9
    # Playwright's screenshots inject a caret-hiding style that the strict CSP reports.
    assert [e for e in console_errors if not e.startswith("Applying inline style")] == []
