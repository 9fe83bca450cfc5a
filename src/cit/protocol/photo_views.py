"""Which standard photograph views a set of treated zones needs (CLINICAL.md section 6)."""

from __future__ import annotations

from collections.abc import Iterable

from cit.protocol.knowledge import Knowledge, PhotoView


def photo_views_for(knowledge: Knowledge, zones: Iterable[str]) -> tuple[PhotoView, ...]:
    """The views for ``zones`` (zone ids or area aliases such as "face"), each once, in the
    knowledge base's capture order. Unknown zones contribute nothing."""
    wanted: set[str] = set()
    for zone in knowledge.expand_areas(zones):
        wanted.update(knowledge.zone_photo_views.get(zone, ()))
    return tuple(view for view_id, view in knowledge.photo_views.items() if view_id in wanted)
