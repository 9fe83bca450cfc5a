"""Recognising intake items: medicines, conditions, allergies and procedures.

A :class:`Matcher` turns what an intake says (codes and/or free text) into knowledge-base
concepts, plus the problems a clinician must review (words nobody understood, a route that
decides the class but is not recorded, a code and a name that disagree). Every resolution is
memoised: a clinic sees the same few hundred medicine names over and over, so screening pays
for the text work once per distinct text.
"""

from __future__ import annotations

from collections.abc import Iterable
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
from cit.protocol.text import (
    PhraseIndex,
    clauses,
    daily_amount,
    edit_distance,
    ends_with,
    medicine_words,
    normalise_icd10,
    phrase,
    starts_with,
    words,
)

_CACHE_SIZE = 65536
_FUZZY_MIN = 6  # names and words shorter than this are never taken for misspellings
_FUZZY_TWO = 10  # from this length, two edits are tolerated


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
    """``history_ids``: concepts the text names only as history ("had cold sores as a kid");
    ``drugs``: medicines of a rule the text names ("steroid dependent on prednisolone")."""

    concepts: tuple[ConditionConcept, ...]
    problems: tuple[str, ...]
    history_ids: frozenset[str] = frozenset()
    drugs: tuple[DrugMatch, ...] = ()
    nothing: bool = False  # the entry says there is no condition ("none")


