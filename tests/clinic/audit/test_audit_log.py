"""Every read or write of patient data writes an audit event; events cannot be changed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from cit.clinic.audit.models import AuditAction, AuditEvent, AuditEventImmutable

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.force_login(user)
    return client


def test_viewing_a_record_writes_who_whom_what_when_where(nurse: Any, patient: Any) -> None:
    before = AuditEvent.objects.count()
    response = _client(nurse).get(f"/patients/{patient.pk}/")
    assert response.status_code == 200
    event = AuditEvent.objects.latest("id")
    assert AuditEvent.objects.count() == before + 1
    assert event.action == AuditAction.VIEW
    assert event.actor == nurse
    assert event.actor_role == "registered_nurse"
    assert event.patient == patient
    assert event.object_type == "patients.Patient"
    assert event.object_id == str(patient.pk)
    assert event.channel == "page"
    assert event.client_address == "203.0.113.7"
    assert event.at is not None


def test_api_read_is_audited_as_api(nurse: Any, patient: Any) -> None:
    _client(nurse).get(f"/api/patients/{patient.pk}")
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.channel, event.patient_id) == ("view", "api", patient.pk)


def test_listing_patients_is_audited(nurse: Any, patient: Any) -> None:
    _client(nurse).get("/patients/?q=Ada")
    event = AuditEvent.objects.latest("id")
    assert event.action == AuditAction.LIST
    assert event.detail["query"] == "Ada"
    assert event.detail["count"] == 1


def test_update_records_changed_field_names_not_values(nurse: Any, patient: Any) -> None:
    response = _client(nurse).patch(
        f"/api/patients/{patient.pk}",
        json.dumps({"phone": "+44 117 000 0000"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.latest("id")
    assert event.action == AuditAction.UPDATE
    assert event.detail == {"fields": ["phone"]}
    assert "+44" not in json.dumps(event.detail)


def test_registration_is_audited(nurse: Any, clinic: Any) -> None:
    _client(nurse).post(
        "/api/patients",
        json.dumps(
            {"given_name": "A", "family_name": "B", "birth_date": "1990-01-01", "sex": "male"}
        ),
        content_type="application/json",
    )
    event = AuditEvent.objects.latest("id")
    assert event.action == AuditAction.CREATE
    assert event.patient is not None
    assert event.patient.given_name == "A"


def test_refused_access_is_audited(other_clinic: Any, make_user: Any, patient: Any) -> None:
    outsider = make_user("physician", other_clinic)
    response = _client(outsider).get(f"/patients/{patient.pk}/")
    assert response.status_code == 403
    event = AuditEvent.objects.latest("id")
    assert event.action == AuditAction.DENIED
    assert event.actor == outsider
    assert event.patient == patient


def test_log_in_and_failed_log_in_are_audited(clinic: Any, make_user: Any) -> None:
    make_user("front_desk", clinic, username="desk", password="a-long-password-1")
    client = Client()
    client.post("/accounts/login/", {"username": "desk", "password": "wrong"})
    failed = AuditEvent.objects.latest("id")
    assert failed.action == AuditAction.LOGIN_FAILED
    assert failed.detail == {"username": "desk"}
    client.post("/accounts/login/", {"username": "desk", "password": "a-long-password-1"})
    assert AuditEvent.objects.latest("id").action == AuditAction.LOGIN


def test_event_cannot_be_changed_or_deleted_through_the_model(nurse: Any, patient: Any) -> None:
    _client(nurse).get(f"/patients/{patient.pk}/")
    event = AuditEvent.objects.latest("id")
    event.action = AuditAction.UPDATE
    with pytest.raises(AuditEventImmutable):
        event.save()
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="update")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.VIEW


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_auditevent SET action = 'update'", "DELETE FROM audit_auditevent"]
)
def test_database_refuses_raw_changes(nurse: Any, patient: Any, sql: str) -> None:
    if sql.startswith("DELETE") and connection.vendor != "postgresql":
        pytest.skip("SQLite test databases are reset with DELETE; the code refuses it instead")
    _client(nurse).get(f"/patients/{patient.pk}/")
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.count() == count
    assert not AuditEvent.objects.exclude(action__in=["view", "create"]).exists()


def test_admin_browses_and_filters_own_clinic_events(
    clinic: Any, other_clinic: Any, make_user: Any, make_patient: Any, nurse: Any, patient: Any
) -> None:
    admin = make_user("clinic_admin", clinic)
    foreign_patient = make_patient(other_clinic, given_name="Far")
    _client(nurse).get(f"/patients/{patient.pk}/")
    _client(make_user("physician", other_clinic)).get(f"/patients/{foreign_patient.pk}/")
    client = _client(admin)
    page = client.get("/audit/", {"patient": patient.record_number, "action": "view"})
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert rows
    assert all(e.patient_id == patient.pk and e.action == "view" for e in rows)
    everything = list(client.get("/audit/").context["page"])
    assert all(e.clinic_id == clinic.pk for e in everything)
    by_actor = list(client.get("/audit/", {"actor": nurse.username}).context["page"])
    assert by_actor
    assert all(e.actor_username == nurse.username for e in by_actor)


def test_audit_filter_rejects_inverted_dates(clinic: Any, make_user: Any) -> None:
    client = _client(make_user("clinic_admin", clinic))
    response = client.get("/audit/", {"since": "2026-02-01", "until": "2026-01-01"})
    assert response.status_code == 400  # the form with its error, as a refusal
    assert "must be on or before" in response.content.decode()


@pytest.mark.django_db
def test_the_log_says_the_time_zone_its_times_are_in(clinic: Any, make_user: Any) -> None:
    from zoneinfo import ZoneInfo

    from django.test import Client

    clinic.timezone = "America/Los_Angeles"
    clinic.save(update_fields=["timezone"])
    admin = Client()
    admin.force_login(make_user("clinic_admin", clinic))
    admin.get("/patients/")
    listed = AuditEvent.objects.filter(action="list").latest("at")
    page = admin.get("/audit/").content.decode()
    assert "<th>When (America/Los_Angeles)</th>" in page
    local = listed.at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert f"<td>{local:%Y-%m-%d %H:%M:%S}</td>" in page


def test_names_in_the_audit_log_are_text_not_markup(clinic: Any, make_user: Any) -> None:
    from django.test import Client

    intruder = make_user("registered_nurse", clinic)
    intruder.first_name, intruder.last_name = "<script>alert(1)</script>", "Smith"
    intruder.save()
    reader = Client()
    reader.force_login(intruder)
    reader.get("/patients/")
    admin = Client()
    admin.force_login(make_user("clinic_admin", clinic))
    page = admin.get("/audit/").content.decode()
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt; Smith</td>" in page
    assert "<script>alert(1)" not in page


def test_audit_log_in_words_filters_by_name_and_exports_csv(
    clinic: Any, make_user: Any, make_patient: Any
) -> None:
    import csv
    import io

    from django.test import Client

    nurse = make_user("registered_nurse", clinic)
    nurse.first_name, nurse.last_name = "Nadia", "Okafor"
    nurse.save()
    patient = make_patient(clinic, given_name="Olivia", family_name="Martin")
    reader = Client()
    reader.force_login(nurse)
    reader.get(f"/patients/{patient.pk}/")
    admin = Client()
    admin.force_login(make_user("clinic_admin", clinic))
    page = admin.get("/audit/", {"actor": "okafor", "patient": "olivia"}).content.decode()
    assert "Nadia Okafor" in page
    assert "Registered nurse" in page
    assert f"Patient record {patient.pk}" in page
    # One row per event, its cells in the columns' order.
    assert (
        "<td>Nadia Okafor</td><td>Registered nurse</td><td>Viewed</td>"
        f"<td>{patient.record_number}</td><td>Patient record {patient.pk}</td>"
        f'<td>page GET <span class="muted">/patients/{patient.pk}/</span></td>'
    ) in page
    assert "patients.Patient" not in page
    assert "registered_nurse" not in page

    export = admin.get("/audit/export.csv", {"actor": "nadia"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:4] == ["when (UTC)", "who", "role", "action"]
    assert rows[1][1:4] == [nurse.username, "Registered nurse", "Viewed"]
    assert AuditEvent.objects.filter(action="export", object_type="audit.AuditEvent").exists()
    assert admin.get("/audit/export.csv", {"since": "soon"}).status_code == 400


def test_the_log_pages_older_and_newer_keeping_its_filters(
    clinic: Any, make_user: Any, patient: Any
) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(clinic=clinic, action=AuditAction.EXPORT, patient=patient) for _ in range(60)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(clinic=clinic, action=AuditAction.VIEW, patient=patient) for _ in range(5)
    )
    admin = _client(make_user("clinic_admin", clinic))
    first = admin.get("/audit/", {"action": "export"})
    page = first.context["page"]
    # 60 exports, 50 a page, newest (highest id) first.
    assert len(page) == 50
    assert not page.has_previous
    assert page.next_link.startswith("?action=export&cursor=")
    assert "Older →" in first.content.decode()
    assert "Newer" not in first.content.decode()
    second = admin.get("/audit/" + page.next_link).context["page"]
    assert len(second) == 10
    assert not second.has_next
    assert all(event.action == AuditAction.EXPORT for event in second)
    ids = [e.pk for e in page] + [e.pk for e in second]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 60
    back = admin.get("/audit/" + second.previous_link).context["page"]
    assert [e.pk for e in back] == [e.pk for e in page]


@pytest.mark.parametrize("most_inline", [1, 500])
def test_who_and_whom_match_the_same_events_as_ids_or_as_a_subquery(
    clinic: Any,
    make_user: Any,
    make_patient: Any,
    monkeypatch: pytest.MonkeyPatch,
    most_inline: int,
) -> None:
    # Two matching people each: more than ``most_inline`` ids are handed on as a subquery.
    from cit.clinic.audit import views

    monkeypatch.setattr(views, "MOST_IDS_INLINE", most_inline)
    nurses = [make_user("registered_nurse", clinic) for _ in range(2)]
    for n, nurse in enumerate(nurses):
        nurse.last_name = f"Okafor{n}"
        nurse.save()
    patients = [make_patient(clinic, family_name=f"Martin{n}") for n in range(2)]
    make_patient(clinic, family_name="Other")
    for nurse in nurses:
        for patient in patients:
            _client(nurse).get(f"/patients/{patient.pk}/")
    admin = _client(make_user("clinic_admin", clinic))
    rows = list(admin.get("/audit/", {"actor": "okafor", "patient": "martin"}).context["page"])
    assert {(e.actor_id, e.patient_id) for e in rows} == {
        (nurse.pk, patient.pk) for nurse in nurses for patient in patients
    }


def test_the_patient_filter_finds_patients_as_the_patient_search_does(
    clinic: Any, make_user: Any, make_patient: Any
) -> None:
    """Accents and case ignored, and an e-mail or phone found too: the search key's words."""
    muller = make_patient(clinic, given_name="Zoë", family_name="Müller", email="zm@mail.example")
    other = make_patient(clinic, given_name="Ann", family_name="Miller")
    reader = _client(make_user("registered_nurse", clinic))
    for patient in (muller, other):
        reader.get(f"/patients/{patient.pk}/")
    admin = _client(make_user("clinic_admin", clinic))
    for term in ("MULLER", "zoe", "zm@mail.example"):
        rows = list(admin.get("/audit/", {"patient": term}).context["page"])
        assert {e.patient_id for e in rows} == {muller.pk}, term
