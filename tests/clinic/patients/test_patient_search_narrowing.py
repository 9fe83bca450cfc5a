"""The database narrows a patient search to the rows that can match; what it lets through
must hold every row ``search`` would find, bar a typo in a name's first letter."""

import datetime

import pytest

from cit.clinic.patients.matching import PatientRow, narrowing, search, search_key

ROWS = [
    PatientRow(
        1,
        "Olivia",
        "Martínez",
        "CIT-000001",
        "olivia@mail.example",
        "602-555-0142",
        datetime.date(1990, 3, 14),
    ),
    PatientRow(
        2,
        "Oliver",
        "Stone",
        "CIT-000002",
        "ostone@mail.example",
        "602-555-9876",
        datetime.date(1985, 7, 1),
    ),
    PatientRow(
        3, "Grace", "Hopper", "CIT-000003", "grace@mail.example", "", datetime.date(1990, 3, 14)
    ),
    PatientRow(
        4, "Anna-Lise", "O'Brien", "CIT-000004", "", "+44 20 7946 0018", datetime.date(1970, 1, 2)
    ),
]


def _passes(row: PatientRow, query: str) -> bool:
    wanted = narrowing(query)
    if wanted.nothing:
        return False
    if wanted.birth_date is not None and row.birth_date != wanted.birth_date:
        return False
    key = search_key(row.given_name, row.family_name, row.record_number, row.email, row.phone)
    return all(any(part in key for part in any_of) for any_of in wanted.key_parts)


def test_search_key_holds_folded_words_record_email_and_phone_digits() -> None:
    assert search_key("Anna-Lise", "O'Brien", "CIT-000004", "", "+44 20 7946 0018") == (
        " anna lise o brien cit-000004 000004 442079460018 "
    )


@pytest.mark.parametrize(
    "query",
    [
        "Oliva",
        "olivia martinez",
        "Olivr",
        "oli",
        "hoper",
        "1990-03-14",
        "14/03/1990",
        "grace 14/03/1990",
        "602 555 0142",
        "5550142",
        "ostone@mail.example",
        "CIT-000003",
        "000002",
        "lise",
        "obrien",
        "brien anna",
        "Zebedee",
        "7946 0018",
    ],
)
def test_narrowing_lets_through_every_row_search_finds(query: str) -> None:
    found = set(search(query, ROWS))
    passed = {row.pk for row in ROWS if _passes(row, query)}
    assert found <= passed


def test_narrowing_keeps_most_rows_out() -> None:
    # "hoper": only Grace Hopper has a word starting with h that holds "ho" or "per".
    assert {row.pk for row in ROWS if _passes(row, "hoper")} == {3}
    # "oliva": Olivia and Oliver (both hold "ol"), not Anna-Lise O'Brien (an "o" word).
    assert {row.pk for row in ROWS if _passes(row, "oliva")} == {1, 2}
    assert {row.pk for row in ROWS if _passes(row, "bri")} == {4}
    assert {row.pk for row in ROWS if _passes(row, "1985-07-01")} == {2}
    assert {row.pk for row in ROWS if _passes(row, "5550142")} == {1}


def test_two_different_birth_dates_find_nobody() -> None:
    assert narrowing("grace 1990-03-14 1985-07-01").nothing


def test_a_typo_in_the_first_letter_is_not_forgiven_at_scale() -> None:
    # search alone forgives "Pliver" (one edit from Oliver); the narrowing does not.
    assert 2 in search("Pliver", ROWS)
    assert not _passes(ROWS[1], "Pliver")


@pytest.mark.parametrize(
    ("query", "indexed"),
    [
        ("oliva", True),  # " ol" or "iva": each a trigram
        ("ann", True),
        ("0142", True),
        ("1990-03-14", True),  # the birth date's index
        ("an", False),  # two letters anywhere: no trigram, every row is read
        ("o b", False),
        ("sc-0", False),  # "-0" holds no trigram
    ],
)
def test_a_narrowing_says_whether_an_index_finds_its_rows(query: str, indexed: bool) -> None:
    assert narrowing(query).indexed is indexed
