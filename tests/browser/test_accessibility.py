"""axe-core (axe-playwright-python, which ships axe.min.js) on the pages of issue 10's
area, for the roles that use them: the patient's portal pages, the patient search and
registration, the questionnaire and screening, the clinic set-up. Any violation fails."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from cit.clinic.charting.consent import do_publish_consent_form
from cit.clinic.facilities.models import Room
from cit.clinic.intake.actions import do_override_finding, do_record_intake
from cit.clinic.inventory.models import Lot, Product
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTAKE = {
    "birth_date": "1985-06-01",
    "sex": "female",
    "medications": [{"name": "Warfarin 5 mg"}],
    "history": {"cold_sores": True},
    "goals": [{"indication": "rejuvenation", "areas": ["cheeks"]}],
}


def _violations(axe: Axe, page: Any) -> list[str]:
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def test_no_axe_violations_on_issue_10_pages(
    clinic: Any, make_user: Any, make_patient: Any, page: Any, live_server: Any, log_in: Any
) -> None:
    portal = make_user("patient", clinic, username="pat", password=PASSWORD)
    patient = make_patient(
        clinic, portal_user=portal, given_name="Rosa", birth_date=datetime.date(1985, 6, 1)
    )
    doctor = make_user("physician", clinic, username="doc", password=PASSWORD)
    make_user("front_desk", clinic, username="desk", password=PASSWORD)
    make_user("clinic_admin", clinic, username="admin", password=PASSWORD)
    _, screening = do_record_intake(
        actor=doctor, patient=patient, data=INTAKE, source="desk", today=clinic.today()
    )
    do_override_finding(
        actor=doctor, screening=screening, rule="anticoagulant", reason="Cleared by haematology"
    )
    room = Room.objects.create(clinic=clinic, name="Room 1")
    product = Product.objects.create(clinic=clinic, kind="serum", name="HA serum")
    lot = Lot.objects.create(
        product=product,
        lot_number="HA-1",
        expires_on=datetime.date(2030, 1, 1),
        received_on=datetime.date(2026, 1, 1),
        quantity_received=5,
        quantity_on_hand=5,
    )
    do_publish_consent_form(
        actor=doctor,
        clinic=clinic,
        procedure="microneedling",
        title="Micro-needling consent",
        body="I understand the procedure, its risks and the aftercare, and agree to it.",
        effective_on=clinic.today(),
    )
    pages = {
        "pat": [
            "/",
            f"/patients/{patient.pk}/",
            f"/patients/{patient.pk}/questionnaire/",
            f"/patients/{patient.pk}/sessions/",
            "/portal/appointments/",
        ],
        "desk": ["/patients/", "/patients/?q=Rosa", "/patients/new/"],
        "doc": [
            f"/patients/{patient.pk}/screening/",
            f"/patients/{patient.pk}/questionnaire/",
            f"/patients/{patient.pk}/sessions/new/",
            f"/patients/{patient.pk}/consent/",
        ],
        "admin": [
            "/clinic/",
            "/clinic/hours/",
            "/clinic/staff/new/",
            f"/clinic/staff/{doctor.pk}/",
            f"/clinic/rooms/{room.pk}/",
            "/audit/",
            "/clinic/messages/",
            f"/patients/{patient.pk}/archive/",
            "/inventory/",
            f"/inventory/lots/{lot.pk}/recall/",
        ],
    }
    axe = Axe()
    found: dict[str, list[str]] = {}
    for username, paths in pages.items():
        log_in(username)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            problems = _violations(axe, page)
            if problems:
                found[f"{username} {path}"] = problems
        page.get_by_role("button", name="Log out").click()
    assert found == {}
