"""The clinic's day view: every provider side by side (or every room), visits at their exact
times, closures and absences shaded, free time linking to a booking that starts the series
search from there."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client

from cit.clinic.appointments.models import Appointment, ProviderAbsence
from cit.clinic.facilities.models import ClosureDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(desk: Any) -> Client:
    client = Client()
    client.force_login(desk)
    return client


@pytest.fixture
def series(
    booking_clinic: Any, nurse: Any, physician: Any, make_patient: Any, make_plan: Any, book: Any
) -> Any:
    return book(make_plan(make_patient(booking_clinic)))


def test_every_provider_side_by_side_with_exact_times(
    desk_client: Client, series: Any, nurse: Any, physician: Any
) -> None:
    visit = Appointment.objects.get(series=series, number=1)
    zone = visit.clinic.tzinfo
    day = visit.local_start().date()
    start = datetime.datetime.combine(day, datetime.time(12, 45), tzinfo=zone)
    Appointment.objects.filter(pk=visit.pk).update(
        start=start, end=start + datetime.timedelta(minutes=90)
    )
    response = desk_client.get("/calendar/", {"date": day.isoformat()})
    page = response.content.decode()
    for provider in (nurse.provider, physician.provider):
        assert f'data-testid="column-{day.isoformat()}-{provider.pk}"' in page
    slot = page.split(f'data-testid="slot-{visit.pk}"')[1].split("</td>")[0]
    assert "12:45–14:15" in slot
    assert "Booked" in slot
    cell = next(
        c for col in response.context["columns"] for c in col.cells.values() if c["kind"] == "visit"
    )
    assert cell["span"] == 18
    rooms = desk_client.get("/calendar/", {"date": day.isoformat(), "by": "room"})
    assert rooms.status_code == 200
    assert len(rooms.context["columns"]) == 2
    assert f'slot-{visit.pk}"' in rooms.content.decode()
    assert "book-slot" not in rooms.content.decode()


def test_closures_and_absences_are_shaded(
    desk_client: Client, booking_clinic: Any, nurse: Any, physician: Any
) -> None:
    day = booking_clinic.today() + datetime.timedelta(days=10)
    zone = booking_clinic.tzinfo
    ProviderAbsence.objects.create(
        clinic=booking_clinic,
        provider=nurse.provider,
        start=datetime.datetime.combine(day, datetime.time(9), tzinfo=zone),
        end=datetime.datetime.combine(day, datetime.time(12), tzinfo=zone),
        replan_status="nothing",
    )
    page = desk_client.get("/calendar/", {"date": day.isoformat()})
    kinds = {
        col.provider_id: {c["kind"] for c in col.cells.values()} for col in page.context["columns"]
    }
    assert "away" in kinds[nurse.provider.pk]
    assert "away" not in kinds[physician.provider.pk]
    assert f"free-{physician.provider.pk}-{day:%Y-%m-%d}-0900" in page.content.decode()
    ClosureDay.objects.create(clinic=booking_clinic, date=day, name="Staff training")
    closed = desk_client.get("/calendar/", {"date": day.isoformat()})
    html = closed.content.decode()
    assert "Staff training" in html
    assert "book-slot" not in html
    assert {c["kind"] for col in closed.context["columns"] for c in col.cells.values()} == {
        "closed"
    }


def test_the_week_view_has_a_column_per_day_and_provider(desk_client: Client, series: Any) -> None:
    response = desk_client.get("/calendar/", {"view": "week"})
    assert response.status_code == 200
    from cit.clinic.accounts.models import Provider

    providers = Provider.objects.filter(clinic=series.clinic).count()
    assert len(response.context["columns"]) == 7 * providers


def test_a_free_slot_starts_the_series_search_from_there(
    desk_client: Client, booking_clinic: Any, physician: Any, make_patient: Any, make_plan: Any
) -> None:
    patient = make_patient(booking_clinic, given_name="Iris", family_name="Murdoch")
    plan = make_plan(patient)
    day = booking_clinic.today() + datetime.timedelta(days=9)
    page = desk_client.get("/calendar/", {"date": day.isoformat()}).content.decode()
    links = re.findall(r'href="(/calendar/book/\?provider=\d+&amp;start=[^"]+)"', page)
    wanted = f"provider={physician.provider.pk}&amp;start={day.isoformat()}T14:00"
    link = next(x for x in links if wanted in x).replace("&amp;", "&")
    chooser = desk_client.get(link + "&q=Murdoch")
    assert chooser.status_code == 200
    html = chooser.content.decode()
    assert "Iris Murdoch" in html
    propose = re.search(r'href="([^"]+/series/0/\?[^"]+)"', html)
    assert propose is not None
    url = propose.group(1).replace("&amp;", "&")
    assert f"earliest_start={day.isoformat()}" in url
    assert f"provider={physician.provider.pk}" in url
    proposals = desk_client.get(url)
    assert proposals.status_code == 200
    first = proposals.context["proposals"][0]["sessions"][0]
    assert first["start"].date() >= day
    assert plan.pk == proposals.context["plan"].pk


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"provider": "abc", "start": "2026-01-01T10:00"},
        {"provider": "999999", "start": "2026-01-01T10:00"},
        {"provider": "1", "start": "tomorrow"},
        {"provider": "1", "start": "2026-13-45T99:99"},
        {"provider": "9" * 40, "start": "2026-01-01T10:00"},
    ],
)
def test_bad_slots_are_a_400(desk_client: Client, query: dict[str, str]) -> None:
    assert desk_client.get("/calendar/book/", query).status_code == 400


@pytest.mark.parametrize("query", [{"date": "not-a-date"}, {"date": "2026-02-30"}])
def test_a_bad_calendar_date_is_a_400(desk_client: Client, series: Any, query: Any) -> None:
    # Issue 12: an unusable date is refused with a 4xx, never silently replaced.
    assert desk_client.get("/calendar/", query).status_code == 400


@pytest.mark.parametrize("query", [{"view": "year"}, {"by": "<x>"}])
def test_an_unknown_view_falls_back(desk_client: Client, series: Any, query: Any) -> None:
    assert desk_client.get("/calendar/", query).status_code == 200


def test_unknown_provider_or_room_is_a_404(desk_client: Client, series: Any) -> None:
    assert desk_client.get("/calendar/", {"provider": "999999"}).status_code == 404
    assert desk_client.get("/calendar/", {"room": "999999"}).status_code == 404


def test_touching_visits_off_the_grid_are_both_drawn(
    desk_client: Client,
    booking_clinic: Any,
    nurse: Any,
    make_patient: Any,
    make_plan: Any,
    book: Any,
) -> None:
    zone = booking_clinic.tzinfo
    day = booking_clinic.today() + datetime.timedelta(days=20)
    visits = []
    for index, name in enumerate(["Early", "Late", "Missed"]):
        series = book(make_plan(make_patient(booking_clinic, given_name=name)))
        visit = Appointment.objects.get(series=series, number=1)
        start = datetime.datetime.combine(day, datetime.time(10, 17), tzinfo=zone)
        start += datetime.timedelta(minutes=60 * min(index, 1))
        Appointment.objects.filter(pk=visit.pk).update(
            start=start,
            end=start + datetime.timedelta(minutes=60),
            provider=nurse.provider,
            status="no_show" if name == "Missed" else "booked",
        )
        visits.append(visit)
    page = desk_client.get(
        "/calendar/", {"date": day.isoformat(), "provider": nurse.provider.pk}
    ).content.decode()
    early, late, missed = visits
    assert f'data-testid="slot-{early.pk}"' in page
    assert f'data-testid="slot-{late.pk}"' in page
    assert f'data-testid="hidden-{missed.pk}"' in page


def test_names_in_the_grid_are_escaped(
    desk_client: Client, series: Any, nurse: Any, physician: Any
) -> None:
    visit = Appointment.objects.get(series=series, number=1)
    patient = visit.patient
    patient.given_name, patient.family_name = "<b>Zoë", "O'Brien & <i>Co</i>"
    patient.save()
    visit.room.name = 'Room <1> "A"'
    visit.room.save()
    visit.provider.user.last_name = "<script>x</script>"
    visit.provider.user.save()
    day = visit.local_start().date().isoformat()
    by_provider = desk_client.get("/calendar/", {"date": day}).content.decode()
    slot = by_provider.split(f'data-testid="slot-{visit.pk}"')[1].split("</td>")[0]
    assert "&lt;b&gt;Zoë O&#x27;Brien &amp; &lt;i&gt;Co&lt;/i&gt;" in slot
    assert "Room &lt;1&gt; &quot;A&quot;" in slot
    by_room = desk_client.get("/calendar/", {"date": day, "by": "room"}).content.decode()
    slot = by_room.split(f'data-testid="slot-{visit.pk}"')[1].split("</td>")[0]
    assert "&lt;script&gt;x&lt;/script&gt;" in slot
    for page in (by_provider, by_room):
        assert "<b>Zoë" not in page and "<i>Co" not in page and "<script>x" not in page
