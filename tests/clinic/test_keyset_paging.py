"""Keyset pagination: every row once, in order, forwards and back, without counting."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import BadRequest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cit.clinic.paging import MAX_PAGE_SIZE, keyset_page
from cit.clinic.patients.models import Patient

pytestmark = pytest.mark.django_db

ORDER = ("family_name", "given_name", "id")


@pytest.fixture
def events(clinic: Any, make_patient: Any) -> list[int]:
    """Twelve patients, four of them with one name (the ties the id breaks), in list order."""
    names = [("Cole", "Bea"), ("Abel", "Zed"), ("Abel", "Amy")] + [("Bond", "Kim")] * 4
    names += [("Diaz", f"P{n}") for n in range(5)]
    ids = {}
    for number, (family, given) in enumerate(names):
        ids[number] = make_patient(clinic, family_name=family, given_name=given).pk
    # By family name, then given name, then id: worked out from the names above.
    return [ids[2], ids[1], ids[3], ids[4], ids[5], ids[6], ids[0], *(ids[n] for n in range(7, 12))]


# sort_matches: the database sorts the rows apart from the name index; same pages.
@pytest.mark.parametrize("sort_matches", [False, True])
def test_walks_every_row_once_forwards_and_back(
    clinic: Any, events: list[int], sort_matches: bool
) -> None:
    rows = Patient.objects.filter(clinic=clinic)
    options = {"ordering": ORDER, "size": 5, "sort_matches": sort_matches}
    seen: list[list[int]] = []
    page = keyset_page(rows, cursor=None, **options)
    assert not page.has_previous
    while True:
        seen.append([row.pk for row in page])
        if not page.has_next:
            break
        page = keyset_page(rows, cursor=page.next_cursor, **options)
    assert [pk for chunk in seen for pk in chunk] == events
    assert [len(chunk) for chunk in seen] == [5, 5, 2]
    # And back from the last page to the first.
    back = keyset_page(rows, cursor=page.previous_cursor, **options)
    assert [row.pk for row in back] == seen[1]
    first = keyset_page(rows, cursor=back.previous_cursor, **options)
    assert [row.pk for row in first] == seen[0]
    assert not first.has_previous
    assert first.has_next


def test_one_query_per_page_and_no_count(clinic: Any, events: list[int]) -> None:
    rows = Patient.objects.filter(clinic=clinic)
    second = keyset_page(rows, ordering=ORDER, cursor=None, size=5).next_cursor
    with CaptureQueriesContext(connection) as queries:
        len(keyset_page(rows, ordering=ORDER, cursor=second, size=5))
    assert len(queries) == 1
    assert "COUNT" not in queries[0]["sql"].upper()


def test_a_numbered_list_goes_on_from_the_page_before(clinic: Any, events: list[int]) -> None:
    rows = Patient.objects.filter(clinic=clinic)
    first = keyset_page(rows, ordering=ORDER, cursor=None, size=5, numbered=True)
    second = keyset_page(rows, ordering=ORDER, cursor=first.next_cursor, size=5, numbered=True)
    third = keyset_page(rows, ordering=ORDER, cursor=second.next_cursor, size=5, numbered=True)
    back = keyset_page(rows, ordering=ORDER, cursor=third.previous_cursor, size=5, numbered=True)
    # Twelve rows, five a page: the pages start at rows 1, 6 and 11, whichever way reached.
    assert [first.first_number, second.first_number, third.first_number] == [1, 6, 11]
    assert back.first_number == 6


def test_page_size_is_bounded(clinic: Any, events: list[int]) -> None:
    rows = Patient.objects.filter(clinic=clinic)
    with CaptureQueriesContext(connection) as queries:
        keyset_page(rows, ordering=ORDER, cursor=None, size=10**9)
    assert f"LIMIT {MAX_PAGE_SIZE + 1}" in queries[0]["sql"]


@pytest.mark.parametrize(
    "cursor",
    [
        "x",
        "not base64 !",
        "W10",
        "WyI-IixbMSwyXV0",
        "WyI-IixbbnVsbCwiYSIsMV1d",
        "WyI-IixbImEiLCJiIiwieCJdXQ",
        "WyI-IixbImEiLCJiIiw5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OV1d",
        "WyI-IixbImFcdTAwMDAiLCJiIiwxXV0",
        "A" * 600,
    ],
)
def test_a_damaged_cursor_is_a_bad_request(clinic: Any, cursor: str) -> None:
    rows = Patient.objects.filter(clinic=clinic)
    with pytest.raises(BadRequest):
        keyset_page(rows, ordering=ORDER, cursor=cursor, size=5)


def test_an_ordering_must_end_with_a_unique_field() -> None:
    with pytest.raises(ValueError):
        keyset_page(Patient.objects.all(), ordering=("family_name",), cursor=None, size=5)


@pytest.mark.parametrize("sort_matches", [False, True])
def test_a_python_test_thins_the_rows_chunk_by_chunk(
    clinic: Any, events: list[int], monkeypatch: pytest.MonkeyPatch, sort_matches: bool
) -> None:
    from cit.clinic import paging

    # Chunks of 2, 4, then 5 rows (the most): twelve rows in three rounds, tested three
    # at a time.
    monkeypatch.setattr(paging, "KEEP_FIRST_CHUNK", 2)
    monkeypatch.setattr(paging, "KEEP_MOST_CHUNK", 5)
    monkeypatch.setattr(paging, "KEEP_BATCH", 3)
    wanted = set(events[::3])  # the 1st, 4th, 7th and 10th in list order

    keep = paging.Keep(("pk",), lambda values: [pk in wanted for (pk,) in values])

    rows = Patient.objects.filter(clinic=clinic)
    with CaptureQueriesContext(connection) as queries:
        first = keyset_page(
            rows, ordering=ORDER, cursor=None, size=3, keep=keep, sort_matches=sort_matches
        )
    assert [row.pk for row in first] == events[0:10:3][:3]
    # Four kept rows (the page and one to know there is more) take the three chunks; then
    # the page's rows are read whole, once.
    assert len(queries) == 4
    assert isinstance(first.rows[0], Patient)
    assert first.has_next
    second = keyset_page(
        rows, ordering=ORDER, cursor=first.next_cursor, size=3, keep=keep, sort_matches=sort_matches
    )
    assert [row.pk for row in second] == [events[9]]
    assert not second.has_next
    back = keyset_page(
        rows,
        ordering=ORDER,
        cursor=second.previous_cursor,
        size=3,
        keep=keep,
        sort_matches=sort_matches,
    )
    assert [row.pk for row in back] == [row.pk for row in first]
    assert not back.has_previous


@pytest.mark.parametrize("sort_matches", [False, True])
def test_a_test_that_keeps_most_rows_reads_them_whole_in_one_query(
    clinic: Any, events: list[int], sort_matches: bool
) -> None:
    from cit.clinic import paging

    dropped = {events[1], events[6], events[7], events[8]}
    keep = paging.Keep(("pk",), lambda values: [pk not in dropped for (pk,) in values], whole=True)
    rows = Patient.objects.filter(clinic=clinic)
    options = {"ordering": ORDER, "size": 3, "keep": keep, "sort_matches": sort_matches}
    with CaptureQueriesContext(connection) as queries:
        first = keyset_page(rows, cursor=None, **options)
    # Half as many again read whole hold the page and the row after it: nothing else is read.
    assert len(queries) == 1
    assert isinstance(first.rows[0], Patient)
    assert [row.pk for row in first] == [events[0], events[2], events[3]]
    # Three dropped in a row on the second page; the walk back gives it again.
    second = keyset_page(rows, cursor=first.next_cursor, **options)
    assert [row.pk for row in second] == [events[4], events[5], events[9]]
    third = keyset_page(rows, cursor=second.next_cursor, **options)
    assert [row.pk for row in third] == [events[10], events[11]]
    assert not third.has_next
    back = keyset_page(rows, cursor=third.previous_cursor, **options)
    assert [row.pk for row in back] == [row.pk for row in second]
