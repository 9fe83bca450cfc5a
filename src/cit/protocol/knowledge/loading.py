"""Loading the knowledge base: every file read, validated and cross-checked once
(:func:`get_knowledge` caches it); a problem is a :class:`KnowledgeError` naming the file,
the entry and the field, never a wrong answer later."""

from __future__ import annotations

import hashlib
import string
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any, Final

from cit.protocol.knowledge.base import Knowledge
from cit.protocol.knowledge.entries import (
    DECISIONS,
    ROUTES,
    SCALAR_SETTINGS,
    AdverseEventType,
    AftercareInstruction,
    AllergenConcept,
    Block,
    ConditionConcept,
    CourseItem,
    DepthRange,
    DiarySchedule,
    DowntimeBand,
    DrugClass,
    DrugConcept,
    EscalationSign,
    FlagRule,
    Indication,
    IndicationPrp,
    Milestone,
    Note,
    OutcomeDefaults,
    OutcomeTiming,
    Performers,
    PhotoView,
    PriceList,
    ProcedureConcept,
    PrpSpec,
    Rule,
    Scale,
    ScaleFactor,
    ScaleItem,
    SettingDefaults,
    Source,
    Upgrade,
    VisitSpec,
    Washout,
    Zone,
)
from cit.protocol.knowledge.reader import MISSING, KnowledgeError, Table, read_grades, read_toml
from cit.protocol.knowledge.vocabulary import Combination, build_vocabulary, with_threshold
from cit.protocol.model import (
    AREA_FLAGS,
    DIARY_FIELDS,
    HISTORY_FLAGS,
    Decision,
    ProcedureKind,
    Route,
)
from cit.protocol.text import normalise_icd10

# The TOML files sit beside this package's modules.
KNOWLEDGE_DIR: Final = Path(__file__).parent


def load_knowledge(directory: Path | str | None = None) -> Knowledge:
    """Read and validate the knowledge base in ``directory`` (default: the package's).

    Raises :class:`KnowledgeError` naming the file, entry and field of the first problem.
    Not cached: use :func:`get_knowledge` for the package's own knowledge base.
    """
    return _Loader(Path(directory) if directory is not None else KNOWLEDGE_DIR).load()


@cache
def get_knowledge() -> Knowledge:
    """The package's knowledge base, loaded and validated once per process."""
    return load_knowledge()


