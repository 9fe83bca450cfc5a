"""Consent signing shows only the chosen method's panel: the drawing pad for a drawn
signature, the name box for a typed one (a class's display:flex used to beat the hidden
attribute, so both showed; issue 10)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_only_the_chosen_signing_method_is_shown(
    clinic: Any,
    make_user: Any,
    screened_patient: Any,
    consent_form: Any,
    page: Any,
    live_server: Any,
    log_in: Any,
) -> None:
    make_user("registered_nurse", clinic, username="nurse2", password=PASSWORD)
    log_in("nurse2")
    page.goto(f"{live_server.url}/patients/{screened_patient.pk}/consent/")
    pad = page.get_by_test_id("signature-pad")
    typed = page.get_by_label("Patient's full name (typed signature)")

    page.get_by_label("Typed full name").check()
    assert typed.is_visible()
    assert not pad.is_visible()

    page.get_by_label("Drawn on screen").check()
    assert pad.is_visible()
    assert not typed.is_visible()
