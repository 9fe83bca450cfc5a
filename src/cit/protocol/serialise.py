"""JSON-ready dictionaries of the engine's results (and of intakes, for storage).

Dates become ``YYYY-MM-DD`` strings, enums their values, sources ``{"key", "citation"}``.
The screening's shape is the CLI's and the API's:
``{"decision", "until", "findings", "unrecognised", "protocol_version", "profile"}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from cit.protocol.aftercare import AftercareDay, CourseDay, DiaryClassification
from cit.protocol.knowledge import Knowledge, get_knowledge
from cit.protocol.model import AREA_FLAGS, Coding, Finding, Intake, Screening
from cit.protocol.planning import (
    Maintenance,
    MilestoneDates,
    PlanNote,
    PriceEstimate,
    SeriesPlan,
    TreatmentPlan,
)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _sources(keys: tuple[str, ...], knowledge: Knowledge) -> list[dict[str, str]]:
    return [{"key": key, "citation": knowledge.citation(key)} for key in keys]


def _range(value: tuple[float, float] | None) -> list[float] | None:
    return [value[0], value[1]] if value is not None else None


def finding_to_dict(finding: Finding, knowledge: Knowledge | None = None) -> dict[str, Any]:
    knowledge = knowledge or get_knowledge()
    return {
        "rule": finding.rule,
        "decision": finding.decision.value,
        "title": finding.title,
        "until": _day(finding.until),
        "until_condition": finding.until_condition,
        "actions": list(finding.actions),
        "facts": [{"path": fact.path, "text": fact.text} for fact in finding.facts],
        "sources": _sources(finding.sources, knowledge),
    }


def screening_to_dict(screening: Screening, knowledge: Knowledge | None = None) -> dict[str, Any]:
    """``{"decision", "until", "findings", "unrecognised", "protocol_version", "profile"}``.

    ``until`` is set only for a ``defer`` whose end can be computed; an indefinite defer's
    condition is in its finding's ``until_condition``.
    """
    knowledge = knowledge or get_knowledge()
    return {
        "decision": screening.decision.value,
        "until": _day(screening.until),
        "findings": [finding_to_dict(finding, knowledge) for finding in screening.findings],
        "unrecognised": [
            {"path": item.path, "where": item.where, "text": item.text, "reason": item.reason}
            for item in screening.unrecognised
        ],
        "protocol_version": screening.protocol_version,
        "profile": screening.profile,
    }


def _notes(notes: tuple[PlanNote, ...], knowledge: Knowledge) -> list[dict[str, Any]]:
    return [{"text": note.text, "sources": _sources(note.sources, knowledge)} for note in notes]


def milestones_to_list(
    milestones: Iterable[MilestoneDates], knowledge: Knowledge
) -> list[dict[str, Any]]:
    return [
        {
            "id": m.id,
            "text": m.text,
            "from": m.start.isoformat(),
            "to": m.end.isoformat(),
            "sources": _sources(m.sources, knowledge),
        }
        for m in milestones
    ]


def maintenance_to_dict(maintenance: Maintenance, knowledge: Knowledge) -> dict[str, Any]:
    return {
        "interval_months": list(maintenance.interval_months),
        "target_months": maintenance.target_months,
        "first_date": maintenance.first_date.isoformat(),
        "window": [day.isoformat() for day in maintenance.window],
        "text": maintenance.text,
        "sources": _sources(maintenance.sources, knowledge),
    }


def price_to_dict(price: PriceEstimate, knowledge: Knowledge | None = None) -> dict[str, Any]:
    """A series' price: the totals, each part (priced or "not priced") and the rates used,
    so that an adjusted series can be priced again without the clinic's list."""
    knowledge = knowledge or get_knowledge()
    return {
        "currency": price.currency,
        "per_session": _range(price.per_session),
        "series": _range(price.series),
        "complete": price.complete,
        "unpriced_blocks": list(price.unpriced_blocks),
        "parts": [
            {
                "kind": part.kind,
                "block": part.block,
                "label": part.label,
                "sessions": part.sessions,
                "units": part.units,
                "per_unit": _range(part.per_unit),
                "total": _range(part.total),
            }
            for part in price.parts
        ],
        "rates": {key: _range(rate) for key, rate in price.rates},
        "laser_alternative": _range(price.laser_alternative),
        "note": price.note,
        "sources": _sources(price.sources, knowledge),
    }


