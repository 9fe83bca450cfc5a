"""Local wall-clock time <-> absolute time, with daylight-saving changes handled on purpose.

The search works in epoch seconds (ints compare and bisect fast); people and opening hours work
in local wall-clock time. The rules at a DST change:

* A slot start whose wall time does not exist (the spring-forward gap) is skipped.
* A wall time that occurs twice (the fall-back hour) means its first occurrence (``fold=0``).
* A window boundary (opening, closing, start or end of working hours) is the first instant
  the wall clock reads that time; inside a gap that is the instant of the jump.

Python compares and subtracts two datetimes that share a tzinfo by their wall-clock fields,
ignoring DST; everything here therefore goes through UTC epoch seconds.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def to_epoch(moment: datetime) -> int:
    """Whole seconds since the epoch, rounded down (start of a hold)."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()} has no absolute meaning")
    return math.floor(moment.timestamp())


def to_epoch_ceil(moment: datetime) -> int:
    """Whole seconds since the epoch, rounded up (end of a hold), so holds only grow."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()} has no absolute meaning")
    return math.ceil(moment.timestamp())


def from_epoch(seconds: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(seconds, zone)


def _wall(day: date, minute: int, zone: ZoneInfo, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, fold=fold, tzinfo=zone)


def wall_time_exists(day: date, minute: int, zone: ZoneInfo) -> bool:
    naive = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
    round_trip = _wall(day, minute, zone).astimezone(UTC).astimezone(zone)
    return round_trip.replace(tzinfo=None) == naive


def wall_time_is_ambiguous(day: date, minute: int, zone: ZoneInfo) -> bool:
    return _wall(day, minute, zone, 0).utcoffset() != _wall(day, minute, zone, 1).utcoffset() and (
        wall_time_exists(day, minute, zone)
    )


def local_instant(day: date, minute: int, zone: ZoneInfo) -> datetime | None:
    """The instant the clinic's clock shows ``minute`` on ``day``; ``None`` if it never does."""
    if not wall_time_exists(day, minute, zone):
        return None
    return _wall(day, minute, zone, 0)


def boundary_epoch(day: date, minute: int, zone: ZoneInfo) -> int:
    """Epoch of the first instant the wall clock reads ``minute`` on ``day`` (or later, if that
    wall time is skipped: then the instant of the jump)."""
    if wall_time_exists(day, minute, zone):
        return to_epoch(_wall(day, minute, zone, 0))
    # In a gap, fold=1 applies the post-jump offset (an instant before the jump) and fold=0 the
    # pre-jump offset (an instant after it); bisect for the jump between them.
    low = to_epoch(_wall(day, minute, zone, 1))
    high = to_epoch(_wall(day, minute, zone, 0))
    after = datetime.fromtimestamp(high, zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def minute_of_day(moment: datetime, zone: ZoneInfo) -> int:
    local = moment.astimezone(zone)
    return local.hour * 60 + local.minute


def calendar_days_between(earlier: datetime, later: datetime, zone: ZoneInfo) -> int:
    """Days between two instants counted on the local calendar (a DST change is no day)."""
    return (local_date(later, zone) - local_date(earlier, zone)).days


class DayClock:
    """Maps wall minutes of one local day to epoch seconds, memoised.

    Most days have one UTC offset all day, so a minute is ``midnight + 60 * minute``; only
    the two transition days a year go through zoneinfo minute by minute.
    """

    __slots__ = ("day", "zone", "_uniform_base", "_cache")

    def __init__(self, day: date, zone: ZoneInfo) -> None:
        self.day = day
        self.zone = zone
        self._cache: dict[int, int | None] = {}
        first = datetime.combine(day, time(0), tzinfo=zone)
        last = datetime.combine(day, time(23, 59), tzinfo=zone)
        next_day = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        offsets = {first.utcoffset(), last.utcoffset(), next_day.utcoffset()}
        uniform = len(offsets) == 1 and wall_time_exists(day, 0, zone)
        self._uniform_base: int | None = to_epoch(first) if uniform else None

    @property
    def uniform_base(self) -> int | None:
        """Epoch of midnight when the day has one UTC offset throughout (minute m is then
        ``uniform_base + 60 * m``), else None."""
        return self._uniform_base

    def start_epoch(self, minute: int) -> int | None:
        """Epoch of a slot starting at wall ``minute``; ``None`` when that time is skipped."""
        if self._uniform_base is not None:
            return self._uniform_base + minute * 60
        if minute not in self._cache:
            instant = local_instant(self.day, minute, self.zone)
            self._cache[minute] = None if instant is None else to_epoch(instant)
        return self._cache[minute]

    def boundary(self, minute: int) -> int:
        if self._uniform_base is not None:
            return self._uniform_base + minute * 60
        return boundary_epoch(self.day, minute, self.zone)
