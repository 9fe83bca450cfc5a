"""Patient searches on the database: narrow with the stored search key, read the candidates
in list order through the clinic's table of words where a typed word allows, then match."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Q, QuerySet

from cit.clinic.facilities.models import Clinic
from cit.clinic.paging import ChunkReader, Keep
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
        return Keep(_ROW_FIELDS, test, whole=matching.narrowing_nearly_exact(query))
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
    many record numbers hold the typed word, those the ``link`` condition finds."""

    ids: list[int] | None
    # The condition on a ``PatientWord`` row that it links one of the words: SQL, params.
    link: tuple[str, list[Any]]


# The search's two queries are written here in SQL: the ORM took a millisecond a search to
# build and compile them, more than the database took to answer (issue #13). Only numbers
# and words escaped for LIKE (the backend's own operators) are passed, as parameters.
def _like(lookup: str, value: str) -> tuple[str, str]:
    """The backend's ``LIKE`` for ``lookup`` ("startswith" or "contains") and its pattern."""
    escaped = connection.ops.prep_for_like_query(value)
    pattern = f"{escaped}%" if lookup == "startswith" else f"%{escaped}%"
    return connection.operators[lookup], pattern


def _words(clinic_id: int, term: str) -> _Words:
    """The name words ``matching.word_test`` accepts (among those with the term's pieces,
    which the trigram index finds) and the record numbers holding the folded ``term``."""
    first, others = matching.word_pieces(term)
    shapes = [_like("startswith", first), *(_like("contains", piece) for piece in others)]
    table = SearchWord._meta.db_table
    names = (
        f"SELECT id, kind, word FROM {table} WHERE clinic_id = %s AND kind = %s AND ("
        + " OR ".join(f"word {operator}" for operator, _ in shapes)
        + ")"
    )
    names_params: list[Any] = [
        clinic_id,
        SearchWordKind.NAME.value,
        *(pattern for _, pattern in shapes),
    ]
    holding_term, pattern = _like("contains", term)
    records_where = f"FROM {table} WHERE clinic_id = %s AND kind = %s AND word {holding_term}"
    records_params: list[Any] = [clinic_id, SearchWordKind.RECORD.value, pattern]
    capped = f"SELECT id, kind, word {records_where} LIMIT %s"
    capped_params = [*records_params, RECORD_WORDS_MOST + 1]
    with connection.cursor() as cursor:
        if _merged():
            cursor.execute(f"({names}) UNION ALL ({capped})", [*names_params, *capped_params])
            found = cursor.fetchall()
        else:
            cursor.execute(names, names_params)
            found = cursor.fetchall()
            cursor.execute(capped, capped_params)
            found += cursor.fetchall()
    accepts = matching.word_test(term)
    matched = [pk for pk, kind, word in found if kind == SearchWordKind.NAME and accepts(word)]
    holding = [pk for pk, kind, _ in found if kind == SearchWordKind.RECORD]
    if len(holding) <= RECORD_WORDS_MOST:
        ids = matched + holding
        return _Words(ids, _in("word_id", ids))
    found_words, found_params = _in("word_id", matched)
    return _Words(
        None,
        (
            f"({found_words} OR word_id IN (SELECT id {records_where}))",
            [*found_params, *records_params],
        ),
    )


def _in(column: str, ids: list[int]) -> tuple[str, list[Any]]:
    if not ids:
        return "1 = 0", []
    if len(ids) == 1:
        return f"{column} = %s", ids
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


