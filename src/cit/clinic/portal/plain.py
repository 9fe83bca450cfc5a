"""The patient's treatment in plain words: the accepted plan with its timeline, and what
to do before a session. Numbers and facts come from the plan record and the protocol
core; the sentences are here, marked for translation, and never show an id."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cit.clinic.labels import indication_label, zone_label
from cit.clinic.plans.models import PlannedSession, TreatmentPlanRecord
from cit.protocol.preparation import Preparation, PreparationKind
from cit.protocol.stored import Series


@dataclass
class TimelineStep:
    start: datetime.date
    end: datetime.date | None
    text: str


@dataclass
class SeriesInWords:
    what: str
    sessions: str
    recovery: str
    maintenance: str
    timeline: list[TimelineStep] = field(default_factory=list)


def _joined(words: list[str]) -> str:
    words = [w for w in dict.fromkeys(words) if w]
    if len(words) <= 1:
        return "".join(words)
    return _("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def _series_in_words(series: Series, planned: list[PlannedSession]) -> SeriesInWords:
    indications = _joined([indication_label(i) for i in series.indications])
    areas = _joined([zone_label(z.zone).lower() for z in series.zones])
    what = (
        _("%(what)s: %(areas)s") % {"what": indications, "areas": areas} if areas else indications
    )
    count = series.sessions
    weeks = series.interval_weeks
    sessions = ngettext(
        "%(count)s session.",
        "%(count)s sessions, about %(target)s weeks apart (between %(min)s and %(max)s weeks).",
        count,
    ) % {
        "count": count,
        "target": weeks.target,
        "min": weeks.min,
        "max": weeks.max,
    }
    downtime = (series.recovery.downtime_days if series.recovery else None) or ()
    recovery = (
        _(
            "After each session your skin needs about %(low)s to %(high)s days to settle: "
            "redness like a mild sunburn, then some dryness or peeling."
        )
        % {"low": downtime[0], "high": downtime[-1]}
        if downtime
        else ""
    )
    months = (series.maintenance.interval_months if series.maintenance else None) or ()
    first_maintenance = series.maintenance.first_date if series.maintenance else None
    maintenance = (
        _("After the series, one session every %(low)s to %(high)s months keeps the results.")
        % {"low": months[0], "high": months[-1]}
        if months
        else ""
    )
    timeline = [
        TimelineStep(session.planned_on, None, _("Session %(number)s") % {"number": session.number})
        for session in planned
    ]
    for milestone in series.milestones or ():
        start, end = milestone.start, milestone.end
        if start is not None:
            timeline.append(TimelineStep(start, end if end != start else None, _(milestone.text)))
    if first_maintenance is not None and months:
        timeline.append(TimelineStep(first_maintenance, None, _("First maintenance session")))
    timeline.sort(key=lambda step: step.start)
    return SeriesInWords(what, sessions, recovery, maintenance, timeline)


def plan_in_words(plan: TreatmentPlanRecord | None) -> list[SeriesInWords]:
    if plan is None:
        return []
    planned = list(PlannedSession.objects.filter(plan=plan))
    return [
        _series_in_words(series, [p for p in planned if p.series_index == index])
        for index, series in enumerate(plan.accepted_plan.series)
    ]


def preparation_words(item: Preparation) -> str:
    """One thing to do before a session, as the patient reads it."""
    values = {
        "minutes": item.minutes,
        "before": item.days_before,
        "after": item.days_after,
    }
    if item.kind is PreparationKind.ARRIVE_EARLY:
        return _("Arrive %(minutes)s minutes early to check in.") % values
    if item.kind is PreparationKind.PAUSE_RETINOIDS:
        return (
            _(
                "If you use a retinoid or retinol cream, stop it %(before)s days before the "
                "session and start again %(after)s days after."
            )
            % values
        )
    if item.kind is PreparationKind.PAUSE_SKINCARE_ACTIVES:
        return (
            _(
                "Stop acid peels, vitamin C, benzoyl peroxide, skin-lightening and antibiotic "
                "creams on the treated skin %(before)s days before the session, until "
                "%(after)s days after."
            )
            % values
        )
    if item.kind is PreparationKind.COLD_SORE_PROPHYLAXIS:
        if item.on_day_before:
            return _(
                "Because you have had cold sores, take the antiviral medicine your clinician "
                "prescribed, starting the day before the session."
            )
        return _(
            "Because you have had cold sores, take the antiviral medicine your clinician "
            "prescribed, starting on the day of the session."
        )
    if item.kind is PreparationKind.STOP_SUPPLEMENTS:
        return (
            _(
                "Stop supplements that make you bruise more easily (ginkgo, garlic, ginseng, "
                "fish oil, vitamin E, turmeric) %(before)s days before the session."
            )
            % values
        )
    if item.kind is PreparationKind.STOP_TOPICAL_STEROID:
        return (
            _("Stop strong steroid creams on the treated skin %(before)s days before the session.")
            % values
        )
    return ""
