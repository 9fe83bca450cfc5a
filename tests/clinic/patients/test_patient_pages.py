"""Registering and editing patients in the pages: field errors shown, nothing half-saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cit.clinic.patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(clinic: Any, make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("front_desk", clinic))
    return client


def test_register_shows_field_errors_and_saves_nothing(desk_client: Client) -> None:
    response = desk_client.post(
        "/patients/new/",
        {"given_name": "", "family_name": "Doe", "birth_date": "3000-01-01", "sex": "robot"},
    )
    assert response.status_code == 422  # refused: the form with its errors
    errors = response.context["form"].errors
    assert set(errors) == {"given_name", "birth_date", "sex"}
    page = response.content.decode()
    assert "Birth date cannot be in the future." in page
    assert 'data-field="sex"' in page
    assert not Patient.objects.exists()


def test_register_then_find_and_edit(desk_client: Client, clinic: Any) -> None:
    response = desk_client.post(
        "/patients/new/",
        {
            "given_name": "Zoë",
            "family_name": "Ångström",
            "birth_date": "1988-07-14",
            "sex": "female",
            "fitzpatrick_type": "3",
        },
    )
    patient = Patient.objects.get()
    assert response["Location"] == f"/patients/{patient.pk}/"
    assert patient.clinic == clinic
    assert patient.record_number == "TC000001"
    assert "Ångström" in desk_client.get("/patients/?q=ngstr").content.decode()
    edit = desk_client.post(
        f"/patients/{patient.pk}/edit/",
        {
            "given_name": "Zoë",
            "family_name": "Ångström",
            "birth_date": "1988-07-14",
            "sex": "female",
            "fitzpatrick_type": "4",
            "phone": "+44 20 7946 0000",
        },
    )
    assert edit.status_code == 302
    patient.refresh_from_db()
    assert (patient.fitzpatrick_type, patient.phone) == (4, "+44 20 7946 0000")


def test_edit_with_bad_input_changes_nothing(
    desk_client: Client, clinic: Any, make_patient: Any
) -> None:
    patient = make_patient(clinic)
    response = desk_client.post(
        f"/patients/{patient.pk}/edit/",
        {"given_name": "Changed", "family_name": "", "birth_date": "not a date", "sex": "female"},
    )
    assert response.status_code == 422  # refused: the form with its errors
    assert set(response.context["form"].errors) == {"family_name", "birth_date"}
    patient.refresh_from_db()
    assert patient.given_name == "Ada"


def test_unknown_patient_is_a_friendly_404(desk_client: Client) -> None:
    response = desk_client.get("/patients/999999/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_list_pages_through_many_patients(
    desk_client: Client, clinic: Any, make_patient: Any
) -> None:
    for number in range(30):
        make_patient(clinic, family_name=f"Family{number:02d}")
    first = desk_client.get("/patients/")
    assert [p.family_name for p in first.context["page"]][:2] == ["Family00", "Family01"]
    cursor = first.context["page"].next_cursor
    assert f"cursor={cursor}" in first.content.decode()
    assert "Next →" in first.content.decode()
    second = desk_client.get(f"/patients/?cursor={cursor}").context["page"]
    assert [p.family_name for p in second] == [f"Family{n}" for n in range(25, 30)]
    assert not second.has_next
    assert second.has_previous
    assert desk_client.get("/patients/?cursor=damaged").status_code == 400


def test_list_rows_show_each_patient_for_the_desk(
    desk_client: Client, clinic: Any, make_patient: Any
) -> None:
    ada = make_patient(clinic, given_name='Ada <b>"&', fitzpatrick_type=3)
    babbage = make_patient(
        clinic, given_name="Charles", family_name="Babbage", email="", phone="+44 20 7946 0001"
    )
    babbage.archive()
    carter = make_patient(clinic, family_name="Carter", fitzpatrick_type=None)
    page = " ".join(desk_client.get("/patients/?archived=on").content.decode().split())
    assert (
        f'<tr> <td>{ada.record_number}</td> <td><a href="/patients/{ada.pk}/">'
        "Lovelace, Ada &lt;b&gt;&quot;&amp;</a></td> <td>10 Dec 1985</td> "
        "<td>III — sometimes burns, tans uniformly</td> <td>ada@example.com</td> </tr>"
    ) in page
    assert (
        f'<tr class="archived"> <td>{babbage.record_number}</td> '
        f'<td><a href="/patients/{babbage.pk}/">Babbage, Charles</a> '
        '<span class="tag">archived</span></td> <td>10 Dec 1985</td> '
        "<td>II — usually burns, tans minimally</td> <td>+44 20 7946 0001</td> </tr>"
    ) in page
    assert f"<td>{carter.record_number}</td>" in page
    assert "<td>10 Dec 1985</td> <td>—</td> <td>ada@example.com</td>" in page
    assert "No patients yet." not in page
    assert page.index("Babbage") < page.index("Carter") < page.index("Lovelace")


def test_list_says_when_nothing_matches(desk_client: Client) -> None:
    page = desk_client.get("/patients/?q=Nobody").content.decode()
    assert "No patient matches “Nobody”." in page
    assert "No patients yet." in desk_client.get("/patients/").content.decode()


def test_the_search_form_keeps_what_was_typed(desk_client: Client) -> None:
    page = desk_client.get("/patients/", {"q": 'a"<b', "archived": "on"}).content.decode()
    assert (
        '<input type="search" name="q" value="a&quot;&lt;b" placeholder="Name, record number, '
        'date of birth, phone or email" size="44" maxlength="100" id="id_q">'
    ) in page
    assert '<input type="checkbox" name="archived" id="id_archived" checked>' in page
    fresh = desk_client.get("/patients/").content.decode()
    assert '<input type="checkbox" name="archived" id="id_archived">' in fresh
    assert 'name="q" placeholder=' in fresh
