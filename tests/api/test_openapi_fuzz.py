"""schemathesis over the whole OpenAPI document: every operation, as a clinician and as a
patient, with a fixed seed and a small budget. It fails on any 5xx and on any answer that
its own OpenAPI document does not describe (status, content type, headers, body schema).

Path parameters are half the time the ids of real records (a patient with an accepted plan,
a booked series, consent, a draft and a signed note), so the operations are exercised past
their 404s. ``make fuzz`` runs the same with a larger budget (``CIT_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import CHECKS

from tests.clinic.appointments.conftest import book, booking_clinic, make_plan  # noqa: F401
from tests.clinic.charting.conftest import (  # noqa: F401
    cartridge_lot,
    consent_form,
    consented_patient,
    draft_note,
    pen,
    screened_patient,
    signed_note,
    today,
)

pytestmark = pytest.mark.django_db(transaction=False)

EXAMPLES = int(os.environ.get("CIT_FUZZ_EXAMPLES", "12"))
SEED = int(os.environ.get("CIT_FUZZ_SEED", "20261126"))
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)

# The ids of real records, by path parameter name; set per test, read by the hook.
KNOWN: dict[str, int] = {}


@schemathesis.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    if not path_parameters:
        return st.just(path_parameters)
    known = {name: KNOWN[name] for name in path_parameters if name in KNOWN}
    return st.sampled_from([path_parameters, {**path_parameters, **known}])


def _checks() -> list[Any]:
    chosen = [check for check in CHECKS.get_all() if check.__name__ in CHECK_NAMES]
    assert len(chosen) == len(CHECK_NAMES)
    return chosen


def _session(user: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The cookies and headers of a logged-in browser: session, CSRF cookie and token."""
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    token = get_token(RequestFactory().get("/"))
    return {"sessionid": session, "csrftoken": token}, {"X-CSRFToken": token}


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """Django's WSGI handler, minus the closing of connections at each request's end (which
    would close the test's transaction), as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["clinician", "patient"])
def test_every_operation_answers_as_documented(
    role: str,
    nurse: Any,  # noqa: F811
    signed_note: Any,  # noqa: F811
    draft_note: Any,  # noqa: F811
    make_plan: Any,  # noqa: F811
    book: Any,  # noqa: F811
    booking_clinic: Any,  # noqa: F811
    make_user: Any,
    settings: Any,
    wsgi_app: Any,
) -> None:
    settings.AXES_ENABLED = False
    settings.RATE_LIMIT_API_PER_MINUTE = 0  # rate limits have their own tests
    record = signed_note.patient
    series = book(make_plan(record))
    appointment = series.appointments.order_by("number").first()
    KNOWN.clear()
    KNOWN.update(
        patient_id=record.pk,
        plan_id=series.plan_id,
        series_index=0,
        appointment_id=appointment.pk,
        note_id=signed_note.pk,
    )
    if role == "patient":
        user = make_user("patient", booking_clinic)
        record.portal_user = user
        record.save(update_fields=["portal_user"])
    else:
        user = nurse
    cookies, headers = _session(user)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    checks = _checks()
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    answered: dict[str, set[int]] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=False,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.seed(SEED)
        def run(case: Any) -> None:
            case.cookies = {**(case.cookies or {}), **cookies}
            response = case.call(headers=headers)
            statuses[response.status_code // 100] += 1
            label = f"{case.operation.method.upper()} {case.operation.path}"
            answered.setdefault(label, set()).add(response.status_code)
            case.validate_response(response, checks=checks)

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}"[:3000])
    assert not failures, "\n\n".join(failures)
    # The session was used: most answers are not 401, and real records were reached.
    print(role, dict(statuses), {k: sorted(v) for k, v in answered.items()})
    assert statuses[2] >= 5, statuses
    assert statuses[4] > 0
