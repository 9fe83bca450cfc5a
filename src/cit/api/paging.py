"""The API's lists page like the pages do (``cit.clinic.paging``): ``?cursor=&limit=`` in,
``{"items": [...], "next": "<link>"}`` out, ``next`` null on the last page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from cit.clinic.paging import MAX_CURSOR_LENGTH, MAX_PAGE_SIZE, Keep, keyset_page

DEFAULT_LIMIT = 50


class KeysetPagination(PaginationBase):
    """Keyset pagination for ``@paginate(KeysetPagination, ordering=(...))``; ``present``
    turns each row into what the item schema reads (default: the row itself); ``keep``
    makes, from the request and the view's parameters, the Python test a row must also pass
    (a search), and
    ``sort_matches`` says from them whether the database sorts the rows it finds (see
    ``cit.clinic.paging.keyset_page``)."""

    class Input(Schema):
        cursor: str = Field(
            "",
            max_length=MAX_CURSOR_LENGTH,
            description="Where the page starts: the cursor of the previous answer's `next` link.",
        )
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_PAGE_SIZE, description="Rows per page.")

    class Output(Schema):
        items: list[Any]
        next: str | None = Field(None, description="The next page's link; null on the last page.")

    items_attribute = "items"

    def __init__(
        self,
        *,
        ordering: Sequence[str],
        present: Callable[[Any], Any] | None = None,
        keep: Callable[[HttpRequest, dict[str, Any]], Keep | None] | None = None,
        sort_matches: Callable[[dict[str, Any]], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.ordering = tuple(ordering)
        self.present = present
        self.keep = keep
        self.sort_matches = sort_matches

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        page = keyset_page(
            queryset,
            ordering=self.ordering,
            cursor=pagination.cursor,
            size=pagination.limit,
            keep=self.keep(request, params) if self.keep else None,
            sort_matches=self.sort_matches(params) if self.sort_matches else False,
        )
        items = [self.present(row) for row in page.rows] if self.present else page.rows
        return {"items": items, "next": next_link(request, page.next_cursor)}


def next_link(request: HttpRequest, cursor: str) -> str | None:
    if not cursor:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
