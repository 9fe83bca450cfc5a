"""Blinded photo-pair rating in the browser's terms: a clinician pairs two photos of one
view, the assigned rater sees them as photo 1 and 2 in the drawn order with no dates and
grades them; nobody else reaches the pair or its photos."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client

from cit.clinic.outcomes.actions import shown_order
from cit.clinic.outcomes.models import BlindedPairRating
from cit.clinic.photos.actions import open_photo_file
from cit.clinic.photos.models import Photo
from tests.clinic.photos.conftest import consent, photo_dir, stored_photo  # noqa: F401


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _photos(nurse: Any, patient: Any, today: datetime.date) -> tuple[Any, Any, Any]:
    consent(nurse, patient, "record")
    baseline = stored_photo(nurse, patient, "face_frontal", today - datetime.timedelta(days=84))
    week_12 = stored_photo(nurse, patient, "face_frontal", today, colour=(90, 60, 40))
    oblique = stored_photo(nurse, patient, "face_oblique_left", today)
    return baseline, week_12, oblique


def test_a_pair_is_set_up_rated_blind_and_reported(
    nurse: Any, physician: Any, portal_patient: Any, today: Any
) -> None:
    baseline, week_12, oblique = _photos(nurse, portal_patient, today)
    setup = _client(nurse)
    url = f"/patients/{portal_patient.pk}/outcomes/blinded/new/"
    assert setup.get(url).status_code == 200
    # Two views, or the same day twice, are not a pair.
    refused = setup.post(url, {"first": week_12.pk, "second": oblique.pk, "rater": physician.pk})
    assert refused.status_code == 422
    assert "same view" in refused.content.decode()
    assert not BlindedPairRating.objects.exists()
    # Chosen later-first: the pair still knows which is earlier.
    made = setup.post(url, {"first": week_12.pk, "second": baseline.pk, "rater": physician.pk})
    assert made.status_code == 302
    pair = BlindedPairRating.objects.get()
    assert (pair.earlier_ref, pair.later_ref) == (str(baseline.pk), str(week_12.pk))

    rater = _client(physician)
    listing = rater.get("/outcomes/blinded/").content.decode()
    assert f"/outcomes/blinded/{pair.token}/" in listing
    assert portal_patient.family_name not in listing
    page = rater.get(f"/outcomes/blinded/{pair.token}/").content.decode()
    for photo in (baseline, week_12):
        assert photo.token not in page
        assert photo.taken_on.strftime("%Y") not in page.split("<main")[-1].split("</main>")[0]
    first_ref, second_ref = shown_order(pair)
    for position, ref in ((1, first_ref), (2, second_ref)):
        served = rater.get(f"/outcomes/blinded/{pair.token}/photo/{position}/")
        assert served.status_code == 200
        assert "no-store" in served["Cache-Control"]
        with open_photo_file(Photo.objects.get(pk=int(ref))) as stored:
            assert b"".join(served.streaming_content) == stored.read()

    later_position = "first" if first_ref == str(week_12.pk) else "second"
    saved = rater.post(
        f"/outcomes/blinded/{pair.token}/", {"judged_later": later_position, "gais": 2}
    )
    assert saved.status_code == 302
    pair.refresh_from_db()
    assert (pair.gais, pair.judged_later) == (2, later_position)
    assert "No pairs are waiting for you." in rater.get("/outcomes/blinded/").content.decode()
    report = setup.get(f"/patients/{portal_patient.pk}/outcomes/").content.decode()
    section = report.split('data-testid="blinded-ratings"')[1].split("</section>")[0]
    assert "2 – Much improved" in section
    assert "yes" in section


def test_only_the_assigned_rater_reaches_the_pair(
    nurse: Any,
    physician: Any,
    portal_patient: Any,
    portal_user: Any,
    today: Any,
    make_user: Any,
    clinic: Any,
) -> None:
    baseline, week_12, _oblique = _photos(nurse, portal_patient, today)
    _client(nurse).post(
        f"/patients/{portal_patient.pk}/outcomes/blinded/new/",
        {"first": baseline.pk, "second": week_12.pk, "rater": physician.pk},
    )
    pair = BlindedPairRating.objects.get()
    for outsider in (nurse, make_user("physician", clinic), portal_user):
        client = _client(outsider)
        assert client.get(f"/outcomes/blinded/{pair.token}/").status_code == 404
        assert client.get(f"/outcomes/blinded/{pair.token}/photo/1/").status_code == 404
        assert (
            client.post(
                f"/outcomes/blinded/{pair.token}/", {"judged_later": "first", "gais": 1}
            ).status_code
            == 404
        )
    assert (
        _client(portal_user).get(f"/patients/{portal_patient.pk}/outcomes/blinded/new/").status_code
        == 403
    )
    pair.refresh_from_db()
    assert pair.rated_at is None
    rater = _client(physician)
    assert rater.get(f"/outcomes/blinded/{pair.token}/photo/3/").status_code == 404
    bad = rater.post(f"/outcomes/blinded/{pair.token}/", {"judged_later": "third", "gais": 9})
    assert bad.status_code == 422
