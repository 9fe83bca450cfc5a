"""The lookup tables screening needs, built while loading: drug, condition and allergen
names and codes, combination products and their ingredients, every name claimed once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from cit.protocol.knowledge.base import Vocabulary
from cit.protocol.knowledge.entries import (
    ROUTES,
    AllergenConcept,
    ConditionConcept,
    DoseThreshold,
    DrugClass,
    DrugConcept,
    DrugSlot,
    ProcedureConcept,
)
from cit.protocol.knowledge.reader import KnowledgeError, T, Table
from cit.protocol.model import (
    ProcedureKind,
    Route,
)
from cit.protocol.text import DrugIndex, PhraseIndex, normalise_icd10, phrase


def build_vocabulary(
    table: Table,
    drugs: tuple[DrugConcept, ...],
    combinations: list[Combination],
    conditions: tuple[ConditionConcept, ...],
    allergens: tuple[AllergenConcept, ...],
    procedures: Mapping[ProcedureKind, ProcedureConcept],
    products: Table,
) -> Vocabulary:
    medication = table.table("medication", "[medication]")
    route_table = medication.table("routes", "[medication.routes]")
    route_words: dict[tuple[str, ...], Route] = {}
    for route, _ in route_table.items():
        if route not in ROUTES:
            raise route_table.error(route, "unknown route")
        for word in route_table.texts(route):
            route_words[phrase(word)] = Route(route)
    condition = table.table("condition", "[condition]")
    allergy = table.table("allergy", "[allergy]")
    procedure = table.table("procedure", "[procedure]")
    for section in (medication, condition, allergy, procedure):
        for word in section.texts("ignorable"):
            if phrase(word) != (word,):
                raise section.error("ignorable", f"{word!r} is not one lower-case word")

    drug_tables = _build_drug_vocabulary(medication, drugs, combinations, products)

    condition_phrases: dict[tuple[str, ...], ConditionConcept] = {}
    icd: dict[str, ConditionConcept] = {}
    snomed: dict[str, ConditionConcept] = {}
    for concept in conditions:
        where = _Where("conditions.toml", f"condition '{concept.id}'")
        _index_names(condition_phrases, concept.names, concept, where)
        _index_codes(icd, concept.icd10cm, concept, where, "icd10cm", normalise_icd10)
        _index_codes(snomed, concept.snomed, concept, where, "snomed")

    allergen_phrases: dict[tuple[str, ...], AllergenConcept] = {}
    allergen_snomed: dict[str, AllergenConcept] = {}
    for allergen in allergens:
        where = _Where("allergens.toml", f"allergen '{allergen.id}'")
        _index_names(allergen_phrases, allergen.names, allergen, where)
        _index_codes(allergen_snomed, allergen.snomed, allergen, where, "snomed")

    procedure_phrases: dict[tuple[str, ...], ProcedureConcept] = {}
    for kind in procedures.values():
        where = _Where("intake_flags.toml", f"procedure '{kind.kind}'")
        _index_names(procedure_phrases, kind.names, kind, where)

    vocabulary = Vocabulary(
        drug_names=drug_tables.names,
        drug_codes=drug_tables.codes,
        drug_code_routes=drug_tables.code_routes,
        drug_words=drug_tables.words,
        medication_other=drug_tables.other,
        medication_nothing=frozenset(medication.texts("nothing")),
        route_words=PhraseIndex(route_words),
        condition_names=PhraseIndex(condition_phrases, condition.texts("ignorable")),
        condition_icd10=icd,
        condition_icd10_longest=max((len(code) for code in icd), default=0),
        condition_snomed=snomed,
        condition_nothing=frozenset(condition.texts("nothing")),
        history_prefixes=tuple(phrase(p) for p in condition.texts("history_prefixes")),
        history_suffixes=tuple(phrase(p) for p in condition.texts("history_suffixes")),
        negations=tuple(phrase(p) for p in condition.texts("negations")),
        family_prefixes=tuple(phrase(p) for p in condition.texts("family_prefixes")),
        allergen_names=PhraseIndex(allergen_phrases, allergy.texts("ignorable")),
        allergen_snomed=allergen_snomed,
        procedure_names=PhraseIndex(procedure_phrases, procedure.texts("ignorable")),
    )
    for section in (route_table, medication, condition, allergy, procedure):
        section.done()
    table.done()
    return vocabulary


@dataclass(frozen=True, slots=True)
class Combination:
    """A ``[[combination]]`` of drugs.toml: brand names of a fixed combination, by the names
    of its ingredients; ``route`` (optional) picks the ingredients' entries by route."""

    entry: Table
    names: tuple[str, ...]
    ingredients: tuple[str, ...]
    route: Route | None


