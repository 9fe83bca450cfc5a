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
from typing import Generic, TypeVar

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
