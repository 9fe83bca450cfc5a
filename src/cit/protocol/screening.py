"""Screening: may this patient be treated on day D? (CLINICAL.md section 2)

:func:`screen` is pure: the intake and the day in, a :class:`~cit.protocol.model.Screening`
out, with every finding's rule id, decision, dates, actions, the intake facts behind it and
its sources. Anything it does not recognise is listed and makes the decision at least
``refer``. It does no I/O once the knowledge base and profile are loaded (both cached).
"""

from __future__ import annotations

from datetime import date, timedelta

from cit.protocol.dates import add_months, age_on
from cit.protocol.knowledge import DrugConcept, Knowledge, Rule, get_knowledge
from cit.protocol.matching import Matcher, drug_label
from cit.protocol.medication_use import MedicationUse, Use, in_use_with_washout, medication_use
from cit.protocol.model import (
    AREA_FLAGS,
    ELSEWHERE,
    Decision,
    Fact,
    Finding,
    Intake,
    ProcedureKind,
    Screening,
    UnrecognisedItem,
)
from cit.protocol.profiles import Profile, resolve_profile

CLINICIAN_REVIEW = "clinician-review"
_NO_END = 100 * 365  # a washout that cannot be computed: the medicine counts as in use


def screen(
    intake: Intake,
    on: date,
    profile: Profile | str | None = None,
    *,
    knowledge: Knowledge | None = None,
) -> Screening:
    """Screen ``intake`` for a session on ``on`` under the clinic ``profile`` (a Profile, a
    profile name, or None for ``default``).

    Raises :class:`~cit.protocol.profiles.UnknownProfileError` for an unknown profile name
    and ``ValueError`` when the patient is born after ``on``.
    """
    return screener(profile, knowledge).screen(intake, on)


_screeners: dict[tuple[str, str, str], Screener] = {}


def screener(profile: Profile | str | None = None, knowledge: Knowledge | None = None) -> Screener:
    """The (cached) :class:`Screener` for a profile: its rule texts are filled in once."""
    knowledge = knowledge or get_knowledge()
    resolved = resolve_profile(profile, knowledge)
    key = (str(knowledge.directory), knowledge.content_hash, resolved.name)
    found = _screeners.get(key)
    if found is None or found.profile is not resolved:
        found = Screener(knowledge, resolved)
        _screeners[key] = found
    return found


class _Pending:
    """A rule being collected: its facts, its defer dates and its extra actions."""

    __slots__ = ("actions", "facts", "indefinite", "until")

    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self.until: date | None = None
        self.indefinite = False
        self.actions: list[str] = []


class _Collector:
    """What one screening has found so far."""

    __slots__ = ("pending", "rules", "unrecognised")

    def __init__(self, rules: dict[str, Rule]):
        self.rules = rules
        self.pending: dict[str, _Pending] = {}
        self.unrecognised: list[UnrecognisedItem] = []

    def add(
        self, rule: str, fact: Fact, until: date | None = None, action: str | None = None
    ) -> None:
        """Record that ``rule`` applies because of ``fact``; ``until`` for a defer window
        (a defer rule added without one is indefinite)."""
        entry = self.pending.get(rule)
        if entry is None:
            entry = self.pending[rule] = _Pending()
        entry.facts.append(fact)
        if until is not None:
            if entry.until is None or until > entry.until:
                entry.until = until
        elif self.rules[rule].until != "none":
            entry.indefinite = True
        if action is not None and action not in entry.actions:
            entry.actions.append(action)

    def review(self, path: str, text: str, reason: str) -> None:
        self.unrecognised.append(UnrecognisedItem(path, text, reason))


