"""Name normalisation and phrase matching for free-text medicines, conditions and allergies.

Text is case-folded, accents are stripped and it is cut into word tokens; punctuation and
symbols disappear ("Retin-A 0.05% cream" -> retin, a, 0.05, cream). A :class:`PhraseIndex`
then finds the known phrases in the tokens, longest first, and reports what is left over.
Callers memoise on the raw text, so this runs once per distinct string.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

_WORD = re.compile(r"[a-z]+[0-9]*|[0-9]+(?:[.,][0-9]+)?")

T = TypeVar("T")


def words(text: str) -> tuple[str, ...]:
    """Lower-case, accent-free word tokens of ``text``: "Sjögren's" -> ("sjogren", "s")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return tuple(_WORD.findall(plain))


def phrase(text: str) -> tuple[str, ...]:
    """The token tuple a knowledge-base name is indexed under (same rules as :func:`words`)."""
    return words(text)


@dataclass(frozen=True, slots=True)
class PhraseScan(Generic[T]):
    """Known phrases found in a text, in order, and the words nothing explained."""

    matches: tuple[tuple[tuple[str, ...], T], ...]
    leftover: tuple[str, ...]


class PhraseIndex(Generic[T]):
    """Known phrases (token tuples) and their values; scans texts greedily, longest phrase
    first. Tokens in ``ignorable`` and numbers are skipped when no phrase starts there."""

    __slots__ = ("_ignorable", "_longest", "_phrases")

    def __init__(self, phrases: Mapping[tuple[str, ...], T], ignorable: Iterable[str] = ()):
        self._phrases: dict[tuple[str, ...], T] = dict(phrases)
        self._longest = max((len(key) for key in self._phrases), default=0)
        self._ignorable = frozenset(ignorable)

    def __contains__(self, key: tuple[str, ...]) -> bool:
        return key in self._phrases

    def get(self, key: tuple[str, ...]) -> T | None:
        return self._phrases.get(key)

    def scan(self, tokens: tuple[str, ...]) -> PhraseScan[T]:
        matches: list[tuple[tuple[str, ...], T]] = []
        leftover: list[str] = []
        position = 0
        count = len(tokens)
        while position < count:
            for size in range(min(self._longest, count - position), 0, -1):
                key = tokens[position : position + size]
                value = self._phrases.get(key)
                if value is not None:
                    matches.append((key, value))
                    position += size
                    break
            else:
                token = tokens[position]
                if token not in self._ignorable and not token[0].isdigit():
                    leftover.append(token)
                position += 1
        return PhraseScan(tuple(matches), tuple(leftover))


_CLAUSE_BREAK = re.compile(
    r"[;,()\[\]\n]+|(?<!\d)\.(?!\d)|\s+(?:but|however|although|though|whereas)\s+", re.I
)


def clauses(text: str) -> tuple[str, ...]:
    """The clauses of a free text, split at punctuation and contrast words ("but"): each
    says one thing, so a negation or a "history of" covers only its own clause."""
    return tuple(part for part in _CLAUSE_BREAK.split(text) if part and part.strip())


def ends_with(tokens: tuple[str, ...], suffixes: Iterable[tuple[str, ...]]) -> int:
    """Length of the longest suffix in ``suffixes`` that ``tokens`` ends with (0: none)."""
    best = 0
    for suffix in suffixes:
        if len(suffix) > best and len(suffix) <= len(tokens) and tokens[-len(suffix) :] == suffix:
            best = len(suffix)
    return best


def starts_with(tokens: tuple[str, ...], prefixes: Iterable[tuple[str, ...]]) -> int:
    """Length of the longest prefix in ``prefixes`` that ``tokens`` starts with (0: none)."""
    best = 0
    for prefix in prefixes:
        if len(prefix) > best and tokens[: len(prefix)] == prefix:
            best = len(prefix)
    return best


def normalise_icd10(code: str) -> str:
    """ICD-10(-CM) code as indexed: upper case, no dot or spaces ("l70.0" -> "L700")."""
    return code.replace(".", "").replace(" ", "").upper()


# ---------------------------------------------------------------------------- medicine names


INGREDIENT_SEPARATOR: Final = "/"
_INGREDIENTS = re.compile(r"\s+/\s+")
# FDA application numbers RxNorm puts in some names ("NDA020983 200 ACTUAT albuterol ...").
_APPLICATION = re.compile(r"(?:nda|anda|bla)[0-9]+")


