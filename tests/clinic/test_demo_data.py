from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from cit.clinic.accounts.models import Provider, User
from cit.clinic.accounts.roles import Role
from cit.clinic.demo import DEMO_PASSWORD, demo_log_ins, load_demo
from cit.clinic.facilities.models import Clinic, Device, Room
from cit.clinic.intake.models import ScreeningRecord
from cit.clinic.patients.models import Patient
from cit.clinic.plans.models import TreatmentPlanRecord
from cit.protocol.stored import AcceptedPlan, StoredScreening


def _snapshot() -> list[tuple[str, ...]]:
    return [
        (p.record_number, p.given_name, p.family_name, str(p.birth_date), str(p.fitzpatrick_type))
        for p in Patient.objects.order_by("record_number")
    ]


def _counts() -> tuple[int, ...]:
    return (
        Clinic.objects.count(),
        User.objects.count(),
        Provider.objects.count(),
        Room.objects.count(),
        Device.objects.count(),
        Patient.objects.count(),
    )


# Loaded as if on 20 December, so that the series run over Christmas and New Year.
DEMO_LOADED_ON = datetime.date(2026, 12, 20)


@pytest.fixture(scope="module")
def first_load(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo loaded twice, once for the whole module (a load takes half a minute): the
    counts and patients after the first load, for the test that the second changes nothing.

    Each test runs in a savepoint inside this module's transaction, rolled back at its end.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(today=DEMO_LOADED_ON)
        first = {"counts": _counts(), "patients": _snapshot()}
        load_demo(today=DEMO_LOADED_ON)
        yield first
        transaction.set_rollback(True)


@pytest.fixture
def demo(first_load: dict[str, Any], db: None) -> None:
    """The module's demo, loaded twice (the fixture above)."""


def test_demo_is_complete_and_loading_twice_duplicates_nothing(
    first_load: dict[str, Any], demo: None
) -> None:
    counts = first_load["counts"]
    assert counts == _counts()
    assert _snapshot() == first_load["patients"], "the demo must be deterministic"
    assert counts[0] == 2
    assert counts[-1] == 50
    assert {c.timezone for c in Clinic.objects.all()} == {"Europe/London", "America/Los_Angeles"}
    for clinic in Clinic.objects.all():
        roles = set(User.objects.filter(clinic=clinic).values_list("role", flat=True))
        assert roles == {role.value for role in Role}
        assert clinic.opening_hours.exists()
        assert clinic.rooms.exists()
        assert clinic.devices.filter(kind="pen").exists()
    # The stored plans and screenings read back through their types unchanged.
    plans = list(TreatmentPlanRecord.objects.all())
    assert plans, "the demo accepts plans"
    for plan in plans:
        assert AcceptedPlan.from_dict(plan.accepted).to_dict() == plan.accepted
    for screening in ScreeningRecord.objects.all():
        assert StoredScreening.from_dict(screening.result).to_dict() == screening.result


def test_demo_has_minors_and_young_adults_and_varied_skin(demo: None) -> None:
    from cit.clinic.demo import DEMO_REFERENCE_DAY

    ages = [p.age_on(DEMO_REFERENCE_DAY) for p in Patient.objects.all()]
    assert min(ages) < 18
    assert any(18 <= a <= 21 for a in ages)
    assert max(ages) >= 60
    assert set(Patient.objects.values_list("fitzpatrick_type", flat=True)) == {1, 2, 3, 4, 5, 6}


def test_demo_log_ins_work_and_are_listed(demo: None) -> None:
    listing = demo_log_ins()
    for user in User.objects.all():
        assert user.username in listing
    assert User.objects.get(username="harbour.physician").check_password(DEMO_PASSWORD)
    portal = User.objects.get(username="sunset.patient")
    assert Patient.objects.get(portal_user=portal).clinic.name.startswith("Sunset")


def test_new_registration_after_demo_does_not_collide(demo: None) -> None:
    from cit.clinic.patients.actions import do_register_patient

    clinic = Clinic.objects.get(name="Harbour Skin Clinic")
    patient = do_register_patient(
        actor=None,
        clinic=clinic,
        given_name="N",
        family_name="M",
        birth_date="1990-01-01",
        sex="male",
    )
    assert patient.record_number == "HSC000026"


def test_demo_patients_have_screened_histories_with_contraindications(demo: None) -> None:
    from collections import Counter

    from cit.clinic.intake.models import IntakeRecord, ScreeningRecord

    assert IntakeRecord.objects.count() == 50, "reloading keeps one intake per patient"
    decisions = Counter(ScreeningRecord.objects.values_list("decision", flat=True))
    assert set(decisions) == {"treat", "treat_with_precautions", "defer", "refer", "do_not_treat"}
    assert decisions["treat"] >= 20, "most demo patients are ordinary and may be treated"
    rules = {
        finding["rule"]
        for result in ScreeningRecord.objects.values_list("result", flat=True)
        for finding in result["findings"]
    }
    assert {"herpes-history", "isotretinoin", "keloid", "anticoagulant", "pregnancy"} <= rules


def test_demo_books_nothing_on_closure_days(demo: None) -> None:
    from cit.clinic.appointments.models import Appointment
    from cit.clinic.facilities.models import ClosureDay

    for clinic in Clinic.objects.all():
        closed = {(c.date.month, c.date.day) for c in ClosureDay.objects.filter(clinic=clinic)}
        assert {(12, 25), (1, 1)} <= closed
        assert len(closed) == 3
        days = {
            a.start.astimezone(clinic.tzinfo).date()
            for a in Appointment.objects.filter(clinic=clinic)
        }
        assert days
        assert not {(d.month, d.day) for d in days} & closed


def test_demo_ships_a_published_consent_form_per_procedure(demo: None) -> None:
    from cit.clinic.charting.consent import form_in_effect
    from cit.clinic.charting.models import ConsentForm

    for clinic in Clinic.objects.all():
        today = clinic.today()
        for procedure in ("microneedling", "microneedling_prp"):
            assert form_in_effect(clinic, procedure, today) is not None
            assert ConsentForm.objects.filter(clinic=clinic, procedure=procedure).count() == 1


def test_demo_books_a_consultation_for_new_patients_once(demo: None) -> None:
    from cit.clinic.appointments.models import SeriesBooking

    for clinic in Clinic.objects.all():
        consultations = SeriesBooking.objects.filter(clinic=clinic, kind="consultation")
        assert consultations.count() == 2
        assert all(c.plan_id is None for c in consultations)