class Screener:
    """Screening under one knowledge base and one profile, with everything precomputed."""

    def __init__(self, knowledge: Knowledge, profile: Profile):
        self.knowledge = knowledge
        self.profile = profile
        self.protocol_version = knowledge.protocol_version
        self.matcher = Matcher(knowledge)
        settings = profile.settings
        fill = settings.placeholders()
        self.rules: dict[str, Rule] = dict(knowledge.rules)
        self.order = {rule_id: index for index, rule_id in enumerate(self.rules)}
        self.severity = {rule_id: rule.decision.severity for rule_id, rule in self.rules.items()}
        self.actions = {
            rule_id: tuple(action.format_map(fill) for action in rule.actions)
            for rule_id, rule in self.rules.items()
        }
        self.until_text = {
            rule_id: rule.until_text.format_map(fill) if rule.until_text else None
            for rule_id, rule in self.rules.items()
        }
        self.window_months: dict[str, int] = {}
        for rule_id, rule in self.rules.items():
            if rule.window_months is not None:
                self.window_months[rule_id] = rule.window_months
            elif rule.window_setting is not None:
                self.window_months[rule_id] = settings.scalar(rule.window_setting)
        self.age_rules = [
            (rule.age_range[0], rule.age_range[1], rule_id)
            for rule_id, rule in self.rules.items()
            if rule.age_range is not None
        ]
        self.pause_days = {
            rule_id: settings.scalar(rule.pause_setting)
            for rule_id, rule in self.rules.items()
            if rule.pause_setting is not None
        }

    # -- the screening ------------------------------------------------------------------------

    def screen(self, intake: Intake, on: date) -> Screening:
        if intake.birth_date > on:
            raise ValueError(f"birth_date {intake.birth_date} is after the screening day {on}")
        knowledge = self.knowledge
        found = _Collector(self.rules)
        add = found.add
        treated = self._treated_zones(intake)

        age = age_on(intake.birth_date, on)
        for low, below, rule in self.age_rules:
            if low <= age < below:
                add(rule, Fact("birth_date", f"age {age} on {on.isoformat()}"))

        if intake.pregnant:
            add(knowledge.pregnancy_flag.rule, Fact("pregnant", knowledge.pregnancy_flag.text))
        if intake.pregnancy_unknown and not intake.pregnant:
            flag = knowledge.pregnancy_unknown_flag
            add(flag.rule, Fact("pregnant", flag.text))
        if intake.nursing:
            add(knowledge.nursing_flag.rule, Fact("nursing", knowledge.nursing_flag.text))
        history = intake.history
        for key, flag in knowledge.history_flags.items():
            value = getattr(history, key)
            if value:
                text = flag.text if value is True else f"{flag.text}: {value}"
                add(flag.rule, Fact(f"history.{key}", text))

        for index, area in enumerate(intake.areas):
            near = self._near(area.zone, treated)
            for key in AREA_FLAGS:
                if getattr(area, key):
                    flag = knowledge.area_flags[key]
                    seen = Fact(f"areas[{index}].{key}", f"{flag.text} ({area.zone})")
                    if flag.anywhere or near:
                        add(flag.rule, seen)
                    elif (elsewhere := self.rules[flag.rule].elsewhere_rule) is not None:
                        add(elsewhere, seen)

        self._procedures(intake, on, treated, found)
        self._conditions(intake, on, treated, found)
        self._medications(intake, on, found)
        self._allergies(intake, found)
        for index, fact in enumerate(intake.unmapped):
            found.review(f"unmapped[{index}]", fact.text, f"Could not be read from {fact.source}.")
        for item in found.unrecognised:
            add(CLINICIAN_REVIEW, Fact(item.path, f"{item.text}: {item.reason}"))
        return self._result(found, on)

    def _treated_zones(self, intake: Intake) -> frozenset[str] | None:
        """The zones to treat, or None when the intake names no goal (then every recorded
        area counts)."""
        if not intake.goals:
            return None
        areas = [area for goal in intake.goals for area in goal.areas]
        return frozenset(self.knowledge.expand_areas(areas))

    def _procedures(
        self, intake: Intake, on: date, treated: frozenset[str] | None, found: _Collector
    ) -> None:
        for index, procedure in enumerate(intake.procedures):
            path = f"procedures[{index}]"
            concept = None
            if procedure.kind is ProcedureKind.OTHER:
                if procedure.text:
                    concept = self.matcher.procedure(procedure.text)
                if concept is None:
                    found.review(
                        path,
                        procedure.text or "other procedure",
                        "Procedure not in the knowledge base.",
                    )
                    continue
            else:
                concept = self.knowledge.procedures[procedure.kind]
            if concept.rule is None or procedure.date > on:
                continue
            if procedure.zone is not None and not self._near(procedure.zone, treated):
                continue
            until = add_months(procedure.date, self.window_months[concept.rule])
            if on < until:
                where = procedure.zone or "area not recorded: assumed the treatment area"
                found.add(
                    concept.rule,
                    Fact(path, f"{concept.text} on {procedure.date.isoformat()} ({where})"),
                    until,
                )

    def _near(self, area: str, treated: frozenset[str] | None) -> bool:
        """Whether ``area`` (a zone, an alias or elsewhere) is in or near the zones to treat;
        with no goal recorded, every place on the body counts."""
        if treated is None:
            return True
        return area != ELSEWHERE and self.knowledge.near(area, treated)

    def _conditions(
        self, intake: Intake, on: date, treated: frozenset[str] | None, found: _Collector
    ) -> None:
        rules = self.rules
        for index, entry in enumerate(intake.conditions):
            resolution = self.matcher.condition(entry.codes, entry.text)
            if resolution.nothing:
                continue
            path = f"conditions[{index}]"
            label = entry.text or ", ".join(f"{c.system} {c.code}" for c in entry.codes)
            for problem in resolution.problems:
                found.review(path, label, problem)
            if entry.onset is not None and entry.onset > on:
                continue  # not yet present on the day
            recorded: bool | None = None  # None: by what the text says of each concept
            if entry.resolved is not None and entry.resolved <= on:
                recorded = False
            elif entry.status is not None:
                recorded = entry.status.is_active
            for concept in resolution.concepts:
                active = (
                    recorded if recorded is not None else concept.id not in resolution.history_ids
                )
                status = "active" if active else "history"
                if concept.review is not None:
                    found.review(path, label, concept.review)
                if not active and concept.review_when_history is not None:
                    found.review(path, label, concept.review_when_history)
                for rule_id in concept.when_active if active else concept.when_history:
                    fact = Fact(path, f"{label} ({concept.title}, {status})")
                    rule = rules[rule_id]
                    if rule.scope != "area":
                        found.add(rule_id, fact)
                    elif entry.site is None:
                        where = "; location not recorded: assumed in the treatment area"
                        found.add(rule_id, Fact(path, fact.text + where))
                        if rule.unplaced_rule is not None:
                            found.add(rule.unplaced_rule, fact)
                    elif self._near(entry.site, treated):
                        found.add(rule_id, Fact(path, f"{fact.text[:-1]}, {entry.site})"))
                    elif rule.elsewhere_rule is not None:
                        found.add(
                            rule.elsewhere_rule, Fact(path, f"{fact.text[:-1]}, {entry.site})")
                        )
            if recorded is False:
                continue
            for match in resolution.drugs:  # a medicine the condition's text names
                drug_rule = match.concept.drug_class.rule
                assert drug_rule is not None  # only drugs of a rule are kept
                named = (
                    f"{label} (names {drug_label(match.concept)}: {match.concept.drug_class.title})"
                )
                use = MedicationUse(Use.IN_USE)
                self._medication_rule(drug_rule, match.concept, use, on, Fact(path, named), found)

    def _medications(self, intake: Intake, on: date, found: _Collector) -> None:
        for index, entry in enumerate(intake.medications):
            resolution = self.matcher.medication(entry.rxnorm, entry.name, entry.route)
            if resolution.nothing:
                continue
            path = f"medications[{index}]"
            label = entry.name or "RxNorm " + ", ".join(entry.rxnorm)
            for problem in resolution.problems:
                found.review(path, label, problem)
            use = medication_use(entry, on)
            for match in resolution.drugs:
                drug_class = match.concept.drug_class
                if drug_class.kind == "none":
                    continue
                if drug_class.review is not None:
                    found.review(path, label, drug_class.review)
                    continue
                rule_id = drug_class.rule
                assert rule_id is not None  # kind "rule" (checked at load)
                text = f"{label} ({drug_class.title}"
                if match.route_assumed:
                    text += ", route not recorded: assumed " + ", ".join(
                        sorted(match.concept.routes or ())
                    )
                text += f"), {use.describe()}"
                self._medication_rule(rule_id, match.concept, use, on, Fact(path, text), found)

    def _medication_rule(
        self,
        rule_id: str,
        drug: DrugConcept,
        use: MedicationUse,
        on: date,
        fact: Fact,
        found: _Collector,
    ) -> None:
        """Apply a drug class's rule by the rule's timing (rules.toml ``medication``)."""
        timing = self.rules[rule_id].medication
        if timing == "last_dose_window":
            if use.counts_as_in_use:
                found.add(rule_id, fact)  # until the window after a last dose not yet known
                return
            assert use.stopped_on is not None
            until = add_months(use.stopped_on, self.window_months[rule_id])
            if on < until:
                found.add(rule_id, fact, until)
        elif timing == "pause":
            # In use, or last used less than the pause before the session.
            pause = timedelta(days=self.pause_days[rule_id])
            if use.stopped_on is None or use.stopped_on >= on - pause:
                found.add(rule_id, fact)
        elif in_use_with_washout(use, on, self._washout_days(drug)):
            if not use.counts_as_in_use:
                washout = drug.effective_washout
                assert washout is not None
                fact = Fact(
                    fact.path, f"{fact.text}; still counts as in use ({washout.title} washout)"
                )
            found.add(rule_id, fact)

    def _washout_days(self, drug: DrugConcept) -> int:
        washout = drug.effective_washout
        if washout is None:
            return 0
        if washout.days is None:  # one dosing interval
            if drug.dosing_interval_days is None:
                return _NO_END
            return drug.dosing_interval_days
        return self.profile.settings.washout_days[washout.id]

    def _allergies(self, intake: Intake, found: _Collector) -> None:
        for index, entry in enumerate(intake.allergies):
            resolution = self.matcher.allergy(entry.codes, entry.substance)
            path = f"allergies[{index}]"
            label = entry.substance or ", ".join(f"{c.system} {c.code}" for c in entry.codes)
            for problem in resolution.problems:
                found.review(path, label, problem)
            for concept in resolution.concepts:
                if concept.rule is not None:
                    found.add(
                        concept.rule,
                        Fact(path, f"allergy: {label} ({concept.title})"),
                        action=concept.action,
                    )

    # -- the answer ---------------------------------------------------------------------------

    def _result(self, found: _Collector, on: date) -> Screening:
        pending = found.pending
        findings = []
        for rule_id in sorted(pending, key=lambda r: (-self.severity[r], self.order[r])):
            entry = pending[rule_id]
            rule = self.rules[rule_id]
            computed = rule.decision is Decision.DEFER and not entry.indefinite
            finding_until = entry.until if computed else None
            findings.append(
                Finding(
                    rule=rule_id,
                    decision=rule.decision,
                    title=rule.when,
                    until=finding_until,
                    until_condition=(
                        self.until_text[rule_id] if rule.until != "none" and not computed else None
                    ),
                    actions=(*self.actions[rule_id], *entry.actions),
                    facts=tuple(entry.facts),
                    sources=rule.sources,
                )
            )
        decision = findings[0].decision if findings else Decision.TREAT
        until: date | None = None
        conditions: tuple[str, ...] = ()
        if decision is Decision.DEFER:
            defers = [f for f in findings if f.decision is Decision.DEFER]
            conditions = tuple(f.until_condition for f in defers if f.until_condition)
            if not conditions:
                until = max(f.until for f in defers if f.until is not None)
        return Screening(
            decision=decision,
            until=until,
            until_conditions=conditions,
            findings=tuple(findings),
            unrecognised=tuple(found.unrecognised),
            on=on,
            profile=self.profile.name,
            protocol_version=self.protocol_version,
        )
