"""Every role against every charting page and endpoint, written out by hand.

Clinical roles chart; front desk and clinic admin cannot open notes; the patient sees
their own signed notes (not drafts) read-only; nobody reaches another clinic's notes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from cit.clinic.charting.consent import do_publish_consent_form, do_sign_consent
from cit.clinic.charting.sessions import (
    do_chart_zone,
    do_record_product,
    do_sign_note,
    do_start_session,
)
from cit.clinic.facilities.models import Device
from cit.clinic.intake.actions import do_record_intake
from tests.clinic.charting.conftest import CONSENT_TEXT, intake, make_lot
from tests.role_table import (
    ADMIN,
    ALL,
    CLINICAL,
    LICENSED,
    NOBODY,
    STAFF,
    Endpoint,
    check_anonymous_refused,
    check_role_access,
)

OWN_PATIENT = {"patient"}


TYPED = {"method": "typed", "typed_name": "Own Lovelace", "patient_confirms": "on"}
ZONE = {"zone": "forehead", "depth_mm": "0.25", "passes": "2", "endpoint": "even_erythema"}
START = {
    "procedure": "microneedling",
    "session_date": "{today}",
    "device": "{device}",
    "photos_taken": "yes",
}
FORM = {
    "procedure": "microneedling",
    "title": "v2",
    "body": CONSENT_TEXT,
    "effective_on": "{today}",
}

ENDPOINTS = [
    Endpoint("consent forms", "GET", "/consent-forms/", frozenset(STAFF)),
    Endpoint(
        "publish consent form", "POST", "/consent-forms/", frozenset(LICENSED | ADMIN), 302, FORM
    ),
    Endpoint("consent page", "GET", "/patients/{own}/consent/", frozenset(CLINICAL)),
    Endpoint("sign consent", "POST", "/patients/{own}/consent/", frozenset(CLINICAL), 302, TYPED),
    Endpoint(
        "foreign consent", "POST", "/patients/{foreign}/consent/", frozenset(NOBODY), 302, TYPED
    ),
    # The signed consent as a PDF: whoever may read the chart (another patient: 404, in
    # tests/clinic/charting/test_consent_pdf.py).
    Endpoint(
        "own consent pdf", "GET", "/consents/{consent}.pdf", frozenset(CLINICAL | OWN_PATIENT)
    ),
    Endpoint("own sessions", "GET", "/patients/{own}/sessions/", frozenset(CLINICAL | OWN_PATIENT)),
    Endpoint("other's sessions", "GET", "/patients/{other}/sessions/", frozenset(CLINICAL)),
    Endpoint("foreign sessions", "GET", "/patients/{foreign}/sessions/", frozenset(NOBODY)),
    Endpoint("start page", "GET", "/patients/{own}/sessions/new/", frozenset(CLINICAL)),
    Endpoint(
        "start session", "POST", "/patients/{own}/sessions/new/", frozenset(CLINICAL), 302, START
    ),
    Endpoint("signed note", "GET", "/sessions/{signed}/", frozenset(CLINICAL | OWN_PATIENT)),
    Endpoint("draft note", "GET", "/sessions/{draft}/", frozenset(CLINICAL)),
    Endpoint("foreign note", "GET", "/sessions/{foreign_note}/", frozenset(NOBODY)),
    Endpoint("chart zone", "POST", "/sessions/{draft}/zones/", frozenset(CLINICAL), 302, ZONE),
    Endpoint(
        "chart foreign zone",
        "POST",
        "/sessions/{foreign_note}/zones/",
        frozenset(NOBODY),
        302,
        ZONE,
    ),
    Endpoint(
        "details",
        "POST",
        "/sessions/{draft}/details/",
        frozenset(CLINICAL),
        302,
        {"photos_taken": "yes"},
    ),
    # The draft has nothing charted: an allowed role reaches the action, which refuses (409).
    Endpoint("sign", "POST", "/sessions/{draft}/sign/", frozenset(CLINICAL), 409, {}),
    Endpoint("amend page", "GET", "/sessions/{signed}/amend/", frozenset(CLINICAL)),
    Endpoint(
        "amend",
        "POST",
        "/sessions/{signed}/amend/",
        frozenset(CLINICAL),
        302,
        {"target": "addendum", "new_value": "Called: fine.", "reason": "Follow-up"},
    ),
    Endpoint("api consent forms", "GET", "/api/consent-forms", frozenset(STAFF)),
    Endpoint("api publish", "POST", "/api/consent-forms", frozenset(LICENSED | ADMIN), 201, FORM),
    Endpoint("api consents", "GET", "/api/patients/{own}/consents", frozenset(CLINICAL)),
    Endpoint(
        "api sign consent",
        "POST",
        "/api/patients/{own}/consents",
        frozenset(CLINICAL),
        201,
        {"method": "typed", "typed_name": "Own Lovelace"},
    ),
    Endpoint(
        "api own sessions", "GET", "/api/patients/{own}/sessions", frozenset(CLINICAL | OWN_PATIENT)
    ),
    Endpoint("api foreign sessions", "GET", "/api/patients/{foreign}/sessions", frozenset(NOBODY)),
    Endpoint(
        "api start",
        "POST",
        "/api/patients/{own}/sessions",
        frozenset(CLINICAL),
        201,
        {"device_id": "{device}", "photos_taken": True},
    ),
    Endpoint("api signed note", "GET", "/api/sessions/{signed}", frozenset(CLINICAL | OWN_PATIENT)),
    Endpoint("api draft note", "GET", "/api/sessions/{draft}", frozenset(CLINICAL)),
    Endpoint("api foreign note", "GET", "/api/sessions/{foreign_note}", frozenset(NOBODY)),
    Endpoint(
        "api update",
        "PATCH",
        "/api/sessions/{draft}",
        frozenset(CLINICAL),
        200,
        {"immediate_reactions": "none"},
    ),
    Endpoint(
        "api chart zone",
        "POST",
        "/api/sessions/{draft}/zones",
        frozenset(CLINICAL),
        200,
        {**ZONE, "passes": 2},
    ),
    Endpoint(
        "api amend",
        "POST",
        "/api/sessions/{signed}/amendments",
        frozenset(CLINICAL),
        201,
        {"target": "addendum", "new_value": "Called", "reason": "Follow-up"},
    ),
    Endpoint(
        "api aftercare",
        "GET",
        "/api/sessions/{signed}/aftercare",
        frozenset(CLINICAL | OWN_PATIENT),
    ),
]


def _visit(clinic: Any, patient: Any, nurse: Any) -> dict[str, Any]:
    """A consented, screened patient with one signed and one draft note."""
    today = patient.clinic.today()
    device = Device.objects.create(
        clinic=clinic,
        kind="pen",
        model="Pen",
        serial_number=f"S{patient.pk}",
        max_depth_mm=Decimal("2"),
    )
    form = do_publish_consent_form(
        actor=nurse,
        clinic=clinic,
        procedure="microneedling",
        title="Consent",
        body=CONSENT_TEXT,
        effective_on=today - datetime.timedelta(days=1),
    )
    do_record_intake(actor=nurse, patient=patient, data=intake(), source="desk", today=today)
    signature = do_sign_consent(
        actor=nurse, patient=patient, form=form, method="typed", typed_name=patient.full_name
    )
    signed = do_start_session(
        actor=nurse, patient=patient, session_date=today, device=device, photos_taken=True
    )
    do_chart_zone(
        actor=nurse,
        note=signed,
        zone="cheeks",
        depth_mm="1",
        passes=2,
        endpoint="pinpoint_bleeding",
    )
    lot = make_lot(clinic, "needle_cartridge", "Cartridge")
    do_record_product(actor=nurse, note=signed, lot=lot, purpose="needle_cartridge")
    do_sign_note(actor=nurse, note=signed)
    draft = do_start_session(
        actor=nurse, patient=patient, session_date=today, device=device, photos_taken=True
    )
    return {
        "device": device.pk,
        "signed": signed.pk,
        "draft": draft.pk,
        "consent": signature.pk,
        "today": today.isoformat(),
    }


@pytest.fixture
def scenario(clinic: Any, other_clinic: Any, make_user: Any, make_patient: Any) -> dict[str, Any]:
    users = {role: make_user(role, clinic) for role in sorted(ALL)}
    own = make_patient(clinic, portal_user=users["patient"], given_name="Own")
    other = make_patient(clinic, given_name="Other")
    foreign = make_patient(other_clinic, given_name="Foreign")
    visit = _visit(clinic, own, users["registered_nurse"])
    foreign_visit = _visit(other_clinic, foreign, make_user("registered_nurse", other_clinic))
    return {
        "users": users,
        "own": own.pk,
        "other": other.pk,
        "foreign": foreign.pk,
        "foreign_note": foreign_visit["signed"],
        **visit,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_role_access(role: str, endpoint: Endpoint, scenario: dict[str, Any]) -> None:
    check_role_access(role, endpoint, scenario)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_anonymous_is_sent_to_log_in(endpoint: Endpoint, scenario: dict[str, Any]) -> None:
    check_anonymous_refused(endpoint, scenario)
