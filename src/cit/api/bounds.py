"""The ranges of :mod:`cit.lib.bounds` as API schema types, and the API's bounded JSON parser.

A value out of range fails validation like any other bad field: 422 with the structured
error body naming the field. The types also carry their range into the OpenAPI document
where JSON Schema can say it (``minimum``/``maximum``), so fuzzers and clients know it.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, cast

from django.http import HttpRequest
from django.utils import timezone
from ninja.parser import Parser
from pydantic import AfterValidator, Field

from cit.interop.bounded_json import MAX_DEPTH, JsonTooDeep, loads_bounded
from cit.lib import bounds


def _today() -> datetime.date:
    return timezone.localdate()


def _day(value: datetime.date) -> datetime.date:
    return bounds.check_date(value, _today())


def _birth_day(value: datetime.date) -> datetime.date:
    return bounds.check_birth_date(value, _today())


def _moment(value: datetime.datetime) -> datetime.datetime:
    return bounds.check_datetime(value, _today())


Day = Annotated[datetime.date, AfterValidator(_day)]
"""A date the clinic can use (1900-01-01 to ten years ahead)."""

BirthDay = Annotated[datetime.date, AfterValidator(_birth_day)]
"""A birth date: 1900-01-01 or later, not after today."""

Moment = Annotated[datetime.datetime, AfterValidator(_moment)]
"""A date-time on a day the clinic can use."""

Offset = Annotated[int, Field(ge=0, le=bounds.MAX_OFFSET)]
SeriesIndex = Annotated[int, Field(ge=0, le=bounds.MAX_SERIES_INDEX)]
Weekday = Annotated[int, Field(ge=0, le=6, description="0 is Monday")]
Id = Annotated[int, Field(ge=1, le=bounds.MAX_DATABASE_ID)]
Address = Annotated[str, Field(max_length=bounds.ADDRESS_MAX_LENGTH)]


class BoundedJsonParser(Parser):
    """JSON bodies nested deeper than the bound are refused (400) before any model walks
    them (``json.loads`` alone raises RecursionError on 100,000 levels)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            return cast(dict[str, Any], loads_bounded(request.body))
        except JsonTooDeep:
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
