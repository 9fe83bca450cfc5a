"""Who may see and record outcomes: the clinic's clinical staff; the patient their own,
and only the patient-rated scales; another patient gets 404; front desk and other clinics
are refused."""

from __future__ import annotations

from typing import Any

import pytest

from cit.clinic.audit.models import AuditEvent
from cit.clinic.outcomes.actions import do_record_rating
from cit.clinic.outcomes.models import OutcomeRating


def test_clinical_roles_see_and_rate(
    client: Any, make_user: Any, clinic: Any, portal_patient: Any
) -> None:
    for role in ("physician", "registered_nurse", "esthetician"):
        client.force_login(make_user(role, clinic))
        assert client.get(f"/patients/{portal_patient.pk}/outcomes/").status_code == 200, role
        assert client.get(f"/patients/{portal_patient.pk}/outcomes/rate/glogau/").status_code == 200


@pytest.mark.parametrize("role", ["front_desk", "clinic_admin"])
def test_non_clinical_staff_refused(
    client: Any, make_user: Any, clinic: Any, portal_patient: Any, role: str
) -> None:
    client.force_login(make_user(role, clinic))
    assert client.get(f"/patients/{portal_patient.pk}/outcomes/").status_code == 403
    assert client.get(f"/patients/{portal_patient.pk}/outcomes/rate/glogau/").status_code == 403
    assert client.get(f"/patients/{portal_patient.pk}/outcomes/summary.pdf").status_code == 403


def test_other_clinic_refused(
    client: Any, make_user: Any, other_clinic: Any, portal_patient: Any
) -> None:
    client.force_login(make_user("physician", other_clinic))
    assert client.get(f"/patients/{portal_patient.pk}/outcomes/").status_code == 403
    assert AuditEvent.objects.filter(action="denied", patient=portal_patient).exists()


def test_patient_sees_own_and_rates_patient_scales_only(
    client: Any, portal_user: Any, portal_patient: Any, today: Any
) -> None:
    client.force_login(portal_user)
    assert client.get(f"/patients/{portal_patient.pk}/outcomes/").status_code == 200
    for scale in ("gais-patient", "satisfaction", "striae-patient-rating"):
        url = f"/patients/{portal_patient.pk}/outcomes/rate/{scale}/"
        assert client.get(url).status_code == 200, scale
    response = client.post(
        f"/patients/{portal_patient.pk}/outcomes/rate/satisfaction/",
        {"rated_on": today.isoformat(), "in_value": "4"},
    )
    assert response.status_code == 302
    rating = OutcomeRating.objects.get()
    assert (rating.rater_kind, rating.rated_by, rating.total) == ("patient", portal_user, 4)
    # Clinician-rated scales are not the patient's to record.
    for scale in ("goodman-baron-qualitative", "gais-clinician", "mmasi"):
        url = f"/patients/{portal_patient.pk}/outcomes/rate/{scale}/"
        assert client.get(url).status_code == 403, scale
        assert client.post(url, {"rated_on": today.isoformat(), "in_value": "2"}).status_code == 403
    assert OutcomeRating.objects.count() == 1


def test_another_patient_gets_404(
    client: Any, portal_user: Any, other_patient: Any, nurse: Any, today: Any
) -> None:
    do_record_rating(
        actor=nurse, patient=other_patient, values={"value": 3}, rated_on=today, scale_id="glogau"
    )
    client.force_login(portal_user)
    for path in ("", "rate/gais-patient/", "summary.pdf"):
        url = f"/patients/{other_patient.pk}/outcomes/{path}"
        assert client.get(url).status_code == 404, path
    response = client.post(
        f"/patients/{other_patient.pk}/outcomes/rate/gais-patient/",
        {"rated_on": today.isoformat(), "in_value": "1"},
    )
    assert response.status_code == 404
    assert OutcomeRating.objects.count() == 1
    assert AuditEvent.objects.filter(action="denied", patient=other_patient).exists()


def test_patient_does_not_see_clinician_due_items(
    client: Any, portal_user: Any, portal_patient: Any, physician: Any, today: Any
) -> None:
    from tests.clinic.outcomes.conftest import accept_acne_plan

    accept_acne_plan(portal_patient, today)
    client.force_login(portal_user)
    page = client.get(f"/patients/{portal_patient.pk}/outcomes/").content.decode()
    # Acne scars: only clinician-rated scales are due, none for the patient to give.
    assert "Goodman" not in page.split('data-testid="outcomes-due"')[1].split("</section>")[0]


def test_a_refused_rating_form_is_audited_as_refused_not_as_viewed(
    client: Any, portal_user: Any, portal_patient: Any
) -> None:
    client.force_login(portal_user)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    assert client.get(f"/patients/{portal_patient.pk}/outcomes/rate/glogau/").status_code == 403
    written = AuditEvent.objects.exclude(pk__in=before)
    assert [event.action for event in written] == ["denied"]
    assert written.get().patient == portal_patient
    client.get(f"/patients/{portal_patient.pk}/outcomes/rate/satisfaction/")
    assert AuditEvent.objects.exclude(pk__in=before).filter(action="view").count() == 1
