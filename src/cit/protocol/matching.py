"""Recognising intake items: medicines, conditions, allergies and procedures.

A :class:`Matcher` turns what an intake says (codes and/or free text) into knowledge-base
concepts, plus the problems a clinician must review (words nobody understood, a route that
decides the class but is not recorded, a code and a name that disagree). Every resolution is
memoised: a clinic sees the same few hundred medicine names over and over, so screening pays
for the text work once per distinct text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cit.protocol.knowledge import (
    AllergenConcept,
    ConditionConcept,
    DrugConcept,
    DrugSlot,
    Knowledge,
    ProcedureConcept,
)
from cit.protocol.model import CodeSystem, Coding, Route
from cit.protocol.text import PhraseIndex, normalise_icd10, starts_with, words

_CACHE_SIZE = 65536


@dataclass(frozen=True, slots=True)
class DrugMatch:
    """A knowledge-base drug found in a medication entry. ``route_assumed``: the route was
    not recorded and the entry's default was taken."""

    concept: DrugConcept
    route_assumed: bool


@dataclass(frozen=True, slots=True)
class MedicationResolution:
    drugs: tuple[DrugMatch, ...]
    problems: tuple[str, ...]
    nothing: bool = False  # the entry says there is no medicine ("none")


@dataclass(frozen=True, slots=True)
class ConditionResolution:
    concepts: tuple[ConditionConcept, ...]
    problems: tuple[str, ...]
    says_history: bool = False  # the text reads "history of ..."
    nothing: bool = False  # the entry says there is no condition ("none")


@dataclass(frozen=True, slots=True)
class AllergyResolution:
    concepts: tuple[AllergenConcept, ...]
    problems: tuple[str, ...]