def with_threshold(
    concept: DrugConcept, table: Table, classes: Mapping[str, DrugClass]
) -> DrugConcept:
    """``threshold = { daily_over, unit, units, otherwise }`` of a drug entry."""
    over = table.number("daily_over")
    if over <= 0:
        raise table.error("daily_over", "needs a positive amount")
    unit = table.text("unit")
    units: dict[str, float] = {}
    for word, factor in table.table("units").items():
        if (
            phrase(word) != (word,)
            or isinstance(factor, bool)
            or not isinstance(factor, int | float)
        ):
            raise table.error("units", f"{word!r}: needs a lower-case unit word = a factor")
        units[word] = float(factor)
    if units.get(unit) != 1.0:
        raise table.error("units", f"the unit {unit!r} itself needs the factor 1")
    otherwise = table.text("otherwise")
    if otherwise not in classes:
        raise table.error("otherwise", f"unknown class {otherwise!r}")
    table.done()
    below = replace(concept, id=f"{concept.id}@{otherwise}", drug_class=classes[otherwise])
    return replace(concept, threshold=DoseThreshold(over, unit, units, below))


@dataclass(frozen=True, slots=True)
class _DrugTables:
    names: DrugIndex[tuple[DrugSlot, ...]]
    codes: dict[str, tuple[DrugSlot, ...]]
    code_routes: dict[str, Route]
    words: dict[str, frozenset[str]]
    other: frozenset[str]


def _build_drug_vocabulary(
    medication: Table,
    drugs: tuple[DrugConcept, ...],
    combinations: list[Combination],
    products: Table,
) -> _DrugTables:
    # A drug name (or code) may stand for several entries that differ by route.
    by_name: dict[tuple[str, ...], list[DrugConcept]] = {}
    by_code: dict[str, list[DrugConcept]] = {}
    for drug in drugs:
        for name in (*drug.names, *drug.brands):
            entries = by_name.setdefault(_name_key("drugs.toml", f"drug '{drug.id}'", name), [])
            if drug not in entries:
                entries.append(drug)
        for code in drug.rxnorm:
            by_code.setdefault(code, []).append(drug)
    for key, entries in by_name.items():
        _check_route_alternatives(" ".join(key), entries)
    for code, entries in by_code.items():
        _check_route_alternatives(code, entries)
    # Each phrase names a product: a tuple of ingredient slots.
    drug_phrases: dict[tuple[str, ...], tuple[DrugSlot, ...]] = {
        key: (tuple(entries),) for key, entries in by_name.items()
    }
    for combination in combinations:
        entry = combination.entry
        slots = []
        for ingredient in combination.ingredients:
            slot = _ingredient_slot(by_name, ingredient, combination.route)
            if slot is None:
                raise entry.error("ingredients", f"unknown ingredient {ingredient!r}")
            if not slot:
                raise entry.error(
                    "route", f"{ingredient!r} has no entry for the {combination.route} route"
                )
            slots.append(slot)
        for name in combination.names:
            key = _name_key("drugs.toml", entry.entry or "combination", name)
            if key in drug_phrases:
                raise entry.error("names", f"{name!r} is already the name of a drug")
            drug_phrases[key] = tuple(slots)

    codes: dict[str, tuple[DrugSlot, ...]] = {
        code: (tuple(entries),) for code, entries in by_code.items()
    }
    code_routes: dict[str, Route] = {}
    _load_products(products, by_name, codes, code_routes)

    salts = medication.texts("salts")
    other = medication.texts("other_names")
    for field, listed in (("salts", salts), ("other_names", other)):
        for word in listed:
            if phrase(word) != (word,):
                raise medication.error(field, f"{word!r} is not one lower-case word")
            if field == "other_names" and (word,) in drug_phrases:
                raise medication.error(field, f"{word!r} is the name of a drug")
    words = {
        key[0]: frozenset(concept.id for slot in product for concept in slot)
        for key, product in drug_phrases.items()
        if len(key) == 1 and not key[0][0].isdigit()
    }
    return _DrugTables(
        names=DrugIndex(drug_phrases, medication.texts("ignorable"), salts),
        codes=codes,
        code_routes=code_routes,
        words=words,
        other=frozenset(other),
    )


