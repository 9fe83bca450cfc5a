"""Patient searches on the database: narrow with the stored search key, read the candidates
in list order through the clinic's table of words where a typed word allows, then match."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Q, QuerySet

from cit.clinic.facilities.models import Clinic
from cit.clinic.paging import ChunkReader, Keep, beyond
from cit.clinic.patients import matching
from cit.clinic.patients.models import Patient, PatientWord, SearchWord, SearchWordKind

Patients = TypeVar("Patients", bound=QuerySet[Any])

# Lists of patients run by name, as the desk reads a register (the ``patient_clinic_name``
# index); the id makes each row's place unique for keyset paging.
PATIENT_ORDER = ("family_name", "given_name", "id")

# ``PatientWord``'s copy of them, in the same order.
WORD_LIST_ORDER = ("family_name", "given_name", "patient_id")

_ROW_FIELDS = ("pk", "given_name", "family_name", "record_number", "email", "phone", "birth_date")

# A typed word inside more record numbers than this ("000": every one) finds them by a
# subquery, not a list of their ids; their patients are then gathered and sorted.
RECORD_WORDS_MOST = 200
# Up to this many matched words, each word's patients are read in list order on their own
# and the database merges them (PostgreSQL: a UNION of each word's first rows); more are
# read together and sorted.
MERGED_WORDS_MOST = 20


def patient_rows(patients: QuerySet[Patient]) -> list[matching.PatientRow]:
    return [matching.PatientRow(*values) for values in patients.values_list(*_ROW_FIELDS)]


def search_keep(query: str, clinic: Clinic | None = None) -> Keep:
    """The Python half of a search, for a chunk of candidates read in list order (see
    ``cit.clinic.paging.keyset_page``'s ``keep``). Given the ``clinic``, a query with words
    of three letters or more only (``matching.word_terms``) reads its candidates through
    the clinic's table of words: the patients having words its words match, a page at a
    time in list order, however many the search key narrows to; the search key's narrowing
    is then tested here, so the answer is the one the search key alone gave."""

    def test(values: list[tuple[Any, ...]]) -> list[bool]:
        rows = [matching.PatientRow(*row) for row in values]
        found = set(matching.search(query, rows))
        return [row.pk in found for row in rows]

    terms = matching.word_terms(query) if clinic is not None else []
    if clinic is None or not terms:
        return Keep(_ROW_FIELDS, test)
    narrowing = matching.narrowing(query)

    def narrowed_test(values: list[tuple[Any, ...]]) -> list[bool]:
        found = test([row[:-1] for row in values])
        return [
            yes and narrowing.admits(row[-1], row[-2])
            for row, yes in zip(values, found, strict=True)
        ]

    words = [_words(clinic.pk, term) for term in terms]
    return Keep((*_ROW_FIELDS, "search_key"), narrowed_test, _patients_having(words))


def search_candidates(patients: Patients, query: str, clinic: Clinic | None = None) -> Patients:
    """The rows worth matching in Python: a superset of the answer, read through the trigram
    index on ``search_key`` on PostgreSQL. With the ``clinic`` (``search_keep``'s), when the
    table of words finds the candidates, ``patients`` as they are: ``search_keep`` tests the
    search key's narrowing of the few the words find."""
    if clinic is not None and matching.word_terms(query):
        return patients
    return _narrowed(patients, matching.narrowing(query))


@dataclass(frozen=True)
class _Words:
    """The clinic's words a patient matching a typed word has one of: ``ids``, or when too
    many record numbers hold the typed word, those the ``link`` filter finds."""

    ids: list[int] | None
    link: Q


def _words(clinic_id: int, term: str) -> _Words:
    """The name words ``matching.word_test`` accepts (among those with the term's pieces,
    which the trigram index finds) and the record numbers holding the folded ``term``."""
    first, others = matching.word_pieces(term)
    shape = Q(word__startswith=first)
    for piece in others:
        shape |= Q(word__contains=piece)
    clinic_words = SearchWord.objects.filter(clinic_id=clinic_id)
    names = clinic_words.filter(shape, kind=SearchWordKind.NAME)
    records = clinic_words.filter(kind=SearchWordKind.RECORD, word__contains=term)
    read = ("pk", "kind", "word")
    capped = records.values_list(*read)[: RECORD_WORDS_MOST + 1]
    if _merged():
        found = list(names.values_list(*read).union(capped, all=True))
    else:
        found = [*names.values_list(*read), *capped]
    accepts = matching.word_test(term)
    matched = [pk for pk, kind, word in found if kind == SearchWordKind.NAME and accepts(word)]
    holding = [pk for pk, kind, _ in found if kind == SearchWordKind.RECORD]
    if len(holding) <= RECORD_WORDS_MOST:
        return _Words(matched + holding, Q(word_id__in=matched + holding))
    return _Words(None, Q(word_id__in=matched) | Q(word__in=records))


def _patients_having(words: list[_Words]) -> ChunkReader:
    """``Keep.read_chunk`` for the patients having one of the ``words`` of each typed word,
    in ``PATIENT_ORDER``: read along one typed word's words a page's worth at a time, the
    others' words and the rows' own filters a condition on each (the database joins them)."""
    # Read along a typed word whose words are listed: its patients in order, word by word.
    lead, *others = sorted(words, key=lambda each: each.ids is None)

    def read_chunk(
        rows: QuerySet[Any], values: list[Any] | None, backwards: bool, size: int
    ) -> list[Any]:
        order = [f"-{name}" if backwards else name for name in WORD_LIST_ORDER]

        def first_links(links: QuerySet[PatientWord], *read: str) -> QuerySet[Any]:
            links = links.filter(patient__in=rows.values("pk"))
            for other in others:
                links = links.filter(
                    patient_id__in=PatientWord.objects.filter(other.link).values("patient_id")
                )
            if values is not None:
                links = links.filter(beyond(WORD_LIST_ORDER, values, backwards))
            return links.order_by(*order).values_list(*read)[:size]

        if lead.ids == []:
            return []
        # A patient having two of the words is read once (UNION, DISTINCT); no patient has
        # one word twice.
        if lead.ids is not None and len(lead.ids) == 1:
            patients: Any = first_links(
                PatientWord.objects.filter(word_id=lead.ids[0]), "patient_id"
            )
        elif _merged() and lead.ids is not None and len(lead.ids) <= MERGED_WORDS_MOST:
            each = [
                first_links(PatientWord.objects.filter(word_id=word), *WORD_LIST_ORDER)
                for word in lead.ids
            ]
            merged = each[0].union(*each[1:]).order_by(*order)[:size]
            patients = [patient for _, _, patient in merged]
        else:
            links = PatientWord.objects.filter(lead.link).distinct()
            patients = [patient for _, _, patient in first_links(links, *WORD_LIST_ORDER)]
        # The patients whole (found by the links' query inside this one, for one word).
        patient_order = [f"-{name}" if backwards else name for name in PATIENT_ORDER]
        return list(rows.filter(pk__in=patients).order_by(*patient_order))

    return read_chunk


def _merged() -> bool:
    """Whether the database reads a UNION of sorted, limited queries (PostgreSQL, not SQLite)."""
    return bool(connection.features.supports_slicing_ordering_in_compound)


def search_sorts_matches(query: str) -> bool:
    """Whether the database should gather ``query``'s candidates through an index and sort
    them (``cit.clinic.paging.keyset_page``'s ``sort_matches``): yes when an index finds
    them; a word too short for one ("a") matches rows all along the list, read in order."""
    return bool(query.strip()) and matching.narrowing(query).indexed


def _narrowed(patients: Patients, narrowing: matching.Narrowing) -> Patients:
    """Only the rows that can match, so a search reads a few rows, not the whole clinic."""
    if narrowing.nothing:
        return patients.none()
    if narrowing.birth_date is not None:
        patients = patients.filter(birth_date=narrowing.birth_date)
    for any_of in narrowing.key_parts:
        wanted = Q()
        for part in any_of:
            wanted |= Q(search_key__contains=part)
        patients = patients.filter(wanted)
    return patients