class _Loader:
    def __init__(self, directory: Path):
        self.directory = directory
        self.hash = hashlib.sha256()
        self.source_keys: set[str] = set()
        self.rule_ids: set[str] = set()
        self.rule_users: set[str] = set()

    def read(self, name: str) -> Table:
        table, raw = read_toml(self.directory, name)
        self.hash.update(name.encode())
        self.hash.update(raw)
        return table

    def check_sources(self, table: Table, key: str = "sources") -> tuple[str, ...]:
        keys: tuple[str, ...] = table.texts(key)
        if not keys:
            raise table.error(key, "at least one source is required")
        for source in keys:
            if source not in self.source_keys:
                raise table.error(key, f"unknown source {source!r} (not in sources.toml)")
        return keys

    def check_rule(self, table: Table, key: str, rule: str) -> str:
        if rule not in self.rule_ids:
            raise table.error(key, f"unknown rule {rule!r} (not in rules.toml)")
        self.rule_users.add(rule)
        return rule

    def load(self) -> Knowledge:
        manifest = self.read("manifest.toml")
        protocol = manifest.text("protocol")
        version = manifest.text("version")
        files = manifest.texts("files")
        manifest.done()
        expected = {
            "sources.toml", "rules.toml", "settings.toml", "drugs.toml", "conditions.toml",
            "allergens.toml", "intake_flags.toml", "indications.toml", "zones.toml",
            "visit.toml", "performers.toml", "aftercare.toml", "course.toml",
            "escalation.toml", "results.toml", "scales.toml", "vocabulary.toml", "prices.toml",
            "rxnorm_products.toml", "photo_views.toml",
        }  # fmt: skip
        missing = sorted(expected - set(files))
        if missing:
            raise KnowledgeError("manifest.toml", f"does not list {missing[0]}", None, "files")
        extra = sorted(set(files) - expected)
        if extra:
            raise KnowledgeError(
                "manifest.toml", f"lists an unknown file {extra[0]}", None, "files"
            )
        tables = {name: self.read(name) for name in files}

        sources = self.load_sources(tables["sources.toml"])
        rules = self.load_rules(tables["rules.toml"])
        settings = self.load_settings(tables["settings.toml"], rules)
        drug_classes, drugs, combinations = self.load_drugs(tables["drugs.toml"])
        conditions = self.load_conditions(tables["conditions.toml"])
        allergens = self.load_allergens(tables["allergens.toml"])
        area_flags, history_flags, pregnancy, pregnancy_unknown, nursing, procedures = (
            self.load_flags(tables["intake_flags.toml"])
        )
        zones, blocks, aliases = self.load_zones(tables["zones.toml"])
        indications, prp, serum, maintenance_months, maintenance, rescreen = self.load_indications(
            tables["indications.toml"], blocks
        )
        adjacent: dict[str, set[str]] = {block: set() for block in blocks}
        for first, second in self.adjacent_pairs:
            for block in (first, second):
                if block not in blocks:
                    raise KnowledgeError(
                        "intake_flags.toml", f"unknown block {block!r}", "[near]", "adjacent_blocks"
                    )
            adjacent[first].add(second)
            adjacent[second].add(first)
        visit = self.load_visit(tables["visit.toml"])
        performers = self.load_performers(tables["performers.toml"])
        aftercare = self.load_aftercare(tables["aftercare.toml"], settings)
        course, downtime = self.load_course(tables["course.toml"])
        escalation, diary = self.load_escalation(tables["escalation.toml"])
        milestones, evidence = self.load_results(tables["results.toml"])
        scales, outcome_defaults, outcome_timing = self.load_scales(
            tables["scales.toml"], indications
        )
        photo_views, zone_photo_views = self.load_photo_views(tables["photo_views.toml"], zones)
        prices = self.load_prices(tables["prices.toml"], blocks)

        unused = sorted(self.rule_ids - self.rule_users - _RULES_USED_BY_ENGINE)
        if unused:
            raise KnowledgeError("rules.toml", "is triggered by nothing", f"rule '{unused[0]}'")
        for required in sorted(_RULES_USED_BY_ENGINE):
            if required not in rules:
                raise KnowledgeError("rules.toml", f"the engine needs rule '{required}'")

        vocabulary = build_vocabulary(
            tables["vocabulary.toml"],
            drugs,
            combinations,
            conditions,
            allergens,
            procedures,
            tables["rxnorm_products.toml"],
        )
        for profile in sorted((self.directory / "profiles").glob("*.toml")):
            self.hash.update(profile.name.encode())
            self.hash.update(profile.read_bytes())
        return Knowledge(
            directory=self.directory,
            protocol=protocol,
            version=version,
            content_hash=self.hash.hexdigest()[:10],
            sources=sources,
            rules=rules,
            settings=settings,
            drug_classes=drug_classes,
            washouts=self.washouts,
            adjacent_blocks={block: frozenset(others) for block, others in adjacent.items()},
            drugs=drugs,
            conditions=conditions,
            allergens=allergens,
            area_flags=area_flags,
            history_flags=history_flags,
            pregnancy_flag=pregnancy,
            pregnancy_unknown_flag=pregnancy_unknown,
            nursing_flag=nursing,
            procedures=procedures,
            indications=indications,
            prp=prp,
            serum=serum,
            maintenance_interval_months=maintenance_months,
            maintenance=maintenance,
            rescreen=rescreen,
            zones=zones,
            blocks=blocks,
            zone_aliases=aliases,
            visit=visit,
            performers=performers,
            aftercare=aftercare,
            course=course,
            downtime=downtime,
            escalation=escalation,
            diary=diary,
            milestones=milestones,
            evidence=evidence,
            scales=scales,
            outcome_defaults=outcome_defaults,
            outcome_timing=outcome_timing,
            photo_views=photo_views,
            zone_photo_views=zone_photo_views,
            prices=prices,
            vocabulary=vocabulary,
        )

    # -- sources and rules ------------------------------------------------------------------

    def load_sources(self, table: Table) -> dict[str, Source]:
        sources: dict[str, Source] = {}
        for key, value in table.items():
            entry = Table(table.file, f"source '{key}'", value)
            sources[key] = Source(key, entry.text("citation"))
            entry.done()
        if not sources:
            raise table.error(None, "lists no sources")
        self.source_keys = set(sources)
        return sources

    def load_rules(self, table: Table) -> dict[str, Rule]:
        rules: dict[str, Rule] = {}
        placeholders = set(SCALAR_SETTINGS)
        for entry in table.array("rule", "rule"):
            rule_id = entry.text("id")
            if rule_id in rules:
                raise entry.error("id", "duplicate rule id")
            decision = Decision(entry.choice("decision", DECISIONS))
            until = entry.choice("until", ("resolved", "window"), None) or "none"
            if (decision is Decision.DEFER) != (until != "none"):
                raise entry.error("until", "a defer rule needs until, and only a defer rule")
            window_months = entry.integer("window_months", None)
            window_setting = entry.text("window_setting", None)
            if until == "window" and (window_months is None) == (window_setting is None):
                raise entry.error(
                    "window_months", "a window rule needs window_months or window_setting"
                )
            if window_setting is not None and window_setting not in SCALAR_SETTINGS:
                raise entry.error("window_setting", f"unknown setting {window_setting!r}")
            until_text = entry.text("until_text", None)
            if until != "none" and until_text is None:
                raise entry.error("until_text", "missing (says until what treatment waits)")
            actions = entry.texts("actions")
            medication = entry.choice(
                "medication", ("in_use", "last_dose_window", "pause"), "in_use"
            )
            pause_setting = entry.text("pause_setting", None)
            if (medication == "pause") != (pause_setting is not None):
                raise entry.error("pause_setting", "a pause rule needs pause_setting, and only it")
            if (
                pause_setting is not None
                and SCALAR_SETTINGS.get(pause_setting, (str,))[0] is not int
            ):
                raise entry.error("pause_setting", f"not a whole-number setting: {pause_setting!r}")
            age_range = entry.integers("age_range", 2, None)
            if age_range is not None:
                if not 0 <= age_range[0] < age_range[1]:
                    raise entry.error("age_range", "needs 0 <= from < below")
                self.rule_users.add(rule_id)
            for text in (*actions, until_text or ""):
                for name in _placeholders(text):
                    if name not in placeholders:
                        raise entry.error("actions", f"unknown placeholder {{{name}}}")
            rules[rule_id] = Rule(
                id=rule_id,
                when=entry.text("when"),
                decision=decision,
                until=until,
                until_text=until_text,
                window_months=window_months,
                window_setting=window_setting,
                scope=entry.choice("scope", ("patient", "area")),
                medication=medication,
                pause_setting=pause_setting,
                elsewhere_rule=entry.text("elsewhere_rule", None),
                unplaced_rule=entry.text("unplaced_rule", None),
                age_range=(age_range[0], age_range[1]) if age_range is not None else None,
                actions=actions,
                sources=self.check_sources(entry),
            )
            entry.done()
        table.done()
        for rule in rules.values():
            entry = Table(table.file, f"rule '{rule.id}'", {})
            for field in ("elsewhere_rule", "unplaced_rule"):
                other = getattr(rule, field)
                if other is None:
                    continue
                if rule.scope != "area":
                    raise entry.error(field, "only an area rule has one")
                if other not in rules:
                    raise entry.error(field, f"unknown rule {other!r}")
                self.rule_users.add(other)
        self.rule_ids = set(rules)
        return rules

    def load_settings(self, table: Table, rules: Mapping[str, Rule]) -> SettingDefaults:
        defaults = table.table("defaults", "[defaults]")
        values: dict[str, Any] = {}
        for name, (kind, check, described) in SCALAR_SETTINGS.items():
            value = (
                defaults.number(name)
                if kind is float
                else (defaults.integer(name) if kind is int else defaults.text(name))
            )
            if not check(value):
                raise defaults.error(name, f"out of range ({described})")
            values[name] = value
        defaults.done()
        source_table = table.table("sources", "[sources]")
        setting_sources = {name: self.check_sources(source_table, name) for name in SCALAR_SETTINGS}
        source_table.done()
        wording_table = table.table("wording", "[wording]")
        wording: dict[str, dict[str, str]] = {}
        for name, value in wording_table.items():
            if name not in SCALAR_SETTINGS:
                raise wording_table.error(name, "unknown setting")
            words_for = Table(table.file, f"wording '{name}'", value)
            wording[name] = {key: words_for.text(key) for key, _ in words_for.items()}
        wording_table.done()
        if set(wording.get("herpes_prophylaxis_start", {})) != {"day_of", "day_before"}:
            raise wording_table.error("herpes_prophylaxis_start", "needs day_of and day_before")
        table.done()
        return SettingDefaults(values, setting_sources, wording)

    # -- drugs, conditions, allergies -------------------------------------------------------

    def load_drugs(
        self, table: Table
    ) -> tuple[dict[str, DrugClass], tuple[DrugConcept, ...], list[Combination]]:
        washouts: dict[str, Washout] = {}
        washout_table = table.table("washouts", "[washouts]")
        for washout_id, value in washout_table.items():
            entry = Table(table.file, f"washout '{washout_id}'", value)
            days = entry.integer("days", None)
            per_interval = entry.flag("dosing_interval", False)
            if (days is None) == (not per_interval):
                raise entry.error("days", "give days, or dosing_interval = true (not both)")
            if days is not None and not 0 <= days <= 365:
                raise entry.error("days", "needs 0 to 365")
            washouts[washout_id] = Washout(
                washout_id, entry.text("title"), days, self.check_sources(entry)
            )
            entry.done()
        self.washouts = washouts

        def washout_of(entry: Table) -> Washout | None:
            name = entry.text("washout", None)
            if name is None:
                return None
            if name not in washouts:
                raise entry.error("washout", f"unknown washout {name!r}")
            return washouts[name]

        classes: dict[str, DrugClass] = {}
        class_table = table.table("classes", "[classes]")
        for class_id, value in class_table.items():
            entry = Table(table.file, f"class '{class_id}'", value)
            kind = entry.choice("kind", ("rule", "none", "review"))
            rule = entry.text("rule", None)
            review = entry.text("review", None)
            if (kind == "rule") != (rule is not None):
                raise entry.error("rule", "a class of kind rule needs a rule, and only it")
            if (kind == "review") != (review is not None):
                raise entry.error(
                    "review", "a class of kind review needs a review text, and only it"
                )
            if rule is not None:
                self.check_rule(entry, "rule", rule)
            classes[class_id] = DrugClass(
                class_id, kind, entry.text("title"), rule, review, washout_of(entry)
            )
            entry.done()
        drugs: list[DrugConcept] = []
        seen_ids: set[str] = set()
        superseding: list[tuple[Table, int, tuple[str, ...]]] = []
        for entry in table.array("drug", "drug"):
            drug_id = entry.text("id")
            if drug_id in seen_ids:
                raise entry.error("id", "duplicate drug id")
            seen_ids.add(drug_id)
            class_id = entry.text("class")
            if class_id not in classes:
                raise entry.error("class", f"unknown class {class_id!r}")
            routes = entry.texts("routes", None)
            if routes is not None:
                for route in routes:
                    if route not in ROUTES:
                        raise entry.error("routes", f"unknown route {route!r}")
            names = entry.texts("names", ())
            brands = entry.texts("brands", ())
            if not names and not brands:
                raise entry.error("names", "a drug needs names or brands")
            dosing_interval = entry.integer("dosing_interval_days", None)
            if dosing_interval is not None and not 1 <= dosing_interval <= 365:
                raise entry.error("dosing_interval_days", "needs 1 to 365")
            codes = entry.texts("rxnorm", ())
            for code in codes:
                if not code.isdigit():
                    raise entry.error("rxnorm", f"not an RxNorm code: {code!r}")
            concept = DrugConcept(
                id=drug_id,
                drug_class=classes[class_id],
                names=names,
                brands=brands,
                rxnorm=codes,
                routes=frozenset(Route(r) for r in routes) if routes is not None else None,
                default_route=entry.flag("default_route", False),
                sources=self.check_sources(entry),
                washout=washout_of(entry),
                dosing_interval_days=dosing_interval,
            )
            threshold = entry.optional_table("threshold")
            if threshold is not None:
                concept = with_threshold(concept, threshold, classes)
            supersedes = entry.texts("supersedes", ())
            if supersedes:
                superseding.append((entry, len(drugs), supersedes))
            drugs.append(concept)
            entry.done()
        for entry, index, supersedes in superseding:
            for other in supersedes:
                if other not in seen_ids or other == drugs[index].id:
                    raise entry.error("supersedes", f"unknown drug {other!r}")
            drugs[index] = replace(drugs[index], supersedes=frozenset(supersedes))
        combinations = []
        for entry in table.array("combination", "combination", id_key=None):
            names = entry.texts("names")
            ingredients = entry.texts("ingredients")
            if len(ingredients) < 2:
                raise entry.error("ingredients", "a combination has at least two ingredients")
            route = entry.text("route", None)
            if route is not None and route not in ROUTES:
                raise entry.error("route", f"unknown route {route!r}")
            self.check_sources(entry)
            combinations.append(
                Combination(entry, names, ingredients, Route(route) if route else None)
            )
            entry.done()
        table.done()
        return classes, tuple(drugs), combinations

    def load_conditions(self, table: Table) -> tuple[ConditionConcept, ...]:
        conditions: list[ConditionConcept] = []
        seen: set[str] = set()
        for entry in table.array("condition", "condition"):
            condition_id = entry.text("id")
            if condition_id in seen:
                raise entry.error("id", "duplicate condition id")
            seen.add(condition_id)
            active = tuple(
                self.check_rule(entry, "when_active", r) for r in entry.texts("when_active", ())
            )
            history = tuple(
                self.check_rule(entry, "when_history", r) for r in entry.texts("when_history", ())
            )
            icd, icd_displays = _coded(entry, "icd10cm", _is_icd10_prefix, "ICD-10-CM code prefix")
            snomed, snomed_displays = _coded(entry, "snomed", str.isdigit, "SNOMED CT id")
            conditions.append(
                ConditionConcept(
                    id=condition_id,
                    title=entry.text("title"),
                    names=entry.texts("names"),
                    icd10cm=icd,
                    snomed=snomed,
                    icd10cm_displays=icd_displays,
                    snomed_displays=snomed_displays,
                    when_active=active,
                    when_history=history,
                    review=entry.text("review", None),
                    review_when_history=entry.text("review_when_history", None),
                    sources=self.check_sources(entry),
                )
            )
            entry.done()
        table.done()
        return tuple(conditions)

    def load_allergens(self, table: Table) -> tuple[AllergenConcept, ...]:
        allergens: list[AllergenConcept] = []
        for entry in table.array("allergen", "allergen"):
            rule = entry.text("rule")
            if rule:
                self.check_rule(entry, "rule", rule)
            allergens.append(
                AllergenConcept(
                    id=entry.text("id"),
                    title=entry.text("title"),
                    names=entry.texts("names"),
                    snomed=entry.texts("snomed", ()),
                    rule=rule or None,
                    action=entry.text("action", None),
                    sources=self.check_sources(entry),
                )
            )
            entry.done()
        table.done()
        return tuple(allergens)

    def load_flags(
        self, table: Table
    ) -> tuple[
        dict[str, FlagRule],
        dict[str, FlagRule],
        FlagRule,
        FlagRule,
        FlagRule,
        dict[ProcedureKind, ProcedureConcept],
    ]:
        def flag_rules(section: str, keys: tuple[str, ...]) -> dict[str, FlagRule]:
            group = table.table(section, f"[{section}]")
            found: dict[str, FlagRule] = {}
            for key, value in group.items():
                if key not in keys:
                    raise group.error(
                        key, f"unknown {section} flag (expected one of {', '.join(keys)})"
                    )
                found[key] = flag_rule(Table(table.file, f"{section} flag '{key}'", value), key)
            for key in keys:
                if key not in found:
                    raise group.error(key, "missing")
            return found

        def flag_rule(entry: Table, key: str) -> FlagRule:
            rule = self.check_rule(entry, "rule", entry.text("rule"))
            result = FlagRule(key, rule, entry.text("text"), entry.flag("anywhere", False))
            entry.done()
            return result

        area = flag_rules("area", AREA_FLAGS)
        history = flag_rules("history", HISTORY_FLAGS)
        pregnant = flag_rule(table.table("pregnant", "[pregnant]"), "pregnant")
        nursing = flag_rule(table.table("nursing", "[nursing]"), "nursing")
        pregnancy_unknown = flag_rule(
            table.table("pregnancy_unknown", "[pregnancy_unknown]"), "pregnancy_unknown"
        )
        procedures: dict[ProcedureKind, ProcedureConcept] = {}
        kinds = tuple(kind.value for kind in ProcedureKind if kind is not ProcedureKind.OTHER)
        procedure_table = table.table("procedure", "[procedure]")
        for key, value in procedure_table.items():
            entry = Table(table.file, f"procedure '{key}'", value)
            if key not in kinds:
                raise procedure_table.error(
                    key, f"unknown procedure kind (expected one of {', '.join(kinds)})"
                )
            rule = entry.text("rule")
            if rule:
                self.check_rule(entry, "rule", rule)
            procedures[ProcedureKind(key)] = ProcedureConcept(
                ProcedureKind(key), rule or None, entry.text("text"), entry.texts("names")
            )
            entry.done()
        for kind in kinds:
            if ProcedureKind(kind) not in procedures:
                raise procedure_table.error(kind, "missing")
        near = table.table("near", "[near]")
        pairs = near._get("adjacent_blocks", MISSING)
        self.adjacent_pairs: list[tuple[str, str]] = []
        for index, pair in enumerate(pairs if isinstance(pairs, list) else [None]):
            if not (
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(b, str) for b in pair)
            ):  # noqa: E501
                raise near.error("adjacent_blocks", f"item {index + 1} is not a pair of block ids")
            self.adjacent_pairs.append((pair[0], pair[1]))
        self.check_sources(near)
        near.done()
        table.done()
        return area, history, pregnant, pregnancy_unknown, nursing, procedures

    # -- indications, zones, visit ----------------------------------------------------------

    def load_zones(
        self, table: Table
    ) -> tuple[dict[str, Zone], dict[str, Block], dict[str, tuple[str, ...]]]:
        blocks: dict[str, Block] = {}
        for entry in table.array("block", "block"):
            block_id = entry.text("id")
            minutes = entry.integer("needling_minutes")
            minute_range = entry.integers("needling_minutes_range", 2, None)
            if minutes <= 0 or (minute_range and not minute_range[0] <= minutes <= minute_range[1]):
                raise entry.error("needling_minutes", "must be positive and within its range")
            blocks[block_id] = Block(
                block_id, entry.text("title"), minutes, self.check_sources(entry)
            )
            entry.done()
        zones: dict[str, Zone] = {}
        for entry in table.array("zone", "zone"):
            zone_id = entry.text("id")
            if zone_id in zones:
                raise entry.error("id", "duplicate zone id")
            block = entry.text("block")
            if block not in blocks:
                raise entry.error("block", f"unknown block {block!r}")
            depth = _depth_range(entry, "depth_mm")
            zones[zone_id] = Zone(
                zone_id, entry.text("title"), block, depth, self.check_sources(entry)
            )
            entry.done()
        aliases: dict[str, tuple[str, ...]] = {}
        alias_table = table.table("aliases", "[aliases]")
        for alias, value in alias_table.items():
            members = Table(table.file, "[aliases]", {alias: value}).texts(alias)
            if alias in zones:
                raise alias_table.error(alias, "an alias cannot be a zone id")
            for zone in members:
                if zone not in zones:
                    raise alias_table.error(alias, f"unknown zone {zone!r}")
            aliases[alias] = members
        table.done()
        return zones, blocks, aliases

    def load_indications(
        self, table: Table, blocks: Mapping[str, Block]
    ) -> tuple[dict[str, Indication], PrpSpec, Note, tuple[int, int], Note, Note]:
        indications: dict[str, Indication] = {}
        upgrades: list[tuple[Table, Upgrade]] = []
        for entry in table.array("indication", "indication"):
            indication_id = entry.text("id")
            if indication_id in indications:
                raise entry.error("id", "duplicate indication id")
            sessions = entry.integer("sessions")
            sessions_range = entry.integers("sessions_range", 2)
            if not 1 <= sessions_range[0] <= sessions <= sessions_range[1]:
                raise entry.error(
                    "sessions", f"{sessions} is outside sessions_range {sessions_range}"
                )
            interval = entry.integers("interval_weeks", 3)
            if not 1 <= interval[0] <= interval[1] <= interval[2]:
                raise entry.error("interval_weeks", "needs 1 <= min <= target <= max")
            upgrade = None
            upgrade_table = entry.optional_table("upgrade")
            if upgrade_table is not None:
                upgrade = Upgrade(
                    upgrade_table.text("to"),
                    upgrade_table.integer("min_age"),
                    upgrade_table.integer("min_glogau"),
                )
                upgrade_table.done()
                upgrades.append((entry, upgrade))
            scar_types = entry.texts("scar_types", ())
            poor = entry.texts("poor_response_scar_types", ())
            for scar_type in poor:
                if scar_type not in scar_types:
                    raise entry.error(
                        "poor_response_scar_types", f"{scar_type!r} is not in scar_types"
                    )
            notes = (
                tuple(self.note(note) for note in entry.array("notes", "note", None))
                if entry.has("notes")
                else ()
            )
            allowed = entry.texts("blocks", None)
            for block in allowed or ():
                if block not in blocks:
                    raise entry.error("blocks", f"unknown block {block!r}")
            max_depth = entry.number("max_depth_mm", None)
            max_depth_note = None
            if max_depth is not None:
                if not 0 < max_depth <= 3.0:
                    raise entry.error("max_depth_mm", "needs 0 < max_depth_mm <= 3.0")
                max_depth_note = Note(
                    entry.text("max_depth_text"), self.check_sources(entry, "max_depth_sources")
                )
            prp_own = None
            prp_entry = entry.optional_table("prp")
            if prp_entry is not None:
                prp_own = self.indication_prp(prp_entry)
            indications[indication_id] = Indication(
                id=indication_id,
                title=entry.text("title"),
                sessions=sessions,
                sessions_range=(sessions_range[0], sessions_range[1]),
                interval_weeks=(interval[0], interval[1], interval[2]),
                depth_mm=_depth_range(entry, "depth_mm"),
                upgrade=upgrade,
                scar_types=scar_types,
                poor_response_scar_types=poor,
                notes=notes,
                sources=self.check_sources(entry),
                blocks=allowed,
                max_depth_mm=max_depth,
                max_depth_note=max_depth_note,
                prp=prp_own,
            )
            entry.done()
        for entry, upgrade in upgrades:
            if upgrade.to not in indications:
                raise entry.error("upgrade", f"unknown indication {upgrade.to!r}")
        prp_table = table.table("prp", "[prp]")
        prp_range = _sessions_range(prp_table)
        prp = PrpSpec(
            prp_range,
            _interval_weeks(prp_table),
            prp_table.texts("equipment"),
            prp_table.text("text"),
            self.check_sources(prp_table),
        )
        prp_table.done()
        serum = self.note(table.table("serum", "[serum]"))
        maintenance_table = table.table("maintenance", "[maintenance]")
        months = maintenance_table.integers("interval_months", 2)
        maintenance = Note(maintenance_table.text("text"), self.check_sources(maintenance_table))
        maintenance_table.done()
        rescreen = self.note(table.table("rescreen", "[rescreen]"))
        table.done()
        return indications, prp, serum, (months[0], months[1]), maintenance, rescreen

    def indication_prp(self, entry: Table) -> IndicationPrp:
        sessions_range = _sessions_range(entry)
        sessions = entry.integer("sessions", None)
        if sessions is not None and not sessions_range[0] <= sessions <= sessions_range[1]:
            raise entry.error("sessions", f"{sessions} is outside sessions_range {sessions_range}")
        prp = IndicationPrp(
            sessions, sessions_range, _interval_weeks(entry), self.check_sources(entry)
        )
        entry.done()
        return prp

    def note(self, entry: Table) -> Note:
        note = Note(entry.text("text"), self.check_sources(entry))
        entry.done()
        return note

    def load_visit(self, table: Table) -> VisitSpec:
        visit = VisitSpec(
            check_in_minutes=table.integer("check_in_minutes"),
            aftercare_minutes=table.integer("aftercare_minutes"),
            single_scar_minutes=table.integer("single_scar_minutes"),
            prp_blood_draw_minutes=table.integer("prp_blood_draw_minutes"),
            prp_spin_minutes=table.integer("prp_spin_minutes"),
            endpoint=table.text("endpoint"),
            sources=self.check_sources(table),
        )
        table.done()
        return visit

    def load_performers(self, table: Table) -> Performers:
        performers = Performers(
            licensed=table.texts("licensed"),
            unlicensed=table.texts("unlicensed"),
            licensed_text=table.text("licensed_text"),
            unlicensed_text=table.text("unlicensed_text"),
            home_device_max_depth_mm=table.number("home_device_max_depth_mm"),
            home_device_text=table.text("home_device_text"),
            sources=self.check_sources(table),
        )
        table.done()
        return performers

    # -- after the session -------------------------------------------------------------------

    def load_aftercare(
        self, table: Table, settings: SettingDefaults
    ) -> tuple[AftercareInstruction, ...]:
        instructions = []
        for entry in table.array("instruction", "instruction"):
            days = entry.integers("days", 2)
            from_setting = entry.text("from_setting", None)
            to_setting = entry.text("to_setting", None)
            for key, setting in (("from_setting", from_setting), ("to_setting", to_setting)):
                if setting is not None and not isinstance(settings.values.get(setting), int):
                    raise entry.error(key, f"not a whole-number setting: {setting!r}")
            to_day = None if days[1] == -1 else days[1]
            if days[0] < 0 or (to_day is not None and to_day < days[0]):
                raise entry.error("days", "needs 0 <= from <= to (to = -1: open-ended)")
            instructions.append(
                AftercareInstruction(
                    id=entry.text("id"),
                    from_day=days[0],
                    to_day=to_day,
                    from_setting=from_setting,
                    to_setting=to_setting,
                    to_offset=entry.integer("to_offset", 0),
                    text=entry.text("text"),
                    sources=self.check_sources(entry),
                )
            )
            entry.done()
        table.done()
        return tuple(instructions)

    def load_course(self, table: Table) -> tuple[tuple[CourseItem, ...], tuple[DowntimeBand, ...]]:
        items = []
        for entry in table.array("expected", "expected"):
            days = entry.integers("days", 2)
            to_day = None if days[1] == -1 else days[1]
            if days[0] < 0 or (to_day is not None and to_day < days[0]):
                raise entry.error("days", "needs 0 <= from <= to (to = -1: through the downtime)")
            items.append(
                CourseItem(
                    entry.text("id"),
                    days[0],
                    to_day,
                    entry.text("text"),
                    self.check_sources(entry),
                    entry.flag("shallowest_band_only", False),
                )
            )
            entry.done()
        bands: list[DowntimeBand] = []
        for entry in table.array("downtime", "downtime band", None):
            days = entry.integers("days", 2)
            above = entry.number("above_mm", None)
            high = entry.number("max_mm", None)
            published = entry.numbers("published_mm", 2)
            if not 0 <= days[0] <= days[1]:
                raise entry.error("days", "needs 0 <= from <= to")
            if above is not None and high is not None and above >= high:
                raise entry.error("above_mm", "is not below max_mm")
            # Contiguous: each band starts where the one before ends, and only the last is open.
            previous = bands[-1].max_mm if bands else None
            if bands and previous is None:
                raise entry.error("above_mm", "follows a band without an upper end")
            if above != previous:
                expected = "absent" if previous is None else f"{previous:g}"
                raise entry.error("above_mm", f"must be {expected}: the bands are contiguous")
            bands.append(
                DowntimeBand(
                    above,
                    high,
                    (published[0], published[1]),
                    (days[0], days[1]),
                    self.check_sources(entry),
                )
            )
            entry.done()
        if not bands:
            raise table.error("downtime", "needs at least one band")
        if bands[-1].max_mm is not None:
            raise table.error("downtime", "the last band needs no max_mm (it has no upper end)")
        table.done()
        return tuple(items), tuple(bands)

    def load_escalation(self, table: Table) -> tuple[tuple[EscalationSign, ...], DiarySchedule]:
        signs = []
        for entry in table.array("sign", "sign"):
            field_name = entry.text("field")
            if field_name not in DIARY_FIELDS:
                raise entry.error("field", f"unknown diary field {field_name!r}")
            test = entry.choice("test", ("true", "at_least", "equals"))
            field_kind = DIARY_FIELDS[field_name]
            value: int | str | None = None
            if test == "true":
                if field_kind is not bool:
                    raise entry.error("test", f"'true' needs a yes/no field; {field_name} is not")
            elif test == "at_least":
                if field_kind is not int:
                    raise entry.error(
                        "test", f"'at_least' needs a number field; {field_name} is not"
                    )
                value = entry.integer("value")
            else:
                value = entry.text("value")
            signs.append(
                EscalationSign(
                    id=entry.text("id"),
                    level=entry.choice("level", ("urgent", "contact_clinic")),
                    field=field_name,
                    test=test,
                    value=value,
                    after_day=entry.integer("after_day", None),
                    reason=entry.text("reason"),
                    sources=self.check_sources(entry),
                )
            )
            entry.done()
        diary = self.load_diary(table)
        table.done()
        return tuple(signs), diary

    def load_diary(self, table: Table) -> DiarySchedule:
        schedule = table.table("diary", "[diary]")
        days = schedule._get("check_in_days", MISSING)
        if (
            not isinstance(days, list)
            or not days
            or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in days)
            or sorted(set(days)) != days
        ):
            raise schedule.error(
                "check_in_days", "expected whole numbers of days from 1, rising, no repeats"
            )
        late = schedule.integer("late_after_days")
        if late < 1:
            raise schedule.error("late_after_days", "must be at least 1")
        hour = schedule.integer("send_hour")
        if not 0 <= hour <= 23:
            raise schedule.error("send_hour", "must be an hour from 0 to 23")
        weeks = schedule.integers("pigment_check_weeks", 2)
        if not 1 <= weeks[0] <= weeks[1]:
            raise schedule.error("pigment_check_weeks", "expected [from, to] weeks, from <= to")
        fitzpatrick = schedule.integer("pigment_check_from_fitzpatrick")
        if not 1 <= fitzpatrick <= 6:
            raise schedule.error("pigment_check_from_fitzpatrick", "must be a type from 1 to 6")
        sources = self.check_sources(schedule)
        schedule.done()
        response = table.table("response_hours", "[response_hours]")
        hours = {level: response.integer(level) for level in ("urgent", "contact_clinic")}
        if any(value < 1 for value in hours.values()):
            raise response.error("urgent", "response hours must be at least 1")
        self.check_sources(response)
        response.done()
        events = []
        for entry in table.array("adverse_event", "adverse_event"):
            events.append(AdverseEventType(entry.text("id"), entry.text("label")))
            entry.done()
        if len({event.id for event in events}) != len(events):
            raise table.error("adverse_event", "adverse event ids must be unique")
        return DiarySchedule(
            check_in_days=tuple(days),
            late_after_days=late,
            send_hour=hour,
            pigment_check_weeks=(weeks[0], weeks[1]),
            pigment_check_from_fitzpatrick=fitzpatrick,
            response_hours=hours,
            adverse_events=tuple(events),
            sources=sources,
        )

    def load_results(self, table: Table) -> tuple[tuple[Milestone, ...], tuple[Note, ...]]:
        milestones = []
        for entry in table.array("milestone", "milestone"):
            offset = entry.integers("offset", 2)
            if not 0 <= offset[0] <= offset[1]:
                raise entry.error("offset", "needs 0 <= from <= to")
            milestones.append(
                Milestone(
                    id=entry.text("id"),
                    anchor=entry.choice("anchor", ("first_session", "last_session")),
                    unit=entry.choice("unit", ("days", "weeks", "months")),
                    offset=(offset[0], offset[1]),
                    text=entry.text("text"),
                    sources=self.check_sources(entry),
                )
            )
            entry.done()
        evidence = tuple(self.note(entry) for entry in table.array("evidence", "evidence", None))
        table.done()
        return tuple(milestones), evidence

    def load_scales(
        self, table: Table, indications: Mapping[str, Any]
    ) -> tuple[dict[str, Scale], dict[str, OutcomeDefaults], OutcomeTiming]:
        scales: dict[str, Scale] = {}
        for entry in table.array("scale", "scale"):
            scale = self.load_scale(entry)
            scales[scale.id] = scale
            entry.done()
        defaults: dict[str, OutcomeDefaults] = {}
        for entry in table.array("default", "default", None):
            full = entry.texts("full")
            quick = entry.texts("quick")
            for scale_id in (*full, *quick):
                if scale_id not in scales:
                    raise entry.error("full", f"unknown scale {scale_id!r}")
            if not set(quick) <= set(full):
                raise entry.error("quick", "every quick scale is also in the full set")
            sources = self.check_sources(entry)
            for indication in entry.texts("indications"):
                if indication not in indications:
                    raise entry.error("indications", f"unknown indication {indication!r}")
                if indication in defaults:
                    raise entry.error("indications", f"{indication!r} has defaults twice")
                defaults[indication] = OutcomeDefaults(indication, full, quick, sources)
            entry.done()
        schedule = table.table("schedule", "[schedule]")
        months = schedule._get("after_last_session_months", MISSING)
        if not isinstance(months, list) or not all(
            isinstance(m, int) and not isinstance(m, bool) and m > 0 for m in months
        ):
            raise schedule.error("after_last_session_months", "expected positive whole numbers")
        timing = OutcomeTiming(
            after_last_session_months=tuple(sorted(months)),
            session_window_days=schedule.integer("session_window_days"),
            follow_up_window_days=schedule.integer("follow_up_window_days"),
            sources=self.check_sources(schedule),
        )
        schedule.done()
        table.done()
        return scales, defaults, timing

    def load_scale(self, entry: Table) -> Scale:
        kind = entry.choice("kind", ("grade", "number", "points", "weighted"))
        grades = read_grades(entry, "grades", required=kind == "grade")
        items: list[ScaleItem] = []
        default_bands = entry.texts("bands", ())
        for item in entry.array("items", "item") if kind in ("points", "weighted") else []:
            if kind == "points":
                points = item._get("points", MISSING)
                if not isinstance(points, list) or not all(
                    isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in points
                ):
                    raise item.error("points", "expected whole numbers of points per band")
                bands = item.texts("bands", default_bands)
                if len(bands) != len(points):
                    raise item.error("bands", "needs one label per band of points")
                items.append(ScaleItem(item.text("id"), item.text("label"), tuple(points), bands))
            else:
                items.append(
                    ScaleItem(item.text("id"), item.text("label"), weight=item.number("weight"))
                )
            item.done()
        factors: list[ScaleFactor] = []
        for factor in entry.array("factors", "factor") if kind == "weighted" else []:
            maximum = factor.integer("maximum")
            factor_grades = read_grades(factor, "grades", required=True)
            if [value for value, _ in factor_grades] != list(range(maximum + 1)):
                raise factor.error("grades", f"needs one label for each of 0..{maximum}")
            factors.append(
                ScaleFactor(factor.text("id"), factor.text("label"), maximum, factor_grades)
            )
            factor.done()
        if kind in ("points", "weighted") and not items:
            raise entry.error("items", f"a {kind} scale needs items")
        if kind == "weighted" and not factors:
            raise entry.error("factors", "a weighted scale needs factors")
        # The range of the total follows from the definition; a stated maximum must agree.
        if kind == "grade":
            low, high = float(grades[0][0]), float(grades[-1][0])
        elif kind == "number":
            low, high = entry.number("minimum"), entry.number("maximum")
        elif kind == "points":
            low, high = 0.0, float(sum(item.points[-1] for item in items))
        else:
            product = 1
            for scale_factor in factors:
                product *= scale_factor.maximum
            low, high = 0.0, round(sum(item.weight for item in items) * product, 6)
        if kind != "number":
            stated = entry.number("maximum", None)
            if stated is not None and stated != high:
                raise entry.error("maximum", f"the items add up to {high:g}, not {stated:g}")
        if not low < high:
            raise entry.error("maximum", "needs minimum < maximum")
        mic = entry.number("minimal_important_change", None)
        mic_sources = self.check_sources(entry, "mic_sources") if mic is not None else ()
        return Scale(
            id=entry.text("id"),
            title=entry.text("title"),
            short=entry.text("short"),
            kind=kind,
            rater=entry.choice("rater", ("clinician", "patient")),
            measures=entry.choice("measures", ("state", "change")),
            better=entry.choice("better", ("lower", "higher"), None),
            grades=grades,
            items=tuple(items),
            factors=tuple(factors),
            minimum=low,
            maximum=high,
            step=entry.number("step", 1.0) if kind == "number" else 1.0,
            unit=entry.text("unit", ""),
            sex=entry.choice("sex", ("male", "female"), None),
            minimal_important_change=mic,
            verified=entry.flag("verified", True),
            sources=self.check_sources(entry),
            mic_sources=mic_sources,
            question=entry.text("question", ""),
        )

    def load_photo_views(
        self, table: Table, zones: Mapping[str, Zone]
    ) -> tuple[dict[str, PhotoView], dict[str, tuple[str, ...]]]:
        views: dict[str, PhotoView] = {}
        for entry in table.array("view", "view"):
            view_id = entry.text("id")
            if view_id in views:
                raise entry.error("id", "duplicate view id")
            views[view_id] = PhotoView(
                view_id, entry.text("title"), entry.text("instruction"), self.check_sources(entry)
            )
            entry.done()
        by_zone: dict[str, tuple[str, ...]] = {}
        zone_table = table.table("zones", "[zones]")
        for zone, value in zone_table.items():
            members = Table(table.file, "[zones]", {zone: value}).texts(zone)
            if zone not in zones:
                raise zone_table.error(zone, f"unknown zone {zone!r} (not in zones.toml)")
            if not members:
                raise zone_table.error(zone, "a zone needs at least one view")
            for view in members:
                if view not in views:
                    raise zone_table.error(zone, f"unknown view {view!r}")
            by_zone[zone] = members
        missing = sorted(set(zones) - set(by_zone))
        if missing:
            raise zone_table.error(missing[0], "every zone needs its photograph views")
        unused = sorted(set(views) - {view for members in by_zone.values() for view in members})
        if unused:
            raise KnowledgeError(table.file, "is used by no zone", f"view '{unused[0]}'")
        table.done()
        return views, by_zone

    def load_prices(self, table: Table, blocks: Mapping[str, Block]) -> PriceList:
        by_block: dict[str, dict[str, tuple[float, float]]] = {}
        for key in ("per_session", "prp_per_session"):
            by_block[key] = {}
            sub = table.optional_table(key, f"[{key}]")
            if sub is None:
                continue
            for block, _ in sub.items():
                if block not in blocks:
                    raise sub.error(block, "unknown block")
                by_block[key][block] = _price_range(sub, block)
        sessions = table.integers("typical_sessions", 2)
        currency = table.text("currency")
        if not is_currency_code(currency):
            raise table.error("currency", "needs a three-letter ISO 4217 code such as USD")
        prices = PriceList(
            currency=currency,
            typical_sessions=(sessions[0], sessions[1]),
            laser_alternative=(
                _price_range(table, "laser_alternative") if table.has("laser_alternative") else None
            ),
            prp_per_session=by_block["prp_per_session"],
            per_session=by_block["per_session"],
            sources=self.check_sources(table),
            single_scar=_price_range(table, "single_scar") if table.has("single_scar") else None,
        )
        table.done()
        return prices