def medicine_words(text: str) -> tuple[str, ...]:
    """:func:`words` of a medicine name, with :data:`INGREDIENT_SEPARATOR` between the parts
    of a combination written "A / B" (RxNorm's way): "aspirin / potassium citrate" is two
    ingredients, not aspirin as its potassium salt."""
    tokens: list[str] = []
    for part in _INGREDIENTS.split(text):
        if tokens:
            tokens.append(INGREDIENT_SEPARATOR)
        tokens.extend(word for word in words(part) if not _APPLICATION.fullmatch(word))
    return tuple(tokens)


class DrugIndex(PhraseIndex[T]):
    """A :class:`PhraseIndex` for medicine names that also drops salt words after a name
    ("warfarin sodium", "atorvastatin calcium", "esomeprazole magnesium"): a salt directly
    after a matched name is skipped unless a longer known phrase starts there. A salt
    elsewhere ("calcium carbonate", "vitamin D 1000 IU calcium") is read as usual."""

    __slots__ = ("_salts", "_words")

    def __init__(
        self,
        phrases: Mapping[tuple[str, ...], T],
        ignorable: Iterable[str] = (),
        salts: Iterable[str] = (),
    ):
        super().__init__(phrases, ignorable)
        self._salts = frozenset(salts)
        self._words = frozenset(word for key in self._phrases for word in key)

    def knows(self, token: str) -> bool:
        """Whether ``token`` is a word of a known name, a salt or an ignorable word."""
        return token in self._words or token in self._salts or token in self._ignorable

    def scan(self, tokens: tuple[str, ...]) -> PhraseScan[T]:
        matches: list[tuple[tuple[str, ...], T]] = []
        leftover: list[str] = []
        position = 0
        count = len(tokens)
        after_name = False
        while position < count:
            token = tokens[position]
            if token == INGREDIENT_SEPARATOR:
                after_name = False
                position += 1
                continue
            if after_name and token in self._salts and not self._longer_phrase_at(tokens, position):
                position += 1
                continue
            for size in range(min(self._longest, count - position), 0, -1):
                key = tokens[position : position + size]
                value = self._phrases.get(key)
                if value is not None:
                    matches.append((key, value))
                    position += size
                    after_name = True
                    break
            else:
                if token not in self._ignorable and not token[0].isdigit():
                    leftover.append(token)
                after_name = False
                position += 1
        return PhraseScan(tuple(matches), tuple(leftover))

    def _longer_phrase_at(self, tokens: tuple[str, ...], position: int) -> bool:
        end = min(self._longest, len(tokens) - position)
        return any(tokens[position : position + n] in self._phrases for n in range(2, end + 1))


def edit_distance(first: str, second: str, limit: int) -> int:
    """Optimal-string-alignment distance (insertions, deletions, substitutions and swaps of
    two neighbouring letters each count 1), or ``limit + 1`` once it exceeds ``limit``."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, 1):
            cost = 0 if a == b else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


_TIMES_A_DAY: Final = {"bid": 2, "twice": 2, "tid": 3, "qid": 4}
_COUNT_WORDS: Final = frozenset(
    {"capsule", "capsules", "caps", "softgel", "softgels", "tablet", "tablets", "tabs", "gummies"}
)


def daily_amount(tokens: tuple[str, ...], units: Mapping[str, float]) -> float | None:
    """The daily amount a medicine text states, in the unit ``units`` converts to (each unit
    word -> its factor): the first number followed by one of those units, times a count
    ("2 capsules") and a frequency ("twice daily", "bid", "3 times a day") when given.
    None when no amount in those units is stated."""
    amount: float | None = None
    for index, token in enumerate(tokens[:-1]):
        if token[0].isdigit() and tokens[index + 1] in units:
            amount = _number(token) * units[tokens[index + 1]]
            break
    if amount is None:
        return None
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token in _TIMES_A_DAY:
            amount *= _TIMES_A_DAY[token]
        elif token.isdigit() and (following in _COUNT_WORDS or following == "times"):
            amount *= int(token)
    return amount


def _number(token: str) -> float:
    """A number token: "1,000" is a thousand, "0,5" a half (a decimal comma)."""
    whole, comma, rest = token.partition(",")
    if comma and len(rest) == 3 and whole != "0":
        return float(whole + rest)
    return float(token.replace(",", "."))
