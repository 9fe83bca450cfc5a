"""Under each plot, the photos taken on that scale's rating dates: thumbnails through the
photos app's authorised view, only within the patient's photo consent for the record."""

from __future__ import annotations

import datetime
from typing import Any

from cit.clinic.outcomes.actions import do_record_rating
from cit.clinic.photos.actions import do_withdraw_photo_consent
from tests.clinic.photos.conftest import consent, photo_dir, stored_photo  # noqa: F401


def _panel(client: Any, patient: Any) -> str:
    page = client.get(f"/patients/{patient.pk}/outcomes/").content.decode()
    return page.split('data-testid="scale-glogau"')[1].split("</section>")[0]


def test_photos_of_the_rating_dates_appear_under_the_plot(
    client: Any, nurse: Any, portal_patient: Any, today: Any
) -> None:
    earlier = today - datetime.timedelta(days=84)
    for day, grade in ((earlier, 3), (today, 2)):
        do_record_rating(
            actor=nurse,
            patient=portal_patient,
            values={"value": grade},
            rated_on=day,
            scale_id="glogau",
        )
    client.force_login(nurse)
    assert "photo-strip" not in _panel(client, portal_patient)  # no photos: no empty strip

    consent(nurse, portal_patient, "record")
    baseline = stored_photo(nurse, portal_patient, "face_frontal", earlier)
    stored_photo(
        nurse, portal_patient, "face_frontal", today - datetime.timedelta(days=3)
    )  # no rating
    week_12 = stored_photo(nurse, portal_patient, "face_frontal", today)
    panel = _panel(client, portal_patient)
    assert panel.index("photo-strip") > panel.index('data-testid="values-glogau"')
    shown = [p for p in (baseline, week_12) if f"/photos/{p.token}/thumbnail/" in panel]
    assert shown == [baseline, week_12]
    assert panel.count("/thumbnail/") == 2
    assert f'href="/photos/{week_12.token}/image/"' in panel
    # The thumbnail itself is served to this nurse.
    assert client.get(f"/photos/{week_12.token}/thumbnail/").status_code == 200

    do_withdraw_photo_consent(
        actor=nurse, patient=portal_patient, scopes=["record"], stated_on=today
    )
    assert "photo-strip" not in _panel(client, portal_patient)
