"""Finding patients as the desk types them, and spotting likely duplicates.

Framework-free: the views hand in plain rows. Names match by prefix, by substring or
within a small edit distance ("Oliva" finds "Olivia"); phones by their digits; birth
dates in the usual written forms.

At a clinic with many patients the database narrows the rows first (``narrowing``) on a
stored ``search_key`` (``search_key``), so a typo is forgiven only after a name word's
first letter and when one half of the typed word is whole. A query of name words reads
its rows through the clinic's table of distinct words (``search_words``) instead: each
typed word (``word_terms``) is matched against the words (``word_test``, among those
holding its ``word_pieces``), then the patients having the matched ones are read in
list order, and the search key's narrowing is tested on them (``Narrowing.admits``).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PatientRow:
    pk: int
    given_name: str
    family_name: str
    record_number: str
    email: str
    phone: str
    birth_date: datetime.date


def fold(text: str) -> str:
    """Lower case without accents: "Zoë" -> "zoe"."""
    text = text or ""
    if text.isascii():
        # Most names: nothing to decompose, and ASCII's case folding is its lower case.
        return text.lower().strip()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions, stopping early above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _allowed_typos(term: str) -> int:
    return 0 if len(term) < 4 else 1 if len(term) < 8 else 2


def within_one_edit(a: str, b: str) -> bool:
    """``edit_distance(a, b, 1) <= 1`` without the table: equal, or one letter changed,
    added, dropped, or two neighbours swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    same = 0
    while same < min(len(a), len(b)) and a[same] == b[same]:
        same += 1
    if len(a) > len(b):
        return a[same + 1 :] == b[same:]
    if len(a) < len(b):
        return a[same:] == b[same + 1 :]
    # The same length: the first difference changed, or swapped with the letter after it.
    return a[same + 1 :] == b[same + 1 :] or (
        a[same + 1 : same + 2] == b[same : same + 1]
        and a[same : same + 1] == b[same + 1 : same + 2]
        and a[same + 2 :] == b[same + 2 :]
    )


def word_test(term: str) -> Callable[[str], bool]:
    """Whether a folded typed word matches one folded name word, made once for many words."""
    limit = _allowed_typos(term)
    # A close prefix ("Olvia" for "Olivia") or a close whole word; a name word longer than
    # the prefix is more than ``limit`` edits from the term, so the prefix decides.
    span = len(term) + limit

    def close(word: str) -> bool:
        if limit == 1:
            return within_one_edit(term, word[:span])
        return edit_distance(term, word[:span], limit) <= limit

    def test(word: str) -> bool:
        if word.startswith(term) or (len(term) >= 3 and term in word):
            return True
        return bool(limit) and close(word)

    return test


def _name_test(term: str) -> Callable[[Iterable[str]], bool]:
    """The test of ``name_matches`` for one folded typed word, made once for many rows."""
    matches = word_test(term)
    return lambda names: any(matches(word) for name in names for word in name_words(name))


def word_pieces(term: str) -> tuple[str, tuple[str, ...]]:
    """What every name word ``word_test(term)`` accepts holds: it starts with the first
    piece, or holds one of the others. The pieces are the folded term cut at one letter per
    typo allowed, the last piece three letters long where it can be (a trigram): an edit
    touches one piece at most, the letters between them are spared, so one piece is left
    whole ("patel": starts with "p" or holds "tel")."""
    limit = _allowed_typos(term)
    if limit == 0:
        # No typo: the term starts the word, or (three letters or more) is inside it.
        return term, () if len(term) < 3 else (term,)
    cuts = [max(1, len(term) - 4)] if limit == 1 else [1, len(term) - 4]
    starts = [0, *(cut + 1 for cut in cuts)]
    ends = [*cuts, len(term)]
    pieces = [term[start:end] for start, end in zip(starts, ends, strict=True)]
    return pieces[0], tuple(pieces[1:])


def name_matches(term: str, names: Iterable[str]) -> bool:
    """A typed word against a patient's name words."""
    return _name_test(fold(term))(names)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%b %d %Y")


# Every date format has digits and a separator: what has none is no date, answered without
# ``strptime``, which costs a search a few microseconds a format for each typed word.
_MAYBE_DATE = re.compile(r"(?=.*\d).*[-/.\s]")


