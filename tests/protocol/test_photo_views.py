"""The standard photograph views per zone (CLINICAL.md v2 §6): face frontal, 45° obliques and
90° laterals; scalp vertex and frontal hairline; a body area square-on."""

from __future__ import annotations

from cit.protocol.knowledge import get_knowledge
from cit.protocol.photo_views import photo_views_for

FACE = [
    "face_frontal",
    "face_oblique_left",
    "face_oblique_right",
    "face_lateral_left",
    "face_lateral_right",
]


def _ids(zones: list[str]) -> list[str]:
    return [view.id for view in photo_views_for(get_knowledge(), zones)]


def test_a_face_zone_needs_the_five_face_views() -> None:
    assert _ids(["cheeks"]) == FACE
    assert _ids(["face"]) == FACE  # the alias: each view once


def test_the_scalp_needs_vertex_and_frontal_hairline() -> None:
    assert _ids(["scalp"]) == ["scalp_vertex", "scalp_frontal_hairline"]


def test_a_body_area_is_photographed_square_on() -> None:
    assert _ids(["abdomen"]) == ["abdomen_square_on"]
    assert "square-on" in get_knowledge().photo_views["abdomen_square_on"].title


def test_several_zones_give_each_view_once_in_capture_order() -> None:
    assert _ids(["scalp", "chin", "forehead"]) == [*FACE, "scalp_vertex", "scalp_frontal_hairline"]


def test_every_zone_has_views_and_unknown_zones_add_none() -> None:
    knowledge = get_knowledge()
    assert set(knowledge.zone_photo_views) == set(knowledge.zones)
    assert _ids(["elbow"]) == []
