"""How deep a zone may be needled in a session, and by whom (CLINICAL.md sections 3 and 5).

The charting page and the chart action ask :func:`depth_refusals`; they supply what only the
clinic's records know (the device's deepest setting, whether the clinician's licence is valid
on the day).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from cit.protocol.knowledge import Knowledge, get_knowledge
from cit.protocol.profiles import Profile

NEEDLE_DEPTH_CAP_MM = Decimal("3.0")
"""Nothing is needled or set deeper: the deepest band of the manufacturers' depth charts ends
at 3.0 mm (CLINICAL.md section 5 [DRPEN], as course.toml's deepest ``published_mm``)."""


@dataclass(frozen=True, slots=True)
class ZoneLimits:
    """What the knowledge base and profile say about a zone, for the page and the checks."""

    id: str
    title: str
    block: str
    min_mm: Decimal
    max_mm: Decimal


def in_mm(value: float) -> Decimal:
    """A depth as charted: millimetres to two decimals."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def zone_limits(profile: Profile, knowledge: Knowledge | None = None) -> dict[str, ZoneLimits]:
    """The zones, in knowledge-base order, with the profile's depth ranges."""
    depths = profile.settings.zone_depth_mm
    return {
        zone.id: ZoneLimits(
            zone.id,
            zone.title,
            zone.block,
            in_mm(depths.get(zone.id, zone.depth_mm)[0]),
            in_mm(depths.get(zone.id, zone.depth_mm)[1]),
        )
        for zone in (knowledge or get_knowledge()).zones.values()
    }


def skin_breaking_threshold(profile: Profile) -> Decimal:
    """Deeper than this breaks the skin: licensed professionals only (CLINICAL.md section 3)."""
    return in_mm(profile.settings.skin_breaking_depth_mm)


def depth_refusals(
    depth_mm: Decimal,
    *,
    zone: str,
    profile: Profile,
    device: str,
    device_max_mm: Decimal | None,
    may_break_skin: Callable[[], bool],
) -> list[str]:
    """Why ``zone`` may not be needled at ``depth_mm`` with ``device`` (empty: allowed).

    ``may_break_skin`` says whether the clinician may needle deeper than the skin-breaking
    depth on the day; it is asked only for such a depth.
    """
    limits = zone_limits(profile).get(zone)
    if limits is None:
        return [f"'{zone}' is not a treatment zone."]
    reasons = []
    if depth_mm > limits.max_mm:
        reasons.append(
            f"{depth_mm} mm is deeper than the {limits.title.lower()} maximum of "
            f"{limits.max_mm} mm (knowledge base, profile {profile.name})."
        )
    if device_max_mm is not None and depth_mm > device_max_mm:
        reasons.append(f"{depth_mm} mm is deeper than {device} reaches ({device_max_mm} mm).")
    threshold = skin_breaking_threshold(profile)
    if depth_mm > threshold and not may_break_skin():
        reasons.append(
            f"{depth_mm} mm breaks the skin (deeper than {threshold} mm): only a licensed "
            "medical professional with a licence valid on the session day may needle it."
        )
    return reasons