@dataclass(frozen=True, slots=True)
class _TextReading:
    concepts: tuple[ConditionConcept, ...]
    history_ids: frozenset[str]
    drugs: tuple[DrugMatch, ...]
    problems: tuple[str, ...]
    leftover: tuple[str, ...]
    stated: bool  # some clause states something (not only negations)


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
        # Spelling tolerance: one-word drug names, and the other medicines' names (as rivals).
        self._other: frozenset[str] = frozenset({"<other medicine>"})
        self._spellings = (
            *self.vocabulary.drug_words.items(),
            *((word, self._other) for word in self.vocabulary.medication_other),
        )
        self._spelling_index: _SpellingIndex | None = None  # built on first need
        self._generic = {
            drug.id: frozenset(phrase(name) for name in drug.names) for drug in knowledge.drugs
        }

    # -- medicines ----------------------------------------------------------------------------

    def _medication(
        self, rxnorm: tuple[str, ...], name: str | None, route: Route | None
    ) -> MedicationResolution:
        """Every drug the entry carries, by code AND by name: a code of a harmless product
        does not hide a risky name ("Yosprala" coded as omeprazole is aspirin too)."""
        vocabulary = self.vocabulary
        problems: list[str] = []
        code_slots: list[DrugSlot] = []
        code_route: Route | None = None
        for code in rxnorm:
            product = vocabulary.drug_codes.get(code)
            if product is not None:
                code_slots.extend(product)
                code_route = code_route or vocabulary.drug_code_routes.get(code)
        name_matches: list[tuple[tuple[str, ...], DrugSlot]] = []
        tokens: tuple[str, ...] = ()
        if name:
            tokens = medicine_words(name)
            if (
                not code_slots
                and tokens
                and all(t in vocabulary.medication_nothing for t in tokens)
            ):
                return MedicationResolution((), (), nothing=True)
            tokens, near_misses = self._spelling(tokens)
            scan = vocabulary.drug_names.scan(tokens)
            name_matches = [(key, slot) for key, product in scan.matches for slot in product]
            if scan.leftover:
                problem = _words_not_understood(scan.leftover, bool(scan.matches or code_slots))
                problems.append(problem + near_misses)
            elif (
                not scan.matches
                and not code_slots
                and not all(t in vocabulary.medication_nothing for t in tokens)
            ):
                problems.append(f"No medicine named ('{name.strip()}').")
        elif not rxnorm:
            problems.append("Neither a name nor a code is recorded.")
        if rxnorm and not code_slots and not name_matches:
            problems.append(f"RxNorm code {', '.join(rxnorm)} is not in the knowledge base.")

        # A brand that names the product replaces the generic name it shares ("[Wegovy]").
        superseded = {
            other
            for slot in (*code_slots, *(slot for _, slot in name_matches))
            for concept in slot
            for other in concept.supersedes
        }
        if superseded:
            code_slots = [s for s in code_slots if not {c.id for c in s} <= superseded]
            name_matches = [
                (key, slot)
                for key, slot in name_matches
                if not any(c.id in superseded and key in self._generic[c.id] for c in slot)
            ]
        name_slots = [slot for _, slot in name_matches]
        if code_slots and name_slots:
            code_ids = {concept.id for slot in code_slots for concept in slot}
            name_ids = {concept.id for slot in name_slots for concept in slot}
            if not code_ids & name_ids:
                problems.append("The RxNorm code and the name are different medicines.")
        if route is None and tokens:
            route = self._route_from_words(tokens)
        if route is None:
            route = code_route

        drugs: dict[str, DrugMatch] = {}
        for slot in (*code_slots, *name_slots):
            match = self._pick(slot, route, problems)
            if match is not None:
                match = _by_dose(match, tokens)
                drugs.setdefault(match.concept.id, match)
        return MedicationResolution(tuple(drugs.values()), tuple(dict.fromkeys(problems)))

    def _spelling(self, tokens: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
        """Tokens with near-miss drug names corrected, and a hint for the near misses that
        could not be corrected safely (" Did you mean ...?")."""
        index = self.vocabulary.drug_names
        corrected: list[str] = []
        hints: list[str] = []
        for token in tokens:
            if len(token) < _FUZZY_MIN or index.knows(token) or token[0].isdigit():
                corrected.append(token)
                continue
            word, near = self._near_miss(token)
            corrected.append(word or token)
            hints.extend(near)
        hint = f" Did you mean {' or '.join(dict.fromkeys(hints))}?" if hints else ""
        return tuple(corrected), hint

    def _near_miss(self, token: str) -> tuple[str | None, tuple[str, ...]]:
        """The one drug name ``token`` is a misspelling of, if exactly one drug is that close
        (edit distance 1 for names of 6+ letters, 2 for 10+) and no other drug or other
        medicine name is within one more edit; else the close names, to suggest."""
        if token in self.vocabulary.medication_other:
            return None, ()
        if self._spelling_index is None:
            self._spelling_index = _SpellingIndex(self._spellings)
        allowed = 2 if len(token) >= _FUZZY_TWO else 1
        if not any(
            _usable(distance, word, allowed)
            for distance, word, _ in self._spelling_index.near(token)
        ):
            return None, ()
        # A candidate exists (rare): measure every name of about that length exactly.
        close = [
            (distance, word, ids)
            for word, ids in self._spellings
            if abs(len(word) - len(token)) <= allowed + 1
            and (distance := edit_distance(token, word, allowed + 1)) <= allowed + 1
        ]
        usable = [(d, w, ids) for d, w, ids in close if _usable(d, w, allowed)]
        best = min(d for d, _, _ in usable)
        winners = {ids for d, _, ids in usable if d == best}
        rivals = {ids for d, _, ids in close if d <= best + 1}
        if len(winners) == 1 and rivals == winners and winners != {self._other}:
            return min(w for d, w, _ in usable if d == best), ()
        return None, tuple(sorted(w for d, w, _ in close if d <= best + 1))

    def _route_from_words(self, tokens: tuple[str, ...]) -> Route | None:
        found = {route for _, route in self.vocabulary.route_words.scan(tokens).matches}
        return found.pop() if len(found) == 1 else None  # conflicting words say nothing

    @staticmethod
    def _pick(slot: DrugSlot, route: Route | None, problems: list[str]) -> DrugMatch | None:
        label = drug_label(slot[0])
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
        history_ids: set[str] = set()
        drugs: dict[str, DrugMatch] = {}
        if text:
            if (
                not codes
                and (tokens := words(text))
                and all(t in vocabulary.condition_nothing for t in tokens)
            ):
                return ConditionResolution((), (), nothing=True)
            read = self._read_condition_text(text)
            problems.extend(read.problems)
            for concept in read.concepts:
                concepts.setdefault(concept.id, concept)
            history_ids = set(read.history_ids)
            for match in read.drugs:
                drugs.setdefault(match.concept.id, match)
            if read.leftover and not code_known:
                problems.append(_words_not_understood(read.leftover, bool(read.concepts)))
            elif read.stated and not concepts and not drugs:
                problems.append("Not in the knowledge base.")
        if unknown_codes:
            # Even beside a recognised code: the unknown one may say something worse
            # (hypertension coded together with haemophilia).
            problems.append(f"Code {', '.join(unknown_codes)} is not in the knowledge base.")
        if not codes and not text:
            problems.append("Neither a code nor a text is recorded.")
        return ConditionResolution(
            tuple(concepts.values()),
            tuple(dict.fromkeys(problems)),
            history_ids=frozenset(history_ids),
            drugs=tuple(drugs.values()),
        )

    def _read_condition_text(self, text: str) -> _TextReading:
        """Read a condition's free text clause by clause: negated clauses ("no history of
        keloids") say nothing is there, family history is someone else's, history cues
        ("history of", "had ... as a kid", "years ago", "resolved") make the clause's
        conditions history. Medicine names in it ("steroid dependent on oral prednisolone")
        are found too."""
        vocabulary = self.vocabulary
        concepts: dict[str, ConditionConcept] = {}
        history_ids: set[str] = set()
        active_ids: set[str] = set()
        drugs: dict[str, DrugMatch] = {}
        problems: list[str] = []
        leftover: list[str] = []
        stated = False
        previous: set[str] = set()
        whole = words(text)
        if not (
            starts_with(whole, vocabulary.family_prefixes)
            or starts_with(whole, vocabulary.negations)
            or starts_with(whole, vocabulary.history_prefixes)
            or ends_with(whole, vocabulary.history_suffixes)
        ):
            # A name with commas in it ("Behcet's syndrome, complete"), read whole.
            scan = vocabulary.condition_names.scan(whole)
            if scan.matches and not scan.leftover:
                found = tuple(dict.fromkeys(concept for _, concept in scan.matches))
                return _TextReading(found, frozenset(), (), (), (), True)
        for clause in clauses(text):
            tokens = words(clause)
            if not tokens:
                continue
            if starts_with(tokens, vocabulary.family_prefixes):
                problems.append(
                    "A family history, not the patient's own condition: record it elsewhere."
                )
                continue
            if starts_with(tokens, vocabulary.negations) and not _begins_with_name(
                tokens, vocabulary.condition_names
            ):
                continue  # "no history of keloids", "denies cold sores": not there
            history = starts_with(tokens, vocabulary.history_prefixes)
            tail = ends_with(tokens[history:], vocabulary.history_suffixes)
            body = tokens[history : len(tokens) - tail]
            is_history = bool(history or tail)
            if is_history and not body:  # "eczema, resolved": says it of the clause before
                history_ids.update(previous)
                active_ids.difference_update(previous)
                continue
            scan = vocabulary.condition_names.scan(body)
            stated = stated or bool(body)
            previous = {concept.id for _, concept in scan.matches}
            for _, concept in scan.matches:
                concepts.setdefault(concept.id, concept)
                (history_ids if is_history else active_ids).add(concept.id)
            rest = scan.leftover
            if rest:
                drug_scan = vocabulary.drug_names.scan(rest)
                for _, product in drug_scan.matches:
                    for slot in product:
                        match = self._pick(slot, None, [])
                        if match is not None and match.concept.drug_class.kind == "rule":
                            drugs.setdefault(match.concept.id, match)
                if drug_scan.matches:
                    rest = ()  # the words around a medicine's name say how it is taken
            leftover.extend(rest)
        return _TextReading(
            tuple(concepts.values()),
            frozenset(history_ids - active_ids),
            tuple(drugs.values()),
            tuple(problems),
            tuple(leftover),
            stated,
        )

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


def _usable(distance: int, word: str, allowed: int) -> bool:
    """Whether a name at ``distance`` may be taken for a misspelt ``word``: one edit for names
    of 6+ letters, two for 10+ (never short names: too many real words are that close)."""
    if len(word) < _FUZZY_MIN or distance > allowed:
        return False
    return distance <= 1 or len(word) >= _FUZZY_TWO


class _SpellingIndex:
    """Names by their variants with up to two letters deleted: every name within two edits
    (insertions, deletions, substitutions) of a word shares a variant with it, so a word
    far from every name is dismissed without measuring it against each one."""

    def __init__(self, spellings: Iterable[tuple[str, frozenset[str]]]):
        self._entries = [(word, ids) for word, ids in spellings if len(word) >= 4]
        self._by_variant: dict[str, list[int]] = {}
        for index, (word, _) in enumerate(self._entries):
            for variant in _deletions(word):
                self._by_variant.setdefault(variant, []).append(index)

    def near(self, token: str) -> list[tuple[int, str, frozenset[str]]]:
        found = {i for variant in _deletions(token) for i in self._by_variant.get(variant, ())}
        near = []
        for index in found:
            word, ids = self._entries[index]
            near.append((edit_distance(token, word, 2), word, ids))
        return near


def _deletions(word: str) -> set[str]:
    once = {word[:i] + word[i + 1 :] for i in range(len(word))}
    return {word} | once | {w[:i] + w[i + 1 :] for w in once for i in range(len(w))}


def _by_dose(match: DrugMatch, tokens: tuple[str, ...]) -> DrugMatch:
    """A drug with a daily threshold, at or below it by the amount the text states."""
    threshold = match.concept.threshold
    if threshold is None:
        return match
    amount = daily_amount(tokens, threshold.units)
    if amount is None or amount > threshold.over:
        return match
    return DrugMatch(threshold.otherwise, match.route_assumed)


def _begins_with_name(tokens: tuple[str, ...], names: PhraseIndex[ConditionConcept]) -> bool:
    """Whether the text begins with a known name, which then also begins with the negation
    word: "Not in labor force" is a finding, not a negated statement."""
    return any(tokens[:size] in names for size in range(1, len(tokens) + 1))


def drug_label(concept: DrugConcept) -> str:
    """The name a drug is shown by: its first generic name, else its first brand."""
    return concept.names[0] if concept.names else concept.brands[0]


def _words_not_understood(leftover: tuple[str, ...], partly: bool) -> str:
    shown = " ".join(leftover)
    if partly:
        return f"Partly recognised; not understood: '{shown}'."
    return f"Not in the knowledge base ('{shown}')."