def parse_date(text: str) -> datetime.date | None:
    cleaned = re.sub(r"[,]", " ", text.strip())
    cleaned = re.sub(r"\s+", " ", cleaned)
    if not _MAYBE_DATE.match(cleaned):
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return None


def _term_test(term: str) -> Callable[[PatientRow], bool]:
    """The test one typed word (not a date) makes of a row, made once for many rows."""
    folded = fold(term)
    if "@" in term:
        return lambda row: folded in fold(row.email)
    number = digits(term)
    is_number = _is_number(term)
    names = _name_test(folded)

    def test(row: PatientRow) -> bool:
        if folded in fold(row.record_number):
            return True
        if is_number:
            return number in digits(row.phone)
        return names((row.given_name, row.family_name))

    return test


def name_words(name: str) -> list[str]:
    return [word for word in re.split(r"[\s\-']+", fold(name)) if word]


NAME_WORD = "name"
RECORD_WORD = "record"


def search_words(given_name: str, family_name: str, record_number: str) -> set[tuple[str, str]]:
    """The (kind, word) pairs the clinic's table of words finds a patient by: each folded
    name word, which a typed word matches by ``word_test``, and the folded record number,
    which it matches inside."""
    words = {(NAME_WORD, word) for word in (*name_words(given_name), *name_words(family_name))}
    record = fold(record_number)
    return words | {(RECORD_WORD, record)} if record else words


def _is_number(term: str) -> bool:
    number = digits(term)
    return len(number) >= 4 and len(number) >= len(term.replace(" ", "")) - 3


def word_terms(query: str) -> list[str]:
    """The folded typed words of ``query`` each row ``search`` keeps has a word for in the
    clinic's table of words (a name word ``word_test`` accepts, or a record number holding
    it): those of three letters or more. Empty when the query has none, or has a date, an
    email or a number, whose own index finds fewer rows: then only the search key narrows
    the rows."""
    query = query.strip()
    if not query or parse_date(query) is not None or _whole_number(query):
        return []
    terms = query.split()
    if any(parse_date(term) or "@" in term or _is_number(term) for term in terms):
        return []
    return sorted({fold(term) for term in terms if len(fold(term)) >= 3})


def _whole_number(query: str) -> bool:
    """A query that is one phone or record number ("+44 20 7946 0018")."""
    return bool(re.fullmatch(r"[\d\s()+./\-]+", query)) and len(digits(query)) >= 4


def search_key(
    given_name: str, family_name: str, record_number: str, email: str, phone: str
) -> str:
    """The words a search can match, folded, each with a space before and after:
    " olivia martinez cit-000042 000042 olivia@mail.example 6025550142 "."""
    words = [
        *name_words(given_name),
        *name_words(family_name),
        fold(record_number),
        digits(record_number),
        fold(email),
        digits(phone),
    ]
    return " " + " ".join(word for word in words if word) + " "


@dataclass(frozen=True)
class Narrowing:
    """What a row must have to be worth matching in Python: its birth date, and for each
    part of the query one of ``any_of`` inside its ``search_key``."""

    birth_date: datetime.date | None
    key_parts: tuple[tuple[str, ...], ...]
    nothing: bool = False

    @property
    def indexed(self) -> bool:
        """Whether an index finds the rows: the birth date's, or the search key's trigram
        index for a part whose every choice holds a trigram (three letters or digits, or
        a word's first two). Else only reading the rows finds them."""
        return self.birth_date is not None or any(
            all(_TRIGRAM.search(part) for part in any_of) for any_of in self.key_parts
        )

    def admits(self, key: str, birth_date: datetime.date) -> bool:
        """Whether a row with this search key and birth date is let through, as the
        database's filter lets it (where the rows are found another way)."""
        if self.nothing or self.birth_date not in (None, birth_date):
            return False
        return all(any(part in key for part in any_of) for any_of in self.key_parts)


_TRIGRAM = re.compile(r"\w{3}|^ \w{2}")