class Matcher:
    """Memoised recognition against one knowledge base."""

    def __init__(self, knowledge: Knowledge):
        self.knowledge = knowledge
        self.vocabulary = knowledge.vocabulary
        self.medication = lru_cache(maxsize=_CACHE_SIZE)(self._medication)
        self.condition = lru_cache(maxsize=_CACHE_SIZE)(self._condition)
        self.allergy = lru_cache(maxsize=_CACHE_SIZE)(self._allergy)
        self.procedure = lru_cache(maxsize=_CACHE_SIZE)(self._procedure)

    # -- medicines ----------------------------------------------------------------------------

    def _medication(
        self, rxnorm: tuple[str, ...], name: str | None, route: Route | None
    ) -> MedicationResolution:
        vocabulary = self.vocabulary
        problems: list[str] = []
        code_slots = [slot for code in rxnorm if (slot := vocabulary.drug_codes.get(code))]
        name_slots: list[DrugSlot] = []
        tokens: tuple[str, ...] = ()
        if name:
            tokens = words(name)
            if (
                not code_slots
                and tokens
                and all(t in vocabulary.medication_nothing for t in tokens)
            ):
                return MedicationResolution((), (), nothing=True)
            scan = vocabulary.drug_names.scan(tokens)
            name_slots = [slot for _, product in scan.matches for slot in product]
            if scan.leftover and (scan.matches or not code_slots):
                problems.append(_words_not_understood(scan.leftover, bool(scan.matches)))
        elif not rxnorm:
            problems.append("Neither a name nor a code is recorded.")
        if rxnorm and not code_slots and not name_slots:
            problems.append(f"RxNorm code {', '.join(rxnorm)} is not in the knowledge base.")
        if code_slots and name_slots:
            code_ids = {concept.id for slot in code_slots for concept in slot}
            name_ids = {concept.id for slot in name_slots for concept in slot}
            if not code_ids & name_ids:
                problems.append("The RxNorm code and the name are different medicines.")
        if route is None and tokens:
            route = self._route_from_words(tokens)

        drugs: dict[str, DrugMatch] = {}
        for slot in (*code_slots, *name_slots):
            match = self._pick(slot, route, problems)
            if match is not None:
                drugs.setdefault(match.concept.id, match)
        return MedicationResolution(tuple(drugs.values()), tuple(dict.fromkeys(problems)))

    def _route_from_words(self, tokens: tuple[str, ...]) -> Route | None:
        found = {route for _, route in self.vocabulary.route_words.scan(tokens).matches}
        return found.pop() if len(found) == 1 else None  # conflicting words say nothing

    @staticmethod
    def _pick(slot: DrugSlot, route: Route | None, problems: list[str]) -> DrugMatch | None:
        label = _drug_label(slot[0])
        if route is not None:
            for concept in slot:
                if concept.covers(route):
                    return DrugMatch(concept, False)
            problems.append(f"{label} by the {route} route is not in the knowledge base.")
            return None
        if len(slot) == 1:
            return DrugMatch(slot[0], False)
        for concept in slot:
            if concept.default_route:
                return DrugMatch(concept, True)
        alternatives = "; ".join(
            f"{', '.join(sorted(concept.routes or ()))}: {concept.drug_class.title}"
            for concept in slot
        )
        problems.append(f"Route not recorded, and {label} differs by route ({alternatives}).")
        return None

    # -- conditions ---------------------------------------------------------------------------

    def _condition(self, codes: tuple[Coding, ...], text: str | None) -> ConditionResolution:
        vocabulary = self.vocabulary
        concepts: dict[str, ConditionConcept] = {}
        problems: list[str] = []
        unknown_codes: list[str] = []
        for coding in codes:
            concept = self._condition_by_code(coding)
            if concept is None:
                unknown_codes.append(f"{coding.system} {coding.code}")
            else:
                concepts.setdefault(concept.id, concept)
        code_known = bool(concepts)
        says_history = False
        if text:
            tokens = words(text)
            if not codes and tokens and all(t in vocabulary.condition_nothing for t in tokens):
                return ConditionResolution((), (), nothing=True)
            if starts_with(tokens, vocabulary.family_prefixes):
                problems.append(
                    "A family history, not the patient's own condition: record it elsewhere."
                )
                tokens = ()
            elif starts_with(tokens, vocabulary.negations) and not _begins_with_name(
                tokens, vocabulary.condition_names
            ):
                problems.append("A negated statement: record only conditions the patient has.")
                tokens = ()
            history = starts_with(tokens, vocabulary.history_prefixes)
            says_history = history > 0
            scan = vocabulary.condition_names.scan(tokens[history:])
            for _, concept in scan.matches:
                concepts.setdefault(concept.id, concept)
            if scan.leftover and not code_known:
                problems.append(_words_not_understood(scan.leftover, bool(scan.matches)))
            elif tokens and not concepts:
                problems.append("Not in the knowledge base.")
        if unknown_codes and not concepts:
            problems.append(f"Code {', '.join(unknown_codes)} is not in the knowledge base.")
        if not codes and not text:
            problems.append("Neither a code nor a text is recorded.")
        return ConditionResolution(tuple(concepts.values()), tuple(problems), says_history)

    def _condition_by_code(self, coding: Coding) -> ConditionConcept | None:
        vocabulary = self.vocabulary
        if coding.system is CodeSystem.SNOMED:
            return vocabulary.condition_snomed.get(coding.code.strip())
        if coding.system in (CodeSystem.ICD10CM, CodeSystem.ICD10):
            code = normalise_icd10(coding.code)
            # Longest listed prefix wins: L57.0 (actinic keratosis) before L57 codes.
            for length in range(min(len(code), vocabulary.condition_icd10_longest), 0, -1):
                concept = vocabulary.condition_icd10.get(code[:length])
                if concept is not None:
                    return concept
        return None

    # -- allergies ----------------------------------------------------------------------------

    def _allergy(self, codes: tuple[Coding, ...], substance: str | None) -> AllergyResolution:
        vocabulary = self.vocabulary
        concepts: dict[str, AllergenConcept] = {}
        problems: list[str] = []
        unknown_codes = []
        for coding in codes:
            concept = (
                vocabulary.allergen_snomed.get(coding.code.strip())
                if coding.system is CodeSystem.SNOMED
                else None
            )
            if concept is None:
                unknown_codes.append(f"{coding.system} {coding.code}")
            else:
                concepts.setdefault(concept.id, concept)
        if substance:
            scan = vocabulary.allergen_names.scan(words(substance))
            for _, concept in scan.matches:
                concepts.setdefault(concept.id, concept)
            if scan.leftover:
                problems.append(_words_not_understood(scan.leftover, bool(scan.matches)))
            elif not concepts:
                problems.append("Not in the knowledge base.")
        elif unknown_codes and not concepts:
            shown = ", ".join(unknown_codes)
            problems.append(f"Code {shown} is not in the knowledge base; record the substance.")
        elif not codes:
            problems.append("Neither a code nor a substance is recorded.")
        return AllergyResolution(tuple(concepts.values()), tuple(problems))

    # -- procedures ---------------------------------------------------------------------------

    def _procedure(self, text: str) -> ProcedureConcept | None:
        """The procedure a free text names, if it names exactly one kind and nothing else."""
        scan = self.vocabulary.procedure_names.scan(words(text))
        kinds = {concept.kind: concept for _, concept in scan.matches}
        if len(kinds) != 1 or scan.leftover:
            return None
        return next(iter(kinds.values()))


def _begins_with_name(tokens: tuple[str, ...], names: PhraseIndex[ConditionConcept]) -> bool:
    """Whether the text begins with a known name, which then also begins with the negation
    word: "Not in labor force" is a finding, not a negated statement."""
    return any(tokens[:size] in names for size in range(1, len(tokens) + 1))


def _drug_label(concept: DrugConcept) -> str:
    return concept.names[0] if concept.names else concept.brands[0]


def _words_not_understood(leftover: tuple[str, ...], partly: bool) -> str:
    shown = " ".join(leftover)
    if partly:
        return f"Partly recognised; not understood: '{shown}'."
    return f"Not in the knowledge base ('{shown}')."
