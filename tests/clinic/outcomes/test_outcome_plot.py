"""A Goodman & Baron plot (server-rendered SVG) appears on the outcome page after three
ratings, with the values in the table beside it; the PDF summary carries it too."""

from __future__ import annotations

import base64
import datetime
import re
from typing import Any

from cit.clinic.outcomes.actions import do_record_rating

QUAL = "goodman-baron-qualitative"


def _three_ratings(nurse: Any, patient: Any, today: datetime.date) -> list[datetime.date]:
    days = [today - datetime.timedelta(days=n) for n in (90, 60, 30)]
    for day, grade in zip(days, (4, 3, 2), strict=True):
        do_record_rating(
            actor=nurse, patient=patient, values={"value": grade}, rated_on=day, scale_id=QUAL
        )
    return days


def _svg_of(page: str, key: str) -> str:
    section = page.split(f'data-testid="scale-{key}"')[1].split("</section>")[0]
    match = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', section)
    assert match, "no plot in the panel"
    return base64.b64decode(match.group(1)).decode()


def test_goodman_baron_plot_after_three_ratings(
    client: Any, nurse: Any, portal_patient: Any, today: Any
) -> None:
    days = _three_ratings(nurse, portal_patient, today)
    client.force_login(nurse)
    page = client.get(f"/patients/{portal_patient.pk}/outcomes/").content.decode()
    svg = _svg_of(page, QUAL)
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    assert "<script" not in svg
    assert "<!-- Baseline -->" in svg  # the baseline line, labelled in the legend
    # The text alternative: every value beside the plot, with its change from baseline.
    table = page.split(f'data-testid="values-{QUAL}"')[1].split("</table>")[0]
    cells = re.findall(r"<td>(.*?)</td>", table)
    assert cells == [
        f"{days[0].day} {days[0]:%b %Y}",
        "Severe: does not flatten when stretched",
        "baseline",
        nurse.get_full_name(),
        f"{days[1].day} {days[1]:%b %Y}",
        "Moderate: obvious at 50 cm or more, not easily covered, flattens when stretched",
        "-1",
        nurse.get_full_name(),
        f"{days[2].day} {days[2]:%b %Y}",
        "Mild: not obvious at 50 cm or more, covered by make-up",
        "-2",
        nurse.get_full_name(),
    ]
    assert 'alt="Plot of G&amp;B qualitative over time; the same values are in the table' in page


def test_patient_sees_own_plot(
    client: Any, nurse: Any, portal_user: Any, portal_patient: Any, today: Any
) -> None:
    _three_ratings(nurse, portal_patient, today)
    client.force_login(portal_user)
    page = client.get(f"/patients/{portal_patient.pk}/outcomes/").content.decode()
    assert "<svg" in _svg_of(page, QUAL)


def test_pdf_summary(client: Any, nurse: Any, portal_patient: Any, today: Any) -> None:
    _three_ratings(nurse, portal_patient, today)
    client.force_login(nurse)
    response = client.get(f"/patients/{portal_patient.pk}/outcomes/summary.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"/Subtype /Image" in response.content  # the plot
