"""In the browser, at 390 px: a clinician records three Goodman & Baron grades through the
form and the outcome page shows the plot with its values beside it; the clinician's and the
patient's outcome pages fit the phone and have no axe-core violations."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import PASSWORD
from tests.clinic.outcomes.conftest import accept_acne_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _violations(page: Any) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def test_goodman_baron_plot_at_390_px(
    clinic: Any,
    make_user: Any,
    physician: Any,
    portal_user: Any,
    portal_patient: Any,
    today: datetime.date,
    page: Any,
    live_server: Any,
    log_in: Any,
    screenshot: Any,
    console_errors: list[str],
) -> None:
    make_user("registered_nurse", clinic, username="nurse", password=PASSWORD)
    accept_acne_plan(portal_patient, today)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("nurse")
    outcomes = f"{live_server.url}/patients/{portal_patient.pk}/outcomes/"
    days = [today - datetime.timedelta(days=n) for n in (60, 30, 0)]
    for day, grade in zip(days, ("4", "3", "2"), strict=True):
        page.goto(f"{outcomes}rate/goodman-baron-qualitative/")
        page.get_by_label("Rated on").fill(day.isoformat())
        page.get_by_label("G&B qualitative").select_option(grade)
        with page.expect_navigation():
            page.get_by_role("button", name="Save the rating").click()
        assert page.url == outcomes
    # The longest forms (mMASI: four regions x area and darkness) fit and pass axe too.
    for scale in ("mmasi", "goodman-baron-quantitative"):
        page.goto(f"{outcomes}rate/{scale}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, scale
        assert _violations(page) == [], scale
    page.goto(outcomes)
    plot = page.get_by_role("img", name="Plot of G&B qualitative over time")
    assert plot.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert plot.evaluate("img => img.complete && img.naturalWidth > 0")
    table = page.get_by_test_id("values-goodman-baron-qualitative")
    assert table.locator("tbody tr").count() == 3
    assert "Mild: not obvious at 50 cm" in table.locator("tbody tr").nth(2).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("outcomes-clinician-390")
    assert _violations(page) == []

    page.context.clear_cookies()
    log_in("ada")
    page.goto(outcomes)
    assert page.get_by_role("img", name="Plot of G&B qualitative over time").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("outcomes-patient-390")
    assert _violations(page) == []
    assert console_errors == []
