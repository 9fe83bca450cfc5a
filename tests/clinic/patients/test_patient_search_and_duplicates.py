"""Finding patients as the desk types them, and the warning before registering one twice."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditEvent
from cit.clinic.patients.matching import edit_distance, name_matches, within_one_edit
from cit.clinic.patients.models import Patient

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def three(clinic: Any, make_patient: Any) -> dict[str, Any]:
    return {
        "olivia": make_patient(
            clinic,
            given_name="Olivia",
            family_name="Martínez",
            birth_date=datetime.date(1990, 3, 14),
            email="olivia.m@mail.example",
            phone="+1 (602) 555-0142",
        ),
        "oliver": make_patient(
            clinic,
            given_name="Oliver",
            family_name="Stone",
            birth_date=datetime.date(1979, 7, 2),
            email="ostone@mail.example",
            phone="602-555-9876",
        ),
        "grace": make_patient(
            clinic,
            given_name="Grace",
            family_name="Hopper",
            birth_date=datetime.date(1990, 3, 14),
            email="grace@mail.example",
            phone="",
        ),
    }


def _found(client: Client, query: str) -> set[str]:
    page = client.get("/patients/", {"q": query}).context["page"]
    return {patient.given_name for patient in page}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Oliva", {"Olivia"}),  # one letter missing
        ("olivia martinez", {"Olivia"}),  # no accent typed
        ("Olivr", {"Oliver"}),
        ("oli", {"Olivia", "Oliver"}),  # the start of a name
        ("hoper", {"Grace"}),
        ("1990-03-14", {"Olivia", "Grace"}),  # birth date, ISO
        ("14/03/1990", {"Olivia", "Grace"}),  # birth date, day first
        ("14 Mar 1990", {"Olivia", "Grace"}),
        ("602 555 0142", {"Olivia"}),  # phone, typed with spaces
        ("5550142", {"Olivia"}),
        ("ostone@mail.example", {"Oliver"}),
        ("Zebedee", set()),
    ],
)
def test_search_by_name_date_phone_email(
    clinic: Any, make_user: Any, three: dict[str, Any], query: str, expected: set[str]
) -> None:
    assert _found(_client(make_user("front_desk", clinic)), query) == expected


def test_search_by_record_number(clinic: Any, make_user: Any, three: dict[str, Any]) -> None:
    desk = _client(make_user("front_desk", clinic))
    assert _found(desk, three["grace"].record_number) == {"Grace"}


def test_edit_distance_by_hand() -> None:
    assert edit_distance("oliva", "olivia", 2) == 1
    assert edit_distance("kitten", "sitting", 5) == 3
    assert edit_distance("ab", "ba", 2) == 1  # a transposition is one edit
    assert name_matches("Ann", ["Anna-Lise"])
    assert not name_matches("Bob", ["Rob"])  # three letters: no typo allowed


def test_within_one_edit_agrees_with_the_edit_distance_table() -> None:
    rng = random.Random(13)
    for _ in range(20_000):
        a = "".join(rng.choice("abc") for _ in range(rng.randrange(6)))
        b = "".join(rng.choice("abc") for _ in range(rng.randrange(6)))
        assert within_one_edit(a, b) == (edit_distance(a, b, 1) <= 1), (a, b)
    assert within_one_edit("oliva", "olivi")  # one letter changed
    assert within_one_edit("olvia", "olivia")  # one missing
    assert within_one_edit("oilvia", "olivia")  # two swapped
    assert not within_one_edit("ovlia", "olivia")


def _register(client: Client, **extra: str) -> Any:
    data = {
        "given_name": "Olivia",
        "family_name": "Martinez",
        "birth_date": "1990-03-14",
        "sex": "female",
        "email": "new.address@mail.example",
        "phone": "",
        **extra,
    }
    return client.post("/patients/new/", data)


def test_registration_warns_of_a_likely_duplicate_and_offers_it(
    clinic: Any, make_user: Any, three: dict[str, Any]
) -> None:
    desk = _client(make_user("front_desk", clinic))
    before = Patient.objects.count()
    response = _register(desk)
    assert response.status_code == 200, "nothing registered yet: the page warns"
    assert Patient.objects.count() == before
    page = response.content.decode()
    olivia = three["olivia"]
    assert f'href="/patients/{olivia.pk}/"' in page
    assert "same date of birth and a similar name" in page
    assert "Grace" not in page, "same birth date but another name is not a duplicate"
    assert AuditEvent.objects.filter(action="list", detail__has_key="duplicate_check").exists()

    # Same email, different everything else; then same phone written differently.
    page = _register(
        desk,
        given_name="Liv",
        family_name="Other",
        birth_date="2000-01-01",
        email="OSTONE@mail.example",
    ).content.decode()
    assert "Oliver Stone" in page
    assert "same email" in page
    page = _register(
        desk, given_name="X", family_name="Y", birth_date="2000-01-01", phone="(602) 555 9876"
    ).content.decode()
    assert "Oliver Stone" in page
    assert "same phone number" in page

    # Registering anyway is a deliberate second step.
    response = _register(desk, confirm_new="1")
    assert response.status_code == 302
    assert Patient.objects.count() == before + 1


def test_no_warning_for_someone_new(clinic: Any, make_user: Any, three: dict[str, Any]) -> None:
    desk = _client(make_user("front_desk", clinic))
    response = _register(desk, given_name="Ines", family_name="Duarte", birth_date="1988-08-08")
    assert response.status_code == 302


def test_search_follows_an_edited_phone_and_name(
    clinic: Any, make_user: Any, three: dict[str, Any]
) -> None:
    from cit.clinic.patients.actions import do_update_patient

    desk_user = make_user("front_desk", clinic)
    do_update_patient(
        actor=desk_user,
        patient=three["grace"],
        changes={"phone": "480-555-7777", "family_name": "Murray"},
    )
    desk = _client(desk_user)
    assert _found(desk, "480 555 7777") == {"Grace"}
    assert _found(desk, "murray") == {"Grace"}
    assert _found(desk, "hopper") == set()
