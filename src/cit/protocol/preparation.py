"""Before a session (CLINICAL.md sections 2 and 4): what the patient does ahead of the
visit, from the profile's settings, the visit's check-in time and the patient's screening
findings. The clinic layer words each item for the patient; the numbers live here."""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

from cit.protocol.knowledge import Knowledge, get_knowledge
from cit.protocol.profiles import Profile, resolve_profile


class PreparationKind(enum.StrEnum):
    ARRIVE_EARLY = "arrive_early"
    PAUSE_RETINOIDS = "pause_retinoids"
    PAUSE_SKINCARE_ACTIVES = "pause_skincare_actives"
    COLD_SORE_PROPHYLAXIS = "cold_sore_prophylaxis"
    STOP_SUPPLEMENTS = "stop_supplements"
    STOP_TOPICAL_STEROID = "stop_topical_steroid"


@dataclass(frozen=True, slots=True)
class Preparation:
    """One thing to do before a session. ``days_before``/``days_after`` count from the
    session day; ``minutes`` is how early to arrive; ``on_day_before`` says whether the
    cold-sore medicine starts the day before (else on the day)."""

    kind: PreparationKind
    days_before: int = 0
    days_after: int = 0
    minutes: int = 0
    on_day_before: bool = False


# The screening rule whose finding makes each conditional item apply to this patient.
_BY_RULE: dict[str, PreparationKind] = {
    "herpes-history": PreparationKind.COLD_SORE_PROPHYLAXIS,
    "skincare-active": PreparationKind.PAUSE_SKINCARE_ACTIVES,
    "supplement-antiplatelet": PreparationKind.STOP_SUPPLEMENTS,
    "topical-steroid-area": PreparationKind.STOP_TOPICAL_STEROID,
}


def before_session(
    found_rules: Collection[str],
    profile: Profile | str | None = None,
    *,
    knowledge: Knowledge | None = None,
) -> tuple[Preparation, ...]:
    """Everyone arrives early for check-in and pauses retinoids around each session (the
    aftercare's retinoid days, CLINICAL §5); the rest applies when the patient's screening
    found the matching rule (a history of cold sores, actives, supplements, steroid creams)."""
    knowledge = knowledge or get_knowledge()
    settings = resolve_profile(profile, knowledge).settings
    items = [
        Preparation(PreparationKind.ARRIVE_EARLY, minutes=knowledge.visit.check_in_minutes),
        Preparation(
            PreparationKind.PAUSE_RETINOIDS,
            days_before=settings.retinoid_pause_days_before,
            days_after=settings.retinoid_pause_days_after,
        ),
    ]
    found = {_BY_RULE[rule] for rule in found_rules if rule in _BY_RULE}
    if PreparationKind.COLD_SORE_PROPHYLAXIS in found:
        items.append(
            Preparation(
                PreparationKind.COLD_SORE_PROPHYLAXIS,
                on_day_before=settings.herpes_prophylaxis_start == "day_before",
            )
        )
    if PreparationKind.PAUSE_SKINCARE_ACTIVES in found:
        items.append(
            Preparation(
                PreparationKind.PAUSE_SKINCARE_ACTIVES,
                days_before=settings.retinoid_pause_days_before,
                days_after=settings.retinoid_pause_days_after,
            )
        )
    if PreparationKind.STOP_SUPPLEMENTS in found:
        items.append(
            Preparation(
                PreparationKind.STOP_SUPPLEMENTS, days_before=settings.supplement_stop_days_before
            )
        )
    if PreparationKind.STOP_TOPICAL_STEROID in found:
        items.append(
            Preparation(
                PreparationKind.STOP_TOPICAL_STEROID,
                days_before=settings.topical_steroid_stop_days_before,
            )
        )
    return tuple(items)
