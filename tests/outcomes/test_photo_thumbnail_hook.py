"""The slot under each plot for photo thumbnails: whatever views.photo_thumbnails returns
(the photos app, once wired) is shown under that scale's plot, with its alternative text."""

from __future__ import annotations

from typing import Any

from cit.clinic.outcomes import views
from cit.clinic.outcomes.actions import do_record_rating


def test_thumbnails_from_the_hook_appear_under_the_plot(
    client: Any, nurse: Any, patient: Any, today: Any, monkeypatch: Any
) -> None:
    do_record_rating(
        actor=nurse, patient=patient, values={"value": 2}, rated_on=today, scale_id="glogau"
    )
    client.force_login(nurse)
    page = client.get(f"/patients/{patient.pk}/outcomes/").content.decode()
    assert "photo-strip" not in page  # nothing from the hook: no empty strip

    def thumbnails(patient: Any, panel: Any, request: Any) -> list[dict[str, str]]:
        return [{"url": "/photos/7/thumb", "alt": "Front view, baseline", "caption": "Baseline"}]

    monkeypatch.setattr(views, "photo_thumbnails", thumbnails)
    page = client.get(f"/patients/{patient.pk}/outcomes/").content.decode()
    panel = page.split('data-testid="scale-glogau"')[1].split("</section>")[0]
    assert '<img src="/photos/7/thumb" alt="Front view, baseline"' in panel
    assert panel.index("photo-strip") > panel.index('data-testid="values-glogau"')