def series_to_dict(series: SeriesPlan, knowledge: Knowledge | None = None) -> dict[str, Any]:
    """A series. ``sessions`` is its number of visits; each goal has its own ``sessions``
    (needled at the first visits until reached) and each zone the ``sessions`` it is needled
    at, with one depth per visit."""
    knowledge = knowledge or get_knowledge()
    visit = series.visit
    plans = series.goal_plans
    return {
        "indications": list(series.indications),
        "goals": [
            {
                "indication": goal.indication,
                "planned_as": plans[index].indication if plans else goal.indication,
                "areas": list(goal.areas),
                "prp": goal.prp,
                "single_scar": goal.single_scar,
                "scar_types": list(goal.scar_types),
                **(
                    {
                        "sessions": plans[index].sessions,
                        "sessions_range": list(plans[index].sessions_range),
                        "interval_weeks": list(plans[index].interval_weeks),
                        "last_session": plans[index].last_session.isoformat(),
                        "price_items": [list(item) for item in plans[index].price_items],
                    }
                    if plans
                    else {}
                ),
            }
            for index, goal in enumerate(series.goals)
        ],
        "zones": [
            {
                "indication": zone.indication,
                "indications": list(zone.indications or (zone.indication,)),
                "sessions": zone.sessions or series.sessions,
                "zone": zone.zone,
                "depth_mm": [zone.depth.min_mm, zone.depth.max_mm],
                "indication_depth_mm": list(zone.depth.indication_range),
                "zone_depth_mm": list(zone.depth.zone_range),
                "depth_note": zone.depth.note,
                "licensed_only": zone.licensed_only,
                "performer": zone.performer,
            }
            for zone in series.zones
        ],
        "sessions": series.sessions,
        "interval_weeks": {
            "min": series.interval.min_weeks,
            "target": series.interval.target_weeks,
            "max": series.interval.max_weeks,
        },
        "session_dates": [day.isoformat() for day in series.session_dates],
        "licensed_only": series.licensed_only,
        "prp": series.prp,
        "adjuncts": [
            {"kind": a.kind, "text": a.text, "sources": _sources(a.sources, knowledge)}
            for a in series.adjuncts
        ],
        "visit": {
            "check_in_minutes": visit.check_in_minutes,
            "prp_blood_draw_minutes": visit.prp_blood_draw_minutes,
            "numbing_minutes": visit.numbing_minutes,
            "prp_spin_minutes": visit.prp_spin_minutes,
            "needling_minutes": visit.needling_minutes,
            "needling_by_block": dict(visit.needling_by_block),
            "aftercare_minutes": visit.aftercare_minutes,
            "total_minutes": visit.total_minutes,
            "equipment": list(visit.equipment),
            "endpoint": visit.endpoint,
        },
        "visit_minutes": list(series.visit_minutes),
        "recovery": {
            "depth_mm": series.recovery.depth_mm,
            "downtime_days": list(series.recovery.downtime_days),
            "note": series.recovery.note,
            "healed_by_day": series.recovery.healed_by_day,
            "text": series.recovery.text,
            "sources": _sources(series.recovery.sources, knowledge),
        },
        "milestones": milestones_to_list(series.milestones, knowledge),
        "maintenance": maintenance_to_dict(series.maintenance, knowledge),
        "price": price_to_dict(series.price, knowledge),
        "notes": _notes(series.notes, knowledge),
    }


def plan_to_dict(plan: TreatmentPlan, knowledge: Knowledge | None = None) -> dict[str, Any]:
    """The plan with its screening (same shape as :func:`screening_to_dict`)."""
    knowledge = knowledge or get_knowledge()
    return {
        "on": plan.on.isoformat(),
        "series": [series_to_dict(series, knowledge) for series in plan.series],
        "price_total": _range(plan.price_total),
        "price_complete": plan.price_complete,
        "currency": plan.currency,
        "notes": _notes(plan.notes, knowledge),
        "screening": screening_to_dict(plan.screening, knowledge),
        "protocol_version": plan.protocol_version,
        "profile": plan.profile,
    }


