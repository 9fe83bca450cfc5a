"""In a real browser a patient sees their own record and is refused anyone else's."""

from __future__ import annotations

from typing import Any

import pytest

from cit.clinic.audit.models import AuditEvent
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_patient_cannot_open_another_patients_page(
    clinic: Any,
    make_user: Any,
    make_patient: Any,
    page: Any,
    live_server: Any,
    log_in: Any,
    screenshot: Any,
) -> None:
    user = make_user("patient", clinic, username="ada", password=PASSWORD)
    own = make_patient(clinic, portal_user=user, given_name="Ada", family_name="Own")
    other = make_patient(clinic, given_name="Grace", family_name="Other")
    log_in("ada")
    page.get_by_role("link", name="See my full record").click()
    assert page.get_by_test_id("patient-name").inner_text() == "Ada Own"
    assert page.get_by_role("link", name="Edit details").count() == 0

    response = page.goto(f"{live_server.url}/patients/{other.pk}/")
    assert response is not None
    assert response.status == 403
    assert page.get_by_role("heading", name="Not allowed").is_visible()
    assert "Grace" not in page.content()
    screenshot("patient-refused-other-record")
    assert AuditEvent.objects.filter(actor=user, patient=other, action="denied").exists()
    assert AuditEvent.objects.filter(actor=user, patient=own, action="view").exists()


def test_front_desk_registers_a_patient_with_field_errors_first(
    clinic: Any, make_user: Any, page: Any, log_in: Any, screenshot: Any
) -> None:
    make_user("front_desk", clinic, username="desk", password=PASSWORD)
    log_in("desk")
    page.get_by_role("link", name="Register a patient").click()
    page.get_by_label("Given name").fill("Mina")
    page.get_by_role("button", name="Save").click()
    assert page.locator(".field-error[data-field=family_name]").is_visible()
    screenshot("register-patient-errors")
    page.get_by_label("Family name").fill("Haddad")
    page.get_by_label("Birth date").fill("1991-05-17")
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_test_id("patient-name").inner_text() == "Mina Haddad"
    assert "Registered Mina Haddad as TC000001." in page.content()
