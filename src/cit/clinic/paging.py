"""Keyset (seek) pagination: every list that can grow is read a bounded page at a time.

A page is found by the sort key of the row it follows (or precedes), not by an offset, so
page 1,000 costs what page 1 costs and nothing counts the whole table. The cursor in the
link is that key, opaque to the reader; a damaged cursor is a 400, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any

from django.core.exceptions import BadRequest, ValidationError
from django.db.models import CharField, F, Field, Model, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import HttpRequest

# No page is longer than this, whatever a client asks for.
MAX_PAGE_SIZE = 200
# Cursors are short (a few sort keys); anything longer is not one of ours.
MAX_CURSOR_LENGTH = 500


class BadCursor(BadRequest):
    """The ``cursor`` parameter is not one this application wrote."""


@dataclass(frozen=True)
class KeysetPage:
    """One page of rows, with the cursors of the pages either side ("" when there is none)."""

    rows: list[Any]
    next_cursor: str
    previous_cursor: str
    # The words on the links: "Older"/"Newer" reads better than "Next"/"Previous" for a log.
    next_label: str = "Next"
    previous_label: str = "Previous"
    # The links themselves ("?filters&cursor=..."), when the page was read from a request.
    next_link: str = ""
    previous_link: str = ""
    # The place of the first row in the whole list, counting from 1 (for numbered lists).
    first_number: int = 1

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def keyset_page(
    rows: QuerySet[Any],
    *,
    ordering: Sequence[str],
    cursor: str | None,
    size: int,
    keep: Keep | None = None,
    sort_matches: bool = False,
    next_label: str = "Next",
    previous_label: str = "Previous",
    numbered: bool = False,
) -> KeysetPage:
    """The page of ``rows`` (sorted by ``ordering``) that ``cursor`` points at, at most
    ``size`` rows. ``ordering`` names non-null fields of the model and ends with a unique
    one ("id" or "-id"), so every row has its own place.

    ``keep``, when given, is a test the database cannot make (a typo-tolerant name match):
    the few fields it reads are then read in order a chunk at a time until a page of kept
    rows is found, so a broad search reads the first chunk or two, not every candidate,
    and only the page's own rows are read whole.

    ``numbered`` counts the rows before a page other than the first (one ``COUNT`` over
    them), so a numbered list goes on from the page before instead of starting at 1 again.

    ``sort_matches``: the database finds ``rows`` through an index of their own (a search
    key's trigram index); it sorts them rather than walk the list's index until they turn
    up (see ``_sorted_apart``)."""
    if numbered and keep is not None:
        raise ValueError("A list thinned by ``keep`` has no place numbers to count.")
    size = max(1, min(size, MAX_PAGE_SIZE))
    keys = _keys(rows.model, ordering)
    labels = {"next_label": next_label, "previous_label": previous_label}
    direction, values = _decode(cursor, keys) if cursor else (">", None)
    backwards = direction == "<"
    order = [_flip(name) if backwards else name for name in ordering]
    found = _read(rows, keys, order, values, backwards, size + 1, keep, sort_matches)
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()
        if not found:
            # Nothing is left before the cursor (rows archived since): the first page.
            return keyset_page(
                rows,
                ordering=ordering,
                cursor=None,
                size=size,
                keep=keep,
                numbered=numbered,
                sort_matches=sort_matches,
                **labels,
            )
    first_number = 1
    if numbered and found and values is not None:
        first = [getattr(found[0], key.field.attname) for key in keys]
        first_number = rows.filter(_beyond(keys, first, backwards=True)).count() + 1
    has_next = bool(found) and (backwards or more)
    has_previous = bool(found) and values is not None and (more or not backwards)
    return KeysetPage(
        rows=found,
        next_cursor=_encode(">", keys, found[-1]) if has_next else "",
        previous_cursor=_encode("<", keys, found[0]) if has_previous else "",
        first_number=first_number,
        **labels,
    )


ChunkReader = Callable[[QuerySet[Any], list[Any] | None, bool, int], list[Any]]


@dataclass(frozen=True)
class Keep:
    """A test the database cannot make, on a few ``fields`` of each row: ``test`` takes
    their values (a tuple per row, in ``fields`` order) and says which rows it keeps."""

    fields: tuple[str, ...]
    test: Callable[[list[tuple[Any, ...]]], list[bool]]
    # A way of its own to read the candidates in list order (a search's table of words),
    # given ``rows``, the sort key to start after (None: from the start), whether to read
    # backwards and how many: those of ``rows`` ``rows.order_by(...)`` past that key would
    # give, whole.
    read_chunk: ChunkReader | None = None
    # The test keeps nearly every candidate (a search for a date of birth or a phone
    # number): they are read whole, a page's worth first, so the page needs no second read.
    whole: bool = False


# Rows read per round when a ``keep`` test thins them out: the fields it reads only, so a
# first chunk of a dozen pages (a typo whose first hundred candidates are another name
# still fills its page from one read: each read gathers and sorts every candidate), twice
# as many each further round, up to the most. They are tested a batch at a time, so a page
# found early leaves the rest of the chunk untested.
KEEP_FIRST_CHUNK = 300
KEEP_MOST_CHUNK = 4000
KEEP_BATCH = 100


def _read(
    rows: QuerySet[Any],
    keys: list[_Key],
    order: list[str],
    values: list[Any] | None,
    backwards: bool,
    wanted: int,
    keep: Keep | None,
    sort_matches: bool,
) -> list[Any]:
    """Up to ``wanted`` rows past ``values`` in ``order`` that ``keep`` keeps."""
    sort = _sorted_apart(order) if sort_matches else order
    if keep is None:
        beyond = rows if values is None else rows.filter(_beyond(keys, values, backwards))
        return list(beyond.order_by(*sort)[:wanted])
    kept, whole = _kept(rows, keys, sort, values, backwards, wanted, keep)
    # The page's rows whole, in the order found (one gone since is left out).
    whole = whole or rows.in_bulk(kept)
    return [whole[pk] for pk in kept if pk in whole]


def _kept(
    rows: QuerySet[Any],
    keys: list[_Key],
    sort: list[Any],
    values: list[Any] | None,
    backwards: bool,
    wanted: int,
    keep: Keep,
) -> tuple[list[Any], dict[Any, Any]]:
    """The primary keys of up to ``wanted`` rows past ``values`` that ``keep`` keeps, and
    the rows whole when they were read so (``keep.read_chunk``, ``keep.whole``; else {})."""
    # Each candidate as a tuple: its primary key, its sort keys, then what ``keep`` reads.
    read = ("pk", *(key.field.attname for key in keys), *keep.fields)
    tested = 1 + len(keys)
    kept: list[Any] = []
    whole: dict[Any, Any] = {}
    # The candidates a reader of their own finds are mostly kept: a page's worth first,
    # whole; a ``whole`` keep's half as many again, as a few of them (an email holding the
    # phone number typed) are not, and a second read would cost more than the extra rows.
    mostly_kept = keep.read_chunk is not None or keep.whole
    size = KEEP_FIRST_CHUNK
    if mostly_kept:
        size = wanted if keep.read_chunk is not None else wanted + wanted // 2
    values_of = attrgetter(*read)
    while True:
        if keep.read_chunk is not None:
            found = keep.read_chunk(rows, values, backwards, size)
        else:
            beyond = rows if values is None else rows.filter(_beyond(keys, values, backwards))
            if keep.whole:
                found = list(beyond.order_by(*sort)[:size])
            else:
                chunk = list(beyond.order_by(*sort).values_list(*read)[:size])
        if mostly_kept:
            whole.update((row.pk, row) for row in found)
            chunk = [values_of(row) for row in found]
        for start in range(0, len(chunk), KEEP_BATCH):
            batch = chunk[start : start + KEEP_BATCH]
            verdicts = keep.test([candidate[tested:] for candidate in batch])
            kept += [candidate[0] for candidate, yes in zip(batch, verdicts, strict=True) if yes]
            if len(kept) >= wanted:
                return kept[:wanted], whole
        if len(chunk) < size:
            return kept, whole
        values = list(chunk[-1][1:tested])
        size = min(size * 2, KEEP_MOST_CHUNK)


def _sorted_apart(order: list[str]) -> list[Any]:
    """``order`` with its leading key wrapped in an expression of the same value, so no
    index on it can give the order. The database's estimate of how many rows a search
    matches is a guess, and walking the list's index until a chunk matches reads most of
    the table when the matches lie far down the list (a family name late in the
    alphabet). Gathered through the search's own index and sorted, they cost what they
    number."""
    first, rest = order[0], order[1:]
    name = first.removeprefix("-")
    expression = Concat(F(name), Value(""), output_field=CharField())
    leading = expression.desc() if first.startswith("-") else expression.asc()
    return [leading, *rest]


@dataclass(frozen=True)
class _Key:
    name: str
    descending: bool
    field: Field[Any, Any]


def _keys(model: type[Model], ordering: Sequence[str]) -> list[_Key]:
    keys = []
    for entry in ordering:
        name = entry.removeprefix("-")
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        keys.append(_Key(name, entry.startswith("-"), field))  # type: ignore[arg-type]
    if not keys or not (keys[-1].field.primary_key or keys[-1].field.unique):
        raise ValueError("A keyset ordering must end with a unique field.")
    return keys


def _flip(entry: str) -> str:
    return entry[1:] if entry.startswith("-") else f"-{entry}"


def _beyond(keys: list[_Key], values: list[Any], backwards: bool) -> Q:
    """Rows after the key ``values`` in the ordering (before it when ``backwards``)."""
    return beyond(
        [f"-{key.name}" if key.descending else key.name for key in keys], values, backwards
    )


def beyond(ordering: Sequence[str], values: list[Any], backwards: bool) -> Q:
    """Rows after the key ``values`` in ``ordering`` (field names, "-" before a descending
    one), before it when ``backwards``; for a ``Keep.read_chunk`` reading another table's
    copy of the list's sort keys."""
    names = [entry.removeprefix("-") for entry in ordering]

    def past(i: int) -> str:
        return "lt" if ordering[i].startswith("-") != backwards else "gt"

    wanted = Q()
    for i, name in enumerate(names):
        step = Q(**{f"{name}__{past(i)}": values[i]})
        for earlier, value in zip(names[:i], values[:i], strict=False):
            step &= Q(**{earlier: value})
        wanted |= step
    # The same bound on the leading key alone lets an index on it start at the cursor.
    lead = Q(**{f"{names[0]}__{past(0)}e": values[0]})
    return lead & wanted


def _encode(direction: str, keys: list[_Key], row: Any) -> str:
    values = [getattr(row, key.field.attname) for key in keys]
    text = json.dumps([direction, values], default=_exact, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _exact(value: Any) -> str:
    """Dates and times to the microsecond (Django's JSON encoder keeps milliseconds only,
    which would put the cursor between rows), anything else as text."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _decode(cursor: str, keys: list[_Key]) -> tuple[str, list[Any]]:
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        direction, values = json.loads(raw)
        if direction not in (">", "<") or not isinstance(values, list):
            raise ValueError("not a cursor")
        if len(values) != len(keys) or any(value is None for value in values):
            raise ValueError("not this list's cursor")
        decoded = [key.field.to_python(value) for key, value in zip(keys, values, strict=True)]
        for value in decoded:
            # What the database would refuse (a 500 there): out-of-range ids, NUL characters.
            if isinstance(value, int) and not -(2**63) <= value < 2**63:
                raise ValueError("out of range")
            if isinstance(value, str) and "\x00" in value:
                raise ValueError("NUL")
        return direction, decoded
    except (ValueError, TypeError, binascii.Error, ValidationError, UnicodeDecodeError):
        raise BadCursor(
            "This page link is damaged or out of date; go back to the first page."
        ) from None


def request_page(
    request: HttpRequest,
    rows: QuerySet[Any],
    *,
    ordering: Sequence[str],
    size: int,
    param: str = "cursor",
    keep: Keep | None = None,
    sort_matches: bool = False,
    next_label: str = "Next",
    previous_label: str = "Previous",
    numbered: bool = False,
) -> KeysetPage:
    """The page a list view's ``?<param>=`` asks for, with links that keep the other
    parameters (the filters, another list's cursor on the same page)."""
    page = keyset_page(
        rows,
        ordering=ordering,
        cursor=request.GET.get(param),
        size=size,
        keep=keep,
        sort_matches=sort_matches,
        next_label=next_label,
        previous_label=previous_label,
        numbered=numbered,
    )

    def link(cursor: str) -> str:
        if not cursor:
            return ""
        query = request.GET.copy()
        query[param] = cursor
        return f"?{query.urlencode()}"

    return replace(page, next_link=link(page.next_cursor), previous_link=link(page.previous_cursor))
