"""Calendar UIDs carry the installation's own domain: the CALENDAR_UID_DOMAIN setting, else
the first real host name the installation serves (ALLOWED_HOSTS), so two clinics' calendars
never share a UID."""

from __future__ import annotations

from typing import Any

import pytest

from cit.clinic.appointments.ics import uid_domain


def test_the_setting_wins(settings: Any) -> None:
    settings.CALENDAR_UID_DOMAIN = "calendar.clinic-one.example"
    settings.ALLOWED_HOSTS = ["cit.clinic-two.example"]
    assert uid_domain() == "calendar.clinic-one.example"


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        (["127.0.0.1", "localhost", "cit.clinic-two.example"], "cit.clinic-two.example"),
        ([".clinic-three.example"], "clinic-three.example"),
        (["*", "[::1]"], "localhost"),
    ],
)
def test_derived_from_the_served_host_names(settings: Any, hosts: list[str], expected: str) -> None:
    settings.CALENDAR_UID_DOMAIN = ""
    settings.ALLOWED_HOSTS = hosts
    assert uid_domain() == expected
