"""Recording a rating from the page: scored by the core, stored with who rated and when;
bad input changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from cit.clinic.audit.models import AuditEvent
from cit.clinic.outcomes.models import OutcomeRating


def _mmasi_post(day: datetime.date, **fields: str) -> dict[str, str]:
    data = {"rated_on": day.isoformat()}
    for region in ("forehead", "right_malar", "left_malar", "chin"):
        data[f"in_{region}.area"] = "0"
        data[f"in_{region}.darkness"] = "0"
    data.update(fields)
    return data


def test_mmasi_rating_scored_and_audited(
    client: Any, nurse: Any, portal_patient: Any, today: Any
) -> None:
    client.force_login(nurse)
    url = f"/patients/{portal_patient.pk}/outcomes/rate/mmasi/"
    assert client.get(url).status_code == 200
    # forehead 0.3 x 2 x 3 = 1.8; chin 0.1 x 1 x 4 = 0.4; total 2.2
    data = _mmasi_post(
        today,
        **{
            "in_forehead.area": "2",
            "in_forehead.darkness": "3",
            "in_chin.area": "1",
            "in_chin.darkness": "4",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302
    rating = OutcomeRating.objects.get(patient=portal_patient)
    assert rating.total == Decimal("2.2")
    assert (rating.scale_id, rating.rater_kind, rating.rated_by, rating.rated_on) == (
        "mmasi",
        "clinician",
        nurse,
        today,
    )
    assert AuditEvent.objects.filter(
        action="create", patient=portal_patient, object_type="outcomes.OutcomeRating"
    ).exists()


def test_out_of_range_and_future_refused(
    client: Any, nurse: Any, portal_patient: Any, today: Any
) -> None:
    client.force_login(nurse)
    url = f"/patients/{portal_patient.pk}/outcomes/rate/mmasi/"
    response = client.post(url, _mmasi_post(today, **{"in_chin.area": "7"}))
    assert response.status_code == 422
    response = client.post(url, _mmasi_post(today + datetime.timedelta(days=1)))
    assert response.status_code == 422
    assert b"future" in response.content
    assert not OutcomeRating.objects.exists()


def test_goodman_baron_quantitative_from_the_form(
    client: Any, nurse: Any, portal_patient: Any, today: Any
) -> None:
    client.force_login(nurse)
    data = {"rated_on": today.isoformat()}
    for item in (
        "macular",
        "mild_atrophic",
        "moderate_atrophic",
        "punched_out_shallow",
        "broad_shallow",
        "punched_out_deep_normal",
        "punched_out_deep_abnormal",
        "linear_troughed",
        "broad_deep",
        "papular",
        "keloidal",
    ):
        data[f"in_{item}"] = "0"
    # broad shallow 11-20 scars: 4; punched-out deep abnormal base > 20: 9. Total 13.
    data.update(in_broad_shallow="2", in_punched_out_deep_abnormal="3")
    response = client.post(
        f"/patients/{portal_patient.pk}/outcomes/rate/goodman-baron-quantitative/", data
    )
    assert response.status_code == 302
    assert OutcomeRating.objects.get().total == 13


def test_rating_linked_to_a_session_of_another_patient_refused(
    nurse: Any, portal_patient: Any, other_patient: Any, today: Any
) -> None:
    from django.core.exceptions import ValidationError

    from cit.clinic.outcomes.actions import do_record_rating

    class ForeignNote:
        patient_id = other_patient.pk

    try:
        do_record_rating(
            actor=nurse,
            patient=portal_patient,
            values={"value": 2},
            rated_on=today,
            scale_id="glogau",
            session_note=ForeignNote(),  # type: ignore[arg-type]
        )
    except ValidationError as error:
        assert "session_note" in error.message_dict
    else:
        raise AssertionError("a session of another patient was accepted")
    assert not OutcomeRating.objects.exists()


def test_unknown_scale_is_404(client: Any, nurse: Any, portal_patient: Any) -> None:
    client.force_login(nurse)
    assert client.get(f"/patients/{portal_patient.pk}/outcomes/rate/face-q/").status_code == 404
