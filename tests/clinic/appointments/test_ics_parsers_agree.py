"""The VTIMEZONE every common parser reads alike: yearly RRULEs, never comma-separated RDATE
values (which ical.js, the parser of Thunderbird and Nextcloud, misreads: London winter
sessions an hour early, Los Angeles summer sessions an hour off). Checked with ical.js itself
(installed by ``make install-test`` under tests/ical_js) and with ``icalendar`` reading the
VTIMEZONE as written (not the zone database by name)."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from cit.clinic.appointments.ics import build_calendar

pytestmark = pytest.mark.django_db

ICAL_JS = Path(__file__).resolve().parents[2] / "ical_js"

# Worked out by hand from the zone rules: London is GMT (UTC+0) in January and BST (UTC+1)
# in July; Los Angeles is PDT (UTC-7) in July and PST (UTC-8) in January.
CASES = [
    ("Europe/London", datetime.datetime(2027, 1, 12, 10, 0), datetime.datetime(2027, 1, 12, 10)),
    ("Europe/London", datetime.datetime(2027, 7, 13, 10, 0), datetime.datetime(2027, 7, 13, 9)),
    (
        "America/Los_Angeles",
        datetime.datetime(2027, 7, 13, 10, 0),
        datetime.datetime(2027, 7, 13, 17),
    ),
    (
        "America/Los_Angeles",
        datetime.datetime(2027, 1, 12, 10, 0),
        datetime.datetime(2027, 1, 12, 18),
    ),
    # Past the end of the 2038 limit of icalendar's own VTIMEZONE: the rule stays open.
    ("Europe/London", datetime.datetime(2041, 1, 15, 10, 0), datetime.datetime(2041, 1, 15, 10)),
    # A zone without daylight saving.
    ("Asia/Tokyo", datetime.datetime(2027, 7, 13, 10, 0), datetime.datetime(2027, 7, 13, 1)),
]


@pytest.fixture
def appointment_at(
    booking_clinic: Any, nurse: Any, make_patient: Any, make_plan: Any, book: Any
) -> Any:
    from cit.clinic.appointments.models import Appointment

    series = book(make_plan(make_patient(booking_clinic)))
    appointment = Appointment.objects.filter(series=series).order_by("number").first()

    def place(zone_name: str, local_start: datetime.datetime) -> Any:
        # Moved in memory only: the .ics is written from the row as given.
        booking_clinic.timezone = zone_name
        start = local_start.replace(tzinfo=zoneinfo.ZoneInfo(zone_name))
        appointment.clinic = booking_clinic
        appointment.start = start
        appointment.end = start + datetime.timedelta(hours=1)
        return appointment

    return place


def _ical_js_starts(data: bytes) -> list[datetime.datetime]:
    output = subprocess.run(
        ["node", str(ICAL_JS / "parse_events.mjs")],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    return [datetime.datetime.fromtimestamp(e["start"], datetime.UTC) for e in json.loads(output)]


@pytest.mark.parametrize(("zone_name", "local_start", "utc_start"), CASES)
def test_vtimezone_is_rrule_based_without_comma_lists(
    appointment_at: Any, zone_name: str, local_start: datetime.datetime, utc_start: Any
) -> None:
    data = build_calendar([appointment_at(zone_name, local_start)])
    (vtimezone,) = Calendar.from_ical(data).walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == zone_name
    observances = vtimezone.walk("STANDARD") + vtimezone.walk("DAYLIGHT")
    assert observances
    for observance in observances:
        assert "RDATE" not in observance
    lines = data.decode().replace("\r\n ", "").splitlines()
    assert not [line for line in lines if line.startswith("RDATE") and "," in line]
    if zone_name != "Asia/Tokyo":
        rules = [str(o["RRULE"].to_ical().decode()) for o in observances if "RRULE" in o]
        assert any(r.startswith("FREQ=YEARLY") for r in rules)


@pytest.mark.parametrize(("zone_name", "local_start", "utc_start"), CASES)
def test_offsets_from_the_vtimezone_match_the_zone_database(
    appointment_at: Any, zone_name: str, local_start: datetime.datetime, utc_start: Any
) -> None:
    data = build_calendar([appointment_at(zone_name, local_start)])
    calendar = Calendar.from_ical(data)
    (vtimezone,) = calendar.walk("VTIMEZONE")
    # The tzinfo built from the VTIMEZONE text alone, not looked up by its name.
    written = vtimezone.to_tz()
    (event,) = calendar.walk("VEVENT")
    naive = event.decoded("DTSTART").replace(tzinfo=None)
    assert naive == local_start
    as_written = naive.replace(tzinfo=written).astimezone(datetime.UTC)
    assert as_written == utc_start.replace(tzinfo=datetime.UTC)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: no ical.js run")
@pytest.mark.parametrize(("zone_name", "local_start", "utc_start"), CASES)
def test_ical_js_reads_the_times_the_clinic_meant(
    appointment_at: Any, zone_name: str, local_start: datetime.datetime, utc_start: Any
) -> None:
    if not (ICAL_JS / "node_modules" / "ical.js").is_dir():
        pytest.fail("ical.js is not installed: run `make install-test` (npm ci in tests/ical_js)")
    data = build_calendar([appointment_at(zone_name, local_start)])
    assert _ical_js_starts(data) == [utc_start.replace(tzinfo=datetime.UTC)]
