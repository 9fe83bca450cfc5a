"""A patient's request to move a booked session, checked before staff see it: enough
notice, the clinic open for the whole visit at the new time, and the series' interval
window kept (session 1 within the series' start window). Staff confirm through the
ordinary move, which re-plans the rest of the series and checks providers and rooms."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cit.scheduling.localtime import local_date, minute_of_day
from cit.scheduling.types import BookedSeries, Clinic


class MoveRequestRefusal(enum.StrEnum):
    IN_THE_PAST = "in_the_past"
    TOO_LITTLE_NOTICE = "too_little_notice"
    CLINIC_CLOSED = "clinic_closed"
    OUTSIDE_OPENING_HOURS = "outside_opening_hours"
    OUTSIDE_SERIES_WINDOW = "outside_series_window"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class MoveRequestCheck:
    """``refusal`` is None when the request may go to staff. ``earliest``/``latest`` are the
    days the session may move to (``latest`` None: no later limit); ``earliest_notice`` the
    first moment the notice allows."""

    refusal: MoveRequestRefusal | None
    earliest: date
    latest: date | None
    earliest_notice: datetime


def move_window(series: BookedSeries, number: int, clinic: Clinic) -> tuple[date, date | None]:
    """The days session ``number`` may move to and keep its series' interval window: after
    the session before it by the window's minimum to maximum days; session 1 within the
    series' start window, or at most the window's maximum days after its booked day."""
    interval = series.request.interval
    zone = clinic.zone
    if number > 1:
        previous = local_date(series.session(number - 1).start, zone)
        return (
            previous + timedelta(days=interval.min_days),
            previous + timedelta(days=interval.max_days),
        )
    booked = local_date(series.session(number).start, zone)
    latest = series.request.latest_start or booked + timedelta(days=interval.max_days)
    return series.request.earliest_start, max(latest, booked)


def check_move_request(
    series: BookedSeries,
    number: int,
    new_start: datetime,
    clinic: Clinic,
    *,
    now: datetime,
    notice: timedelta,
) -> MoveRequestCheck:
    zone = clinic.zone
    earliest, latest = move_window(series, number, clinic)
    earliest_notice = now + notice
    session = series.session(number)
    visit_minutes = int((session.end - session.start).total_seconds() // 60)

    def result(refusal: MoveRequestRefusal | None) -> MoveRequestCheck:
        return MoveRequestCheck(refusal, earliest, latest, earliest_notice)

    if new_start == session.start:
        return result(MoveRequestRefusal.UNCHANGED)
    if new_start <= now or session.start <= now:
        return result(MoveRequestRefusal.IN_THE_PAST)
    if new_start < earliest_notice or session.start < earliest_notice:
        return result(MoveRequestRefusal.TOO_LITTLE_NOTICE)
    day = local_date(new_start, zone)
    if day < earliest or (latest is not None and day > latest):
        return result(MoveRequestRefusal.OUTSIDE_SERIES_WINDOW)
    windows = clinic.opening_hours.windows_on(day.weekday())
    if day in clinic.closed_dates or not windows:
        return result(MoveRequestRefusal.CLINIC_CLOSED)
    start_minute = minute_of_day(new_start, zone)
    if not any(
        w.start_minute <= start_minute and start_minute + visit_minutes <= w.end_minute
        for w in windows
    ):
        return result(MoveRequestRefusal.OUTSIDE_OPENING_HOURS)
    return result(None)
