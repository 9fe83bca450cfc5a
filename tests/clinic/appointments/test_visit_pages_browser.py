"""The consultation and maintenance pages pass axe-core and fit a phone (390 px) without
scrolling sideways."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from cit.clinic.appointments.models import Appointment, SeriesBooking
from tests.browser.conftest import PASSWORD, log_in  # noqa: F401
from tests.clinic.appointments.maintenance_support import finish_series

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visit_pages_are_accessible_and_fit_a_phone(
    booking_clinic: Any,
    make_user: Any,
    make_patient: Any,
    make_plan: Any,
    book: Any,
    page: Any,
    live_server: Any,
    log_in: Any,  # noqa: F811
) -> None:
    clinic = booking_clinic
    make_user("front_desk", clinic, username="desk1", password=PASSWORD)
    nurse = make_user("registered_nurse", clinic, username="nurse1", password=PASSWORD)
    nina = make_patient(clinic, given_name="Nina", family_name="Newcomer")
    mary = make_patient(clinic, given_name="Mary", family_name="Shelley")
    series = book(make_plan(mary))
    finish_series(series, clinic.today() - datetime.timedelta(days=150))
    day = clinic.today() + datetime.timedelta(days=7)
    slot = f"provider={nurse.provider.pk}&start={day.isoformat()}T10:00"
    consultation = SeriesBooking.objects.create(
        clinic=clinic, patient=nina, series_index=0, kind="consultation", request={}
    )
    start = datetime.datetime.combine(day, datetime.time(11), tzinfo=clinic.tzinfo)
    Appointment.objects.create(
        clinic=clinic,
        patient=nina,
        series=consultation,
        number=1,
        provider=nurse.provider,
        room=clinic.rooms.first(),
        start=start,
        end=start + datetime.timedelta(minutes=30),
    )
    paths = [
        "/maintenance/",
        f"/patients/{mary.pk}/maintenance/plan/{series.plan.pk}/series/0/",
        f"/patients/{nina.pk}/consultation/?{slot}",
        f"/patients/{nina.pk}/consultation/",
        f"/patients/{nina.pk}/bookings/",
        f"/calendar/book/?{slot}&q=Newcomer",
    ]
    axe = Axe()
    log_in("desk1")
    problems: dict[str, Any] = {}
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            violations = axe.run(page).response["violations"]
            if violations:
                problems[f"{width} {path}"] = [v["id"] for v in violations]
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems[f"{width} {path}"] = f"scrolls sideways ({scroll} px)"
    assert problems == {}
