"""Zone depth is refused above the zone maximum, the device maximum, or, when it breaks the
skin, for anyone whose licence does not allow it on the session day."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cit.clinic.charting.models import ZoneTreatment
from cit.clinic.charting.sessions import do_chart_zone

pytestmark = pytest.mark.django_db


def _chart(user: Any, note: Any, zone: str, depth: str) -> ZoneTreatment:
    return do_chart_zone(
        actor=user, note=note, zone=zone, depth_mm=depth, passes=2, endpoint="even_erythema"
    )


def _refusal(user: Any, note: Any, zone: str, depth: str, field: str = "depth_mm") -> str:
    with pytest.raises(ValidationError) as error:
        _chart(user, note, zone, depth)
    return " ".join(error.value.message_dict[field])


def test_licensed_nurse_charts_and_recharting_a_draft_zone_replaces_it(
    draft_note: Any, nurse: Any
) -> None:
    _chart(nurse, draft_note, "cheeks", "1.5")
    _chart(nurse, draft_note, "cheeks", "1.25")
    zone = ZoneTreatment.objects.get(note=draft_note)
    assert zone.depth_mm == Decimal("1.25")
    assert zone.charted_by == nurse


def test_depth_above_the_zone_maximum_is_refused(draft_note: Any, nurse: Any) -> None:
    reason = _refusal(nurse, draft_note, "periorbital", "0.75")
    assert "around the eyes (periorbital) maximum of 0.50 mm" in reason
    assert not ZoneTreatment.objects.exists()


def test_the_clinic_profile_sets_the_zone_maximum(draft_note: Any, nurse: Any) -> None:
    # Neck is 0.25–0.5 mm in the default profile.
    assert "maximum of 0.50 mm" in _refusal(nurse, draft_note, "neck", "0.6")


def test_depth_above_the_device_maximum_is_refused(draft_note: Any, nurse: Any) -> None:
    reason = _refusal(nurse, draft_note, "cheeks", "2.0")  # the pen reaches 1.5 mm
    assert "deeper than SkinPen Precision #SP-1 reaches (1.50 mm)" in reason


def test_esthetician_is_refused_skin_breaking_depth_but_may_treat_below_it(
    draft_note: Any, esthetician: Any
) -> None:
    reason = _refusal(esthetician, draft_note, "forehead", "0.5")
    assert "breaks the skin (deeper than 0.30 mm)" in reason
    _chart(esthetician, draft_note, "forehead", "0.3")
    assert ZoneTreatment.objects.get().depth_mm == Decimal("0.30")


def test_an_expired_licence_may_not_break_skin(draft_note: Any, nurse: Any) -> None:
    nurse.provider.licence_expires_on = draft_note.session_date - datetime.timedelta(days=1)
    nurse.provider.save()
    assert "licence valid on the session day" in _refusal(nurse, draft_note, "cheeks", "1.0")
    _chart(nurse, draft_note, "forehead", "0.25")


def test_a_stricter_profile_lowers_the_threshold(
    draft_note: Any, esthetician: Any, clinic: Any
) -> None:
    clinic.protocol_profile = "us-ny"
    clinic.save()
    draft_note.patient.clinic.refresh_from_db()
    assert "deeper than 0.00 mm" in _refusal(esthetician, draft_note, "forehead", "0.25")


@pytest.mark.parametrize(
    ("zone", "depth", "field"),
    [
        ("eyebrows", "0.5", "zone"),
        ("cheeks", "0", "depth_mm"),
        ("cheeks", "4", "depth_mm"),
        ("cheeks", "deep", "depth_mm"),
    ],
)
def test_bad_zone_input_is_refused(
    draft_note: Any, nurse: Any, zone: str, depth: str, field: str
) -> None:
    _refusal(nurse, draft_note, zone, depth, field)
    assert not ZoneTreatment.objects.exists()


def test_passes_and_endpoint_are_checked(draft_note: Any, nurse: Any) -> None:
    with pytest.raises(ValidationError) as error:
        do_chart_zone(
            actor=nurse, note=draft_note, zone="cheeks", depth_mm="1", passes=0, endpoint="glow"
        )
    assert {"passes", "endpoint"} <= set(error.value.message_dict)
