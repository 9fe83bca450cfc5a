"""Depth rules of a session (CLINICAL.md sections 3 and 5), without the clinic's records."""

from decimal import Decimal

from cit.protocol.aftercare import course_depth
from cit.protocol.depth import NEEDLE_DEPTH_CAP_MM, depth_refusals
from cit.protocol.knowledge import get_knowledge
from cit.protocol.profiles import load_profile


def _refusals(depth: str, zone: str = "cheeks", *, licensed: bool, device_max: str | None = None):  # type: ignore[no-untyped-def]
    asked = []

    def may_break_skin() -> bool:
        asked.append(True)
        return licensed

    reasons = depth_refusals(
        Decimal(depth),
        zone=zone,
        profile=load_profile(),
        device="Pen 1",
        device_max_mm=Decimal(device_max) if device_max else None,
        may_break_skin=may_break_skin,
    )
    return reasons, bool(asked)


def test_cheeks_take_up_to_two_millimetres_by_a_licensed_clinician() -> None:
    # Cheeks 0.5-2.0 mm; deeper than 0.3 mm breaks the skin (licensed only).
    assert _refusals("2.00", licensed=True) == ([], True)
    reasons, _ = _refusals("2.10", licensed=True)
    assert len(reasons) == 1
    assert "deeper than the cheeks maximum of 2.00 mm" in reasons[0]


def test_skin_breaking_depth_needs_a_licence_and_shallower_does_not_ask() -> None:
    reasons, asked = _refusals("0.50", licensed=False)
    assert asked
    assert len(reasons) == 1
    assert "breaks the skin (deeper than 0.30 mm)" in reasons[0]
    assert _refusals("0.30", licensed=False) == ([], False)


def test_the_device_and_the_zone_are_checked() -> None:
    reasons, _ = _refusals("1.50", licensed=True, device_max="1.00")
    assert reasons == ["1.50 mm is deeper than Pen 1 reaches (1.00 mm)."]
    assert _refusals("0.50", "elbow", licensed=True)[0] == ["'elbow' is not a treatment zone."]


def test_the_cap_is_the_deepest_published_chart_depth() -> None:
    # The deepest downtime band's chart (DRPEN) gives 2.0-3.0 mm.
    assert get_knowledge().downtime[-1].published_mm == (2.0, 3.0)
    assert float(NEEDLE_DEPTH_CAP_MM) == 3.0


def test_an_uncharted_session_is_told_the_shallowest_course() -> None:
    assert course_depth([0.5, 1.5, 1.0]) == 1.5
    assert course_depth([]) == 0.5  # the shallowest downtime band: up to 0.5 mm