def _patients_having(words: list[_Words]) -> ChunkReader:
    """``Keep.read_chunk`` for the patients having one of the ``words`` of each typed word,
    in ``PATIENT_ORDER``: read along one typed word's words a page's worth at a time, the
    others' words and the rows' own filters a condition on each (the database joins them),
    the page's patients whole in the same query."""
    # Read along a typed word whose words are listed: its patients in order, word by word.
    lead, *others = sorted(words, key=lambda each: each.ids is None)
    links = PatientWord._meta.db_table
    # The links' copy of the list's sort keys, named for a query that joins the patients.
    keys = tuple(f"{links}.{column}" for column in WORD_LIST_ORDER)

    def read_chunk(
        rows: QuerySet[Any], values: list[Any] | None, backwards: bool, size: int
    ) -> list[Any]:
        if any(each.ids == [] for each in words):
            return []
        model = rows.model
        table = model._meta.db_table
        direction = " DESC" if backwards else ""
        order = ", ".join(f"{key}{direction}" for key in keys)
        try:
            own = _own_filters(rows)
            if own is None:
                among = rows.order_by().values("pk").query
                among_sql, among_params = among.get_compiler(using=rows.db).as_sql()
        except EmptyResultSet:  # rows.none()
            return []
        # The rows' own filters on the patients joined (a clinic's, its active patients'),
        # else the rows' primary keys: the planner takes longer over that.
        if own is not None:
            joined = f" JOIN {table} ON {table}.id = {links}.patient_id"
            conditions, params = [own[0]], [*own[1]]
        else:
            joined = ""
            conditions, params = [f"{links}.patient_id IN ({among_sql})"], [*among_params]
        for other in others:
            other_sql, other_params = other.link
            conditions.append(
                f"{links}.patient_id IN (SELECT patient_id FROM {links} AS other WHERE {other_sql})"
            )
            params += other_params
        if values is not None:
            past, past_params = _beyond(keys, values, backwards)
            conditions.append(past)
            params += past_params
        where = " AND ".join(conditions)
        quote = connection.ops.quote_name
        columns = [quote(field.column) for field in model._meta.concrete_fields]

        def first_links(
            link: tuple[str, list[Any]], read: str, distinct: str = ""
        ) -> tuple[str, list[Any]]:
            sql = (
                f"SELECT {distinct}{read} FROM {links}{joined} "
                f"WHERE {link[0]} AND {where} ORDER BY {order} LIMIT %s"
            )
            return sql, [*link[1], *params, size]

        patients = model._default_manager.db_manager(rows.db)
        if own is not None and lead.ids is not None and len(lead.ids) == 1:
            # One word: its first links and their patients whole, in one plain join.
            read = ", ".join(f"{table}.{column}" for column in columns)
            return list(patients.raw(*first_links(lead.link, read)))
        # A patient having two of the words is read once (UNION, DISTINCT); no patient has
        # one word twice.
        read = ", ".join(keys)
        if _merged() and lead.ids is not None and 1 < len(lead.ids) <= MERGED_WORDS_MOST:
            each = [first_links(_in("word_id", [word]), read) for word in lead.ids]
            found = " UNION ".join(f"({sql})" for sql, _ in each)
            found += f" ORDER BY {', '.join(f'{c}{direction}' for c in WORD_LIST_ORDER)}"
            found += " LIMIT %s"
            found_params = [param for _, each_params in each for param in each_params] + [size]
        else:
            found, found_params = first_links(lead.link, read, "DISTINCT ")
        # The patients whole, in the same query.
        patient_order = ", ".join(f"{column}{direction}" for column in _PATIENT_COLUMNS)
        sql = (
            f"SELECT {', '.join(columns)} FROM {table} WHERE id IN "
            f"(SELECT patient_id FROM ({found}) AS found) ORDER BY {patient_order}"
        )
        return list(patients.raw(sql, found_params))

    return read_chunk


_PATIENT_COLUMNS = ("family_name", "given_name", "id")


def _own_filters(rows: QuerySet[Any]) -> tuple[str, list[Any]] | None:
    """The filters of ``rows`` as SQL on their own table, or None when they reach others."""
    query = rows.query
    if query.base_table not in (None, rows.model._meta.db_table):
        return None
    if query.is_sliced or query.distinct or query.combinator:
        return None
    # A join the filters needed no more ("clinic=") stays in alias_map, unused.
    if any(count for alias, count in query.alias_refcount.items() if alias != query.base_table):
        return None
    try:
        sql, params = query.get_compiler(using=rows.db).compile(query.where)
    except FullResultSet:  # no filter
        return "1 = 1", []
    return sql, list(params)


def _beyond(columns: tuple[str, ...], values: list[Any], backwards: bool) -> tuple[str, list[Any]]:
    """``cit.clinic.paging.beyond`` in SQL, for ascending ``columns``: the rows past the
    key ``values`` (before it when ``backwards``), with the leading column's bound alone
    too, so the index starts at the cursor."""
    past = "<" if backwards else ">"
    steps = []
    params: list[Any] = []
    for i, column in enumerate(columns):
        steps.append(" AND ".join([*(f"{c} = %s" for c in columns[:i]), f"{column} {past} %s"]))
        params += [*values[:i], values[i]]
    return f"{columns[0]} {past}= %s AND ({' OR '.join(f'({s})' for s in steps)})", [
        values[0],
        *params,
    ]


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
