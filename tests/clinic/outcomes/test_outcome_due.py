"""What is due, from the accepted plan's session dates, shown on the outcome page."""

from __future__ import annotations

import datetime
from typing import Any

from cit.clinic.outcomes.actions import do_record_rating, patient_schedule
from cit.protocol.dates import add_months
from tests.clinic.outcomes.conftest import accept_acne_plan


def test_due_dates_from_an_acne_scar_plan(
    physician: Any, nurse: Any, portal_patient: Any, today: Any
) -> None:
    first = today + datetime.timedelta(days=7)
    accept_acne_plan(portal_patient, first, sessions=3)
    # Sessions on first, first + 4 weeks, first + 8 weeks.
    second = first + datetime.timedelta(weeks=4)
    last = first + datetime.timedelta(weeks=8)
    schedule = patient_schedule(portal_patient, today)
    rows = [(d.assessment.on, d.assessment.occasion, d.scale, d.state) for d in schedule.due]
    qual, quant = "goodman-baron-qualitative", "goodman-baron-quantitative"
    assert rows == [
        (first, "baseline", qual, "upcoming"),
        (first, "baseline", quant, "upcoming"),
        (second, "session", qual, "upcoming"),
        (last, "session", qual, "upcoming"),
        (add_months(last, 1), "follow_up", qual, "upcoming"),
        (add_months(last, 1), "follow_up", quant, "upcoming"),
        (add_months(last, 3), "follow_up", qual, "upcoming"),
        (add_months(last, 3), "follow_up", quant, "upcoming"),
    ]


def test_clinician_sees_what_is_due_and_what_is_done(
    client: Any, physician: Any, nurse: Any, portal_patient: Any, today: Any
) -> None:
    accept_acne_plan(portal_patient, today, sessions=3)  # the baseline is today
    do_record_rating(
        actor=nurse,
        patient=portal_patient,
        values={"value": 3},
        rated_on=today,
        scale_id="goodman-baron-qualitative",
    )
    client.force_login(nurse)
    page = client.get(f"/patients/{portal_patient.pk}/outcomes/").content.decode()
    due = page.split('data-testid="outcomes-due"')[1].split("</section>")[0]
    assert "Baseline" in due
    assert due.count('data-state="done"') == 1
    assert due.count('data-state="due"') == 1  # the quantitative score, not yet rated
    assert f"/outcomes/rate/goodman-baron-quantitative/?on={today.isoformat()}" in due
    assert "1 month(s) after the last session" in due


def test_no_plan_nothing_due(client: Any, nurse: Any, portal_patient: Any) -> None:
    client.force_login(nurse)
    page = client.get(f"/patients/{portal_patient.pk}/outcomes/").content.decode()
    assert "No accepted plan yet" in page
