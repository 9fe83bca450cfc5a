"""axe-core over every page each role can reach from its home (issue 10): a crawl that
follows the links of each page (same site, GET, no downloads or log-out), visits one URL
per distinct pattern (numbers stand for ids), and fails on any violation. The clinic has
what makes pages full: a booked series, a screening with an override, a signed and a
draft note, consent, lots, a closure day and a patient's change request."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

from cit.clinic.appointments.models import Appointment
from cit.clinic.charting.consent import do_publish_consent_form, do_sign_consent
from cit.clinic.charting.sessions import (
    do_chart_zone,
    do_record_product,
    do_sign_note,
    do_start_session,
)
from cit.clinic.facilities.models import ClosureDay, Device
from cit.clinic.intake.actions import do_override_finding, do_record_intake
from cit.clinic.portal.actions import do_request_change
from tests.browser.conftest import PASSWORD
from tests.clinic.appointments import conftest as booking
from tests.clinic.charting.conftest import CONSENT_TEXT, make_lot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

booking_clinic = booking.booking_clinic
make_plan, book = booking.make_plan, booking.book

ROLES = ("physician", "esthetician", "front_desk", "clinic_admin", "patient")
SKIP = re.compile(r"/(accounts/logout|admin|api|static|cds-services)/|\.(ics|pdf|csv)$")
PAGES_PER_ROLE = 60


def _pattern(url: str) -> str:
    """One visit per page kind: ids become <n>; the query's names (not values) count."""
    parsed = urlparse(url)
    names = sorted({part.split("=")[0] for part in parsed.query.split("&") if part})
    return re.sub(r"/\d+", "/<n>", parsed.path) + ("?" + "&".join(names) if names else "")


def _violations(axe: Axe, page: Any) -> list[str]:
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def _clinic_with_everything(
    clinic: Any, make_user: Any, make_patient: Any, plan: Any, book: Any, nurse: Any
) -> None:
    for role in ROLES:
        make_user(role, clinic, username=f"axe-{role}", password=PASSWORD)
    portal = make_user("patient", clinic, username="axe-patient-record", password=PASSWORD)
    from cit.clinic.accounts.models import User

    patient = make_patient(
        clinic, portal_user=User.objects.get(username="axe-patient"), given_name="Rosa"
    )
    make_patient(clinic, portal_user=portal, given_name="Grace", email="grace@example.com")
    book(plan(patient, sessions=3))
    today = clinic.today()
    form = do_publish_consent_form(
        actor=nurse,
        clinic=clinic,
        procedure="microneedling",
        title="Micro-needling consent",
        body=CONSENT_TEXT,
        effective_on=today,
    )
    do_sign_consent(
        actor=nurse, patient=patient, form=form, method="typed", typed_name="Rosa Lovelace"
    )
    pen = Device.objects.filter(clinic=clinic, kind="pen").first()
    signed = do_start_session(
        actor=nurse, patient=patient, session_date=today, device=pen, photos_taken=True
    )
    do_chart_zone(
        actor=nurse,
        note=signed,
        zone="cheeks",
        depth_mm="1.0",
        passes=3,
        endpoint="pinpoint_bleeding",
    )
    do_record_product(
        actor=nurse,
        note=signed,
        lot=make_lot(clinic, "needle_cartridge", "12-pin cartridge"),
        purpose="needle_cartridge",
    )
    do_sign_note(actor=nurse, note=signed)
    _, screening = do_record_intake(
        actor=nurse,
        patient=patient,
        data={
            "birth_date": "1985-12-10",
            "sex": "female",
            "medications": [{"name": "Warfarin 5 mg"}],
            "history": {"cold_sores": True},
            "goals": [{"indication": "acne_scars", "areas": ["cheeks"]}],
        },
        source="portal",
        today=today,
    )
    do_override_finding(
        actor=User.objects.get(username="axe-physician"),
        screening=screening,
        rule="anticoagulant",
        reason="Cleared by haematology",
    )
    do_start_session(
        actor=nurse, patient=patient, session_date=today, device=pen, photos_taken=False
    )
    ClosureDay.objects.create(
        clinic=clinic, date=today + datetime.timedelta(days=200), name="Training day"
    )
    last = Appointment.objects.filter(patient=patient).order_by("-number").first()
    do_request_change(actor=None, appointment=last, kind="cancel", note="Travelling")


def test_no_axe_violations_on_any_page_of_any_role(
    booking_clinic: Any,
    make_user: Any,
    make_patient: Any,
    make_plan: Any,
    book: Any,
    nurse: Any,
    page: Any,
    live_server: Any,
    log_in: Any,
) -> None:
    _clinic_with_everything(booking_clinic, make_user, make_patient, make_plan, book, nurse)
    axe = Axe()
    found: dict[str, list[str]] = {}
    visited: dict[str, int] = {}
    for role in ROLES:
        log_in(f"axe-{role}")
        queue, seen = [f"{live_server.url}/"], set()
        while queue and len(seen) < PAGES_PER_ROLE:
            url = queue.pop(0)
            pattern = _pattern(url)
            if pattern in seen or SKIP.search(urlparse(url).path):
                continue
            seen.add(pattern)
            response = page.goto(url)
            if (
                response is None
                or response.status >= 400
                or "text/html" not in (response.headers.get("content-type", ""))
            ):
                continue
            problems = _violations(axe, page)
            if problems:
                found[f"{role} {pattern}"] = problems
            links = page.eval_on_selector_all(
                "a[href]",
                "els => els.map(e => new URL(e.getAttribute('href'), location.href).href)",
            )
            for href in links:
                if href.startswith(live_server.url) and "#" not in href.split("/")[-1][:1]:
                    queue.append(href.split("#")[0])
        visited[role] = len(seen)
        print(role, sorted(seen))  # the crawl's coverage, in the test log
        page.get_by_role("button", name="Log out").click()
    assert not found, "\n".join(f"{where}: {problems}" for where, problems in found.items())
    # The crawl did reach the pages (a broken crawl would pass vacuously).
    assert visited["patient"] >= 8, visited
    assert visited["physician"] >= 20, visited