# Rules the engine itself triggers (not through a data mapping).
_RULES_USED_BY_ENGINE: Final = frozenset({"clinician-review"})


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _depth_range(entry: Table, key: str) -> DepthRange:
    low, high = entry.numbers(key, 2)
    if not 0 < low <= high <= 3.0:
        raise entry.error(key, f"needs 0 < min <= max <= 3.0 mm, got [{low}, {high}]")
    return (low, high)


def _sessions_range(entry: Table) -> tuple[int, int]:
    low, high = entry.integers("sessions_range", 2)
    if not 1 <= low <= high:
        raise entry.error("sessions_range", "needs 1 <= min <= max")
    return (low, high)


def _interval_weeks(entry: Table) -> tuple[int, int, int]:
    low, target, high = entry.integers("interval_weeks", 3)
    if not 1 <= low <= target <= high:
        raise entry.error("interval_weeks", "needs 1 <= min <= target <= max")
    return (low, target, high)


def is_currency_code(text: str) -> bool:
    """Three capital letters, as ISO 4217 codes are (USD, EUR, GBP)."""
    return len(text) == 3 and text.isascii() and text.isalpha() and text.isupper()


def _price_range(entry: Table, key: str) -> tuple[float, float]:
    low, high = entry.numbers(key, 2)
    if not 0 <= low <= high:
        raise entry.error(key, f"needs 0 <= low <= high, got [{low}, {high}]")
    return (low, high)


def _is_icd10_prefix(code: str) -> bool:
    return bool(code) and code[0].isalpha() and normalise_icd10(code).isalnum()


def _coded(
    entry: Table, field: str, valid: Callable[[str], bool], what: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``field = [{code = "...", display = "..."}, ...]``: the codes and their official
    displays (each code is listed with the display it is published under)."""
    if not entry.has(field):
        return (), ()
    items = entry.data[field]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise entry.error(field, 'expected a list of {code = "...", display = "..."}')
    codes: list[str] = []
    displays: list[str] = []
    for item in entry.array(field, f"{entry.entry} {field}", id_key="code"):
        code = item.text("code")
        if not valid(code):
            raise item.error("code", f"not a {what}: {code!r}")
        codes.append(code)
        displays.append(item.text("display"))
        item.done()
    return tuple(codes), tuple(displays)