def aftercare_to_dict(day: AftercareDay, knowledge: Knowledge | None = None) -> dict[str, Any]:
    knowledge = knowledge or get_knowledge()
    return {
        "day": day.day,
        "date": day.date.isoformat(),
        "instructions": [
            {"id": i.id, "text": i.text, "sources": _sources(i.sources, knowledge)}
            for i in day.instructions
        ],
    }


def course_to_dict(course: CourseDay, knowledge: Knowledge | None = None) -> dict[str, Any]:
    knowledge = knowledge or get_knowledge()
    return {
        "day": course.day,
        "depth_mm": course.depth_mm,
        "expected": [
            {"id": i.id, "text": i.text, "sources": _sources(i.sources, knowledge)}
            for i in course.expected
        ],
        "downtime_days": list(course.recovery.downtime_days),
        "downtime_note": course.recovery.note,
        "recovery": course.recovery.text,
        "within_downtime": course.within_downtime,
    }


def diary_to_dict(
    result: DiaryClassification, knowledge: Knowledge | None = None
) -> dict[str, Any]:
    knowledge = knowledge or get_knowledge()
    return {
        "level": result.level.value,
        "day": result.day,
        "signs": [
            {
                "id": sign.id,
                "level": sign.level.value,
                "reason": sign.reason,
                "sources": _sources(sign.sources, knowledge),
            }
            for sign in result.signs
        ],
    }


def _codings(codes: tuple[Coding, ...]) -> dict[str, Any]:
    if not codes:
        return {}
    if len(codes) == 1:
        return {"system": codes[0].system.value, "code": codes[0].code}
    return {"codes": [{"system": c.system.value, "code": c.code} for c in codes]}


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, False, [], {})}


def intake_to_dict(intake: Intake) -> dict[str, Any]:
    """The intake in CIT's JSON format; ``intake_from_dict`` reads it back unchanged."""
    history = intake.history
    return _compact(
        {
            "birth_date": intake.birth_date.isoformat(),
            "sex": intake.sex.value,
            "fitzpatrick": intake.fitzpatrick,
            "glogau": intake.glogau,
            "pregnant": "unknown" if intake.pregnancy_unknown else intake.pregnant,
            "nursing": intake.nursing,
            "conditions": [
                _compact(
                    {
                        **_codings(c.codes),
                        "text": c.text,
                        "status": c.status.value if c.status else None,
                        "site": c.site,
                        "onset": _day(c.onset),
                        "resolved": _day(c.resolved),
                    }
                )
                for c in intake.conditions
            ],
            "medications": [
                _compact(
                    {
                        "rxnorm": list(m.rxnorm) if len(m.rxnorm) != 1 else m.rxnorm[0],
                        "name": m.name,
                        "route": m.route.value if m.route else None,
                        "status": m.status.value if m.status else None,
                        "start": _day(m.start),
                        "end": _day(m.end),
                        "last_dose": _day(m.last_dose),
                    }
                )
                for m in intake.medications
            ],
            "allergies": [
                _compact({**_codings(a.codes), "substance": a.substance, "reaction": a.reaction})
                for a in intake.allergies
            ],
            "history": _compact(
                {
                    "cold_sores": history.cold_sores,
                    "keloids": history.keloids,
                    "healing_concern": history.healing_concern,
                }
            ),
            "areas": [
                _compact({"zone": a.zone, **{k: getattr(a, k) for k in AREA_FLAGS}})
                for a in intake.areas
            ],
            "procedures": [
                _compact(
                    {
                        "kind": p.kind.value,
                        "date": p.date.isoformat(),
                        "zone": p.zone,
                        "text": p.text,
                    }
                )
                for p in intake.procedures
            ],
            "goals": [
                _compact(
                    {
                        "indication": g.indication,
                        "areas": list(g.areas),
                        "prp": g.prp,
                        "single_scar": g.single_scar,
                        "scar_types": list(g.scar_types),
                    }
                )
                for g in intake.goals
            ],
            "unmapped": [{"source": u.source, "text": u.text} for u in intake.unmapped],
        }
    )
