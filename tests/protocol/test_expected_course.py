"""The expected course after a session, and downtime by depth."""

from typing import Any

import pytest

from cit.protocol.aftercare import expected_course
from cit.protocol.planning import recovery_for_depth


def ids(day: int, depth: float) -> set[str]:
    return {item.id for item in expected_course(day, depth).expected}


def test_the_session_day() -> None:
    assert ids(0, 0.5) == {"redness", "pink", "bruising-scabs", "work"}


def test_swelling_on_days_one_to_three() -> None:
    assert "swelling" not in ids(0, 1.0)
    assert "swelling" in ids(1, 1.0)
    assert "swelling" in ids(3, 1.0)
    assert "swelling" not in ids(4, 1.0)


def test_tenderness_and_peeling_on_days_two_to_five() -> None:
    assert "tenderness-peeling" not in ids(1, 1.0)
    assert "tenderness-peeling" in ids(2, 1.0)
    assert "tenderness-peeling" in ids(5, 1.0)
    assert "tenderness-peeling" not in ids(6, 1.0)


def test_largely_healed_from_day_three() -> None:
    assert "healed" not in ids(2, 0.5)
    assert "healed" in ids(3, 0.5)


def test_open_ended_items_last_through_the_downtime_for_the_depth() -> None:
    assert "bruising-scabs" in ids(3, 0.5)
    assert "bruising-scabs" not in ids(4, 0.5)
    assert "bruising-scabs" in ids(7, 2.0)
    assert "bruising-scabs" not in ids(8, 2.0)


@pytest.mark.parametrize(
    ("depth", "days", "gap"),
    [
        (0.25, (2, 3), False),
        (0.5, (2, 3), False),
        (0.6, (4, 5), True),
        (0.8, (4, 5), False),
        (1.5, (4, 5), False),
        (1.75, (6, 7), True),
        (2.0, (6, 7), False),
        (2.5, (6, 7), False),
    ],
)
def test_downtime_grows_with_depth(depth: Any, days: Any, gap: Any) -> None:
    recovery = recovery_for_depth(depth)
    assert recovery.downtime_days == days
    assert (recovery.note is not None and "next deeper band" in recovery.note) is gap


def test_within_downtime() -> None:
    assert expected_course(3, 0.5).within_downtime
    assert not expected_course(4, 0.5).within_downtime


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        expected_course(-1, 0.5)
    with pytest.raises(ValueError):
        expected_course(1, 0)