def _ingredient_slot(
    by_name: Mapping[tuple[str, ...], list[DrugConcept]], name: str, route: Route | None
) -> DrugSlot | None:
    """The entries an ingredient name stands for, by ``route`` when given (empty: none covers
    it); None: the name is not a drug's."""
    entries = by_name.get(phrase(name))
    if entries is None:
        return None
    return tuple(entry for entry in entries if route is None or entry.covers(route))


def _load_products(
    table: Table,
    by_name: Mapping[tuple[str, ...], list[DrugConcept]],
    codes: dict[str, tuple[DrugSlot, ...]],
    code_routes: dict[str, Route],
) -> None:
    """rxnorm_products.toml: clinical and branded drug RxCUIs (SCD, SBD, packs) by their
    ingredients, each from the published value sets its [source] table names."""
    sources = table.table("source", "[source]")
    for key, value in sources.items():
        source = Table(table.file, f"source '{key}'", value)
        source.text("title")
        source.text("publisher")
        source.text("oid", None)
        source.text("version", None)
        source.text("expansion", None)
        source.text("location")
        source.done()
    source_keys = set(sources.data)
    product_table = table.table("product", "[product]")
    for code, value in product_table.items():
        entry = Table(table.file, f"product {code}", value)
        if not code.isdigit():
            raise entry.error(None, "not an RxNorm code (digits only)")
        if code in codes:
            raise entry.error(None, "is already an ingredient code in drugs.toml")
        route_name = entry.choice("route", ROUTES, None)
        route = Route(route_name) if route_name is not None else None
        slots: list[DrugSlot] = []
        for ingredient in entry.texts("ingredients"):
            slot = _ingredient_slot(by_name, ingredient, route)
            if slot is None:
                raise entry.error(
                    "ingredients", f"unknown ingredient {ingredient!r} (not in drugs.toml)"
                )
            if not slot:
                raise entry.error(
                    "route", f"{ingredient!r} has no entry in drugs.toml for the {route} route"
                )
            if slot not in slots:
                slots.append(slot)
        if not slots:
            raise entry.error("ingredients", "at least one ingredient is required")
        listed = entry.texts("sources")
        if not listed:
            raise entry.error("sources", "at least one source is required")
        for key in listed:
            if key not in source_keys:
                raise entry.error("sources", f"unknown source {key!r} (not in [source])")
        entry.done()
        codes[code] = tuple(slots)
        if route is not None:
            code_routes[code] = route
    table.done()


@dataclass(frozen=True, slots=True)
class _Where:
    """Which entry of which file a name or code comes from (for error messages)."""

    file: str
    entry: str


def _name_key(file: str, entry: str, name: str) -> tuple[str, ...]:
    key = phrase(name)
    if not key:
        raise KnowledgeError(file, f"name {name!r} has no letters or digits", entry, "names")
    return key


def _index_names(
    index: dict[tuple[str, ...], T], names: Iterable[str], value: T, where: _Where
) -> None:
    for name in names:
        _claim(index, _name_key(where.file, where.entry, name), value, where, "names", name)


def _index_codes(
    index: dict[str, T],
    codes: Iterable[str],
    value: T,
    where: _Where,
    field: str,
    normalise: Callable[[str], str] = str.strip,
) -> None:
    for code in codes:
        _claim(index, normalise(code), value, where, field, code)


def _claim(index: dict[Any, T], key: Any, value: T, where: _Where, field: str, shown: str) -> None:
    """Index ``key`` -> ``value``; the same key for two different entries is an error."""
    existing = index.get(key)
    if existing is not None and existing is not value:
        owner = getattr(existing, "id", None) or getattr(existing, "kind", "another entry")
        raise KnowledgeError(
            where.file, f"{shown!r} is already used by {owner}", where.entry, field
        )
    index[key] = value


def _check_route_alternatives(name: str, entries: list[DrugConcept]) -> None:
    """Entries sharing a name or code must cover different routes, with at most one default."""
    if len(entries) < 2:
        return
    defaults = [entry for entry in entries if entry.default_route]
    if len(defaults) > 1:
        raise KnowledgeError(
            "drugs.toml",
            f"{name!r} has two default_route entries",
            f"drug '{defaults[1].id}'",
            "default_route",
        )
    covered: set[Route] = set()
    for entry in entries:
        if entry.routes is None:
            raise KnowledgeError(
                "drugs.toml",
                f"{name!r} is shared, so every entry needs routes",
                f"drug '{entry.id}'",
                "routes",
            )
        overlap = covered & entry.routes
        if overlap:
            raise KnowledgeError(
                "drugs.toml",
                f"{name!r} is also given for route {sorted(overlap)[0]}",
                f"drug '{entry.id}'",
                "routes",
            )
        covered |= entry.routes