def narrowing(query: str) -> Narrowing:
    """The database-side superset of ``search``'s answer for ``query``."""
    query = query.strip()
    if not query:
        return Narrowing(None, ())
    whole_date = parse_date(query)
    if whole_date is not None:
        return Narrowing(whole_date, ())
    if _whole_number(query):
        return Narrowing(None, ((digits(query),),))
    birth_date: datetime.date | None = None
    parts: list[tuple[str, ...]] = []
    for term in query.split():
        day = parse_date(term)
        if day is not None:
            if birth_date not in (None, day):
                return Narrowing(None, (), nothing=True)
            birth_date = day
            continue
        folded = fold(term)
        if not folded:
            continue
        number = digits(term)
        if "@" in term:
            parts.append((folded,))
        elif _is_number(term):
            parts.append((number, folded))
        elif _allowed_typos(folded) == 0:
            # No typo allowed: the term itself, inside a name word or the record number.
            parts.append((folded,))
        else:
            # The term itself, or a typo in a word that starts with the term's first letter
            # and keeps one half of the term whole (one edit cannot break both halves,
            # unless it swaps the two letters either side of the middle). A whole first
            # half starts the word: anchored, it is a selective trigram for the index.
            half = len(folded) // 2
            parts.append((folded, " " + folded[0]))
            parts.append((" " + folded[:half], folded[half:]))
    return Narrowing(birth_date, tuple(parts))


def narrowing_nearly_exact(query: str) -> bool:
    """Whether ``search`` keeps nearly every row ``narrowing`` lets through: a whole date
    (the same test) or a whole phone or record number (the digits inside the search key,
    which only an email or a name holding them too lets through besides)."""
    query = query.strip()
    return bool(query) and (parse_date(query) is not None or _whole_number(query))


def search(query: str, rows: Iterable[PatientRow]) -> list[int]:
    """Primary keys of the rows every part of the query matches: a birth date (in any of
    the usual forms), an email, a phone number, a record number or name words."""
    query = query.strip()
    if not query:
        return [row.pk for row in rows]
    whole_date = parse_date(query)
    if whole_date is not None:
        return [row.pk for row in rows if row.birth_date == whole_date]
    if _whole_number(query):
        number = digits(query)
        return [
            row.pk
            for row in rows
            if number in digits(row.phone) or number in digits(row.record_number)
        ]
    # The words of the query that are dates name the birth date; the others must each match.
    days = set()
    tests = []
    for term in query.split():
        day = parse_date(term)
        if day is not None:
            days.add(day)
        else:
            tests.append(_term_test(term))
    if len(days) > 1:
        return []
    day = next(iter(days), None)
    return [
        row.pk
        for row in rows
        if (day is None or row.birth_date == day) and all(test(row) for test in tests)
    ]


def similar_names(given_a: str, family_a: str, given_b: str, family_b: str) -> bool:
    """Two names that may be one person's: family names within a typo and given names
    within a typo or one the start of the other ("Kate"/"Katherine" is not caught)."""
    fa, fb = fold(family_a), fold(family_b)
    ga, gb = fold(given_a), fold(given_b)
    family_close = edit_distance(fa, fb, _allowed_typos(fa) or 1) <= (_allowed_typos(fa) or 0)
    given_close = edit_distance(ga, gb, _allowed_typos(ga) or 1) <= (_allowed_typos(ga) or 0) or (
        len(ga) >= 3 and len(gb) >= 3 and (ga.startswith(gb) or gb.startswith(ga))
    )
    swapped = fa == gb and ga == fb
    return (family_close and given_close) or swapped


def duplicate_reasons(
    given_name: str,
    family_name: str,
    birth_date: datetime.date | None,
    email: str,
    phone: str,
    row: PatientRow,
) -> list[str]:
    """Why ``row`` may be the person being registered (empty: no reason to think so)."""
    reasons = []
    if (
        birth_date is not None
        and row.birth_date == birth_date
        and similar_names(given_name, family_name, row.given_name, row.family_name)
    ):
        reasons.append("same date of birth and a similar name")
    if email and fold(email) == fold(row.email):
        reasons.append("same email")
    if len(digits(phone)) >= 7 and digits(phone)[-9:] == digits(row.phone)[-9:]:
        reasons.append("same phone number")
    return reasons
