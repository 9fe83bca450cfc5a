"""The clinic's table of search words: every writer keeps it current, and a search read
through it answers exactly what the search key alone answered, in the same order."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cit.clinic.paging import keyset_page
from cit.clinic.patients import queries
from cit.clinic.patients.actions import do_archive_patient, do_update_patient
from cit.clinic.patients.matching import search_key, word_pieces, word_test
from cit.clinic.patients.models import Patient, PatientWord, write_search_words
from cit.clinic.patients.queries import PATIENT_ORDER, search_candidates, search_keep
from tests.source_writers import functions_writing

GIVEN = ["Olivia", "Oliver", "Zoë", "Anna-Lise", "Łucja", "Ana", "Omar", "Sofia", "Mia", "Leo"]
FAMILY = ["Martínez", "O'Brien", "Patel", "Nguyễn", "Müller", "Smith", "Pattel", "Hopper"]
QUERIES = [
    "Oliva",  # a typo
    "patel",
    "Pliver",  # a typo in the first letter: found only where the search key lets it through
    "olivia patel",
    "ana",  # a whole word and inside others
    "obrien",
    "muller",
    "nguyen",
    "lise",
    "tc0000",  # a number: phone digits or inside record numbers
    "tc00",  # inside record numbers
    "0142 oliv",
    "zoe 1990-03-14",
    "mia 1990-03-14",
    "oli",
    "xyz",
    "an",  # too short for the table of words: the list is read in order
    "1990-03-14",
    "0142",
    # LIKE's wildcards and escape are letters like any other to the search.
    "oli%",
    "o_iva",
    "pat\\el",
]
# Queries not read through the table of words: too short, or with a date or a number,
# whose own index finds fewer rows.
NO_WORDS = {"an", "1990-03-14", "0142", "tc0000", "0142 oliv", "zoe 1990-03-14", "mia 1990-03-14"}


def _page_walk(rows: Any, keep: Any) -> tuple[list[int], list[int]]:
    """Every row in pages of 4 forwards, then back from the last page to the first."""
    page = keyset_page(rows, ordering=PATIENT_ORDER, cursor=None, size=4, keep=keep)
    forwards = [p.pk for p in page]
    while page.has_next:
        page = keyset_page(rows, ordering=PATIENT_ORDER, cursor=page.next_cursor, size=4, keep=keep)
        forwards += [p.pk for p in page]
    backwards = [p.pk for p in page]
    while page.has_previous:
        page = keyset_page(
            rows, ordering=PATIENT_ORDER, cursor=page.previous_cursor, size=4, keep=keep
        )
        backwards = [p.pk for p in page] + backwards
    return forwards, backwards


@pytest.fixture
def crowd(clinic: Any, other_clinic: Any, make_patient: Any) -> list[Any]:
    rng = random.Random(13)
    made = []
    for number in range(90):
        made.append(
            make_patient(
                clinic,
                given_name=rng.choice(GIVEN),
                family_name=rng.choice(FAMILY),
                birth_date=datetime.date(1990, 3, 14)
                + datetime.timedelta(days=rng.choice([0, 0, 400])),
                email=f"p{number}@mail.example",
                phone=rng.choice(["", "+1 (602) 555-0142", "602-555-9876"]),
            )
        )
    # Another clinic's Olivia Patel is nobody's answer here.
    make_patient(other_clinic, given_name="Olivia", family_name="Patel")
    for patient in made[::9]:
        do_archive_patient(actor=None, patient=patient)
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
def test_the_words_find_what_the_search_key_found_in_the_same_order(
    clinic: Any, crowd: list[Any], query: str
) -> None:
    patients = Patient.objects.filter(clinic=clinic).active()
    keep = search_keep(query, clinic)
    assert (keep.read_chunk is None) == (query in NO_WORDS)
    found = _page_walk(search_candidates(patients, query, clinic), keep)
    before = _page_walk(search_candidates(patients, query), search_keep(query))
    assert found == before
    assert found[0] == found[1], "the same rows walking back"


@pytest.mark.django_db
def test_oliva_finds_the_olivias_of_the_clinic_by_family_name(
    clinic: Any, crowd: list[Any]
) -> None:
    found, _ = _page_walk(
        search_candidates(Patient.objects.filter(clinic=clinic).active(), "Oliva", clinic),
        search_keep("Oliva", clinic),
    )
    olivias = [
        p
        for p in crowd
        if p.given_name == "Olivia" and Patient.objects.get(pk=p.pk).archived_at is None
    ]
    olivias.sort(key=lambda p: (p.family_name, p.given_name, p.pk))
    assert olivias and found == [p.pk for p in olivias]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["tc00", "olivia patel", "ana"])
def test_many_record_numbers_or_words_are_read_as_one_list(
    clinic: Any, crowd: list[Any], monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    patients = Patient.objects.filter(clinic=clinic).active()
    before = _page_walk(search_candidates(patients, query), search_keep(query))
    monkeypatch.setattr(queries, "RECORD_WORDS_MOST", 3)
    monkeypatch.setattr(queries, "MERGED_WORDS_MOST", 1)
    assert _page_walk(search_candidates(patients, query, clinic), search_keep(query, clinic)) == (
        before
    )


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_a_one_word_search_reads_its_page_in_one_query_along_the_words_index(
    clinic: Any, crowd: list[Any]
) -> None:
    keep = search_keep("hopper", clinic)
    rows = search_candidates(Patient.objects.filter(clinic=clinic).active(), "hopper", clinic)
    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(rows, ordering=PATIENT_ORDER, cursor=None, size=5, keep=keep)
    assert {p.family_name for p in page} == {"Hopper"}
    [read] = [query["sql"] for query in queries.captured_queries]
    with connection.cursor() as cursor:
        # A test-sized table is read whole faster than through any index, and its few
        # patients sorted faster than read in order; at a clinic's size the planner's
        # choice is the index, which this makes it show now.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + read)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "patient_word_list_order" in plan, plan


def _words_of(patient: Any) -> set[tuple[str, str, str, str]]:
    return {
        (link.word.kind, link.word.word, link.family_name, link.given_name)
        for link in PatientWord.objects.filter(patient=patient).select_related("word")
    }


@pytest.mark.django_db
def test_registering_and_editing_a_patient_keep_its_words(clinic: Any, make_patient: Any) -> None:
    patient = make_patient(clinic, given_name="Anna-Lise", family_name="O'Brien")
    record = patient.record_number.lower()
    assert _words_of(patient) == {
        ("name", "anna", "O'Brien", "Anna-Lise"),
        ("name", "lise", "O'Brien", "Anna-Lise"),
        ("name", "o", "O'Brien", "Anna-Lise"),
        ("name", "brien", "O'Brien", "Anna-Lise"),
        ("record", record, "O'Brien", "Anna-Lise"),
    }
    do_update_patient(
        actor=None, patient=patient, changes={"family_name": "Müller", "phone": "0142"}
    )
    assert _words_of(patient) == {
        ("name", "anna", "Müller", "Anna-Lise"),
        ("name", "lise", "Müller", "Anna-Lise"),
        ("name", "muller", "Müller", "Anna-Lise"),
        ("record", record, "Müller", "Anna-Lise"),
    }
    patients = Patient.objects.filter(clinic=clinic)
    for query, found in [("mueller", [patient.pk]), ("muler", [patient.pk]), ("brien", [])]:
        page = keyset_page(
            search_candidates(patients, query, clinic),
            ordering=PATIENT_ORDER,
            cursor=None,
            size=5,
            keep=search_keep(query, clinic),
        )
        assert [p.pk for p in page] == found, query


@pytest.mark.django_db
def test_patients_written_in_bulk_get_their_words_from_the_same_helper(clinic: Any) -> None:
    rows = [
        Patient(
            clinic=clinic,
            record_number=f"BULK-{n}",
            given_name="Zoë",
            family_name=f"Nowak{n}",
            birth_date=datetime.date(1980, 1, 1),
            sex="female",
            search_key=search_key("Zoë", f"Nowak{n}", f"BULK-{n}", "", ""),
        )
        for n in range(3)
    ]
    write_search_words(Patient.objects.bulk_create(rows))
    write_search_words(rows)  # again: the words are replaced, not doubled
    assert PatientWord.objects.filter(word__word="zoe").count() == 3
    page = keyset_page(
        search_candidates(Patient.objects.filter(clinic=clinic), "zoe", clinic),
        ordering=PATIENT_ORDER,
        cursor=None,
        size=5,
        keep=search_keep("zoe", clinic),
    )
    assert [p.family_name for p in page] == ["Nowak0", "Nowak1", "Nowak2"]


# Functions that write patients without ``Patient.save`` (which keeps the words current):
# each must leave the names and record number alone or call ``write_search_words``.
KNOWN_BULK_PATIENT_WRITERS = {
    # The demo's intakes correct a patient's sex only.
    ("clinic/demo.py", "_load_intakes"),
}


def test_every_bulk_writer_of_patients_is_known() -> None:
    found = functions_writing(("Patient",), ("update", "bulk_create", "bulk_update"))
    assert found == KNOWN_BULK_PATIENT_WRITERS


def test_a_name_word_a_typo_matches_holds_one_of_the_terms_pieces() -> None:
    # The table of words is narrowed by the pieces before word_test reads the words.
    rng = random.Random(7)
    letters = "abcde"
    checked = 0
    for _ in range(20_000):
        term = "".join(rng.choice(letters) for _ in range(rng.randint(1, 11)))
        word = list(term)
        for _ in range(rng.randint(0, 2)):
            at = rng.randint(0, len(word))
            change = rng.randint(0, 3)
            if change == 0 and at < len(word):
                word[at] = rng.choice(letters)
            elif change == 1:
                word.insert(at, rng.choice(letters))
            elif change == 2 and at < len(word):
                del word[at]
            elif change == 3 and at + 1 < len(word):
                word[at], word[at + 1] = word[at + 1], word[at]
        text = "".join(word) + "".join(rng.choice(letters) for _ in range(rng.randint(0, 3)))
        if text and word_test(term)(text):
            checked += 1
            first, others = word_pieces(term)
            assert text.startswith(first) or any(piece in text for piece in others), (term, text)
    assert checked > 5_000


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Oliva", "ana", "olivia patel", "tc00"])
def test_rows_filtered_through_another_table_find_the_same(
    clinic: Any, crowd: list[Any], monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    # Archived patients too; one filter joins the clinics, which the words' reader cannot
    # put on the patients it joins, so it reads the rows' primary keys instead.
    plain = Patient.objects.filter(clinic=clinic)
    joined = Patient.objects.filter(clinic__name=clinic.name, clinic=clinic)
    expected = _page_walk(search_candidates(plain, query), search_keep(query))
    monkeypatch.setattr(queries, "RECORD_WORDS_MOST", 3)
    for rows in (plain, joined):
        found = _page_walk(search_candidates(rows, query, clinic), search_keep(query, clinic))
        assert found == expected
