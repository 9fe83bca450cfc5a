"""The clinician's worklists on the home page: each patient's latest questionnaire waiting
for review and latest screening waiting for a decision, picked by the database a page at a
time, so a clinic with 1,000 screened patients reads no more rows than one with 10; and the
day's visits read their patients' screenings and overrides in one query each."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cit.clinic.appointments.models import Appointment, SeriesBooking, SeriesKind
from cit.clinic.facilities.models import Room
from cit.clinic.intake.actions import do_override_finding, do_record_intake
from cit.clinic.intake.models import IntakeRecord, ScreeningRecord
from cit.clinic.patients.actions import do_archive_patient
from cit.clinic.patients.models import Patient
from cit.clinic.worklists.models import QuestionnaireReview
from cit.clinic.worklists.today import (
    questionnaires_to_review,
    screenings_to_decide,
    visits_on,
)
from tests.clones import clone
from tests.rows_read import counting_rows_read

pytestmark = pytest.mark.django_db

FACE = [{"indication": "rejuvenation", "areas": ["face"]}]
CLEAR = {"birth_date": "1985-06-01", "goals": FACE}
WARFARIN = {**CLEAR, "medications": [{"name": "Warfarin 5 mg"}]}  # refer
KELOIDS = {**CLEAR, "history": {"keloids": True}}  # do not treat
KELOIDS_AND_WARFARIN = {**WARFARIN, "history": {"keloids": True}}


def _isotretinoin(today: datetime.date) -> dict[str, Any]:
    """Isotretinoin stopped a month ago: defer."""
    last_dose = (today - datetime.timedelta(days=30)).isoformat()
    return {**CLEAR, "medications": [{"name": "Absorica", "last_dose": last_dose}]}


def _answers(patient: Any, data: dict[str, Any], source: str = "desk") -> ScreeningRecord:
    _, screening = do_record_intake(
        actor=None, patient=patient, data=data, source=source, today=patient.clinic.today()
    )
    return screening


def test_screenings_to_decide_by_the_latest_screening_and_its_overrides(
    booking_clinic: Any,
    physician: Any,
    desk: Any,
    make_patient: Any,
    make_plan: Any,
    book: Any,
    other_clinic: Any,
) -> None:
    def patient(name: str, clinic: Any = booking_clinic) -> Any:
        return make_patient(clinic, given_name=name, email=f"{name}@example.com")

    def booked(name: str) -> Any:
        someone = patient(name)
        book(make_plan(someone, first_in_days=2))
        return someone

    today = booking_clinic.today()
    # Patient order decides the list's order: those an override lifts come first, so the
    # first page of candidates (limit 1) has nothing to show.
    lifted = patient("Lifted")
    do_override_finding(
        actor=physician,
        screening=_answers(lifted, WARFARIN),
        rule="anticoagulant",
        reason="INR in range; cleared by haematology",
    )
    refer = patient("Refer")
    _answers(refer, WARFARIN)
    # Do not treat lifted, the referral left: it waits though no visit is booked.
    left_to_refer = patient("LeftToRefer")
    do_override_finding(
        actor=physician,
        screening=_answers(left_to_refer, KELOIDS_AND_WARFARIN),
        rule="keloid",
        reason="Keloid history reviewed; scar assessment done",
    )
    _answers(patient("NotTreatUnbooked"), KELOIDS)
    _answers(patient("DeferUnbooked"), _isotretinoin(today))
    not_treat_booked = booked("NotTreatBooked")
    _answers(not_treat_booked, KELOIDS)
    defer_booked = booked("DeferBooked")
    _answers(defer_booked, _isotretinoin(today))
    cleared = patient("Cleared")
    _answers(cleared, WARFARIN)
    _answers(cleared, CLEAR)  # the latest screening decides
    archived = patient("Archived")
    _answers(archived, WARFARIN)
    do_archive_patient(actor=desk, patient=archived)
    _answers(patient("Elsewhere", other_clinic), WARFARIN)

    shown = screenings_to_decide(booking_clinic, today)
    assert [(s.patient.given_name, why) for s, why in shown] == [
        ("Refer", "Refer: a clinician decides whether to treat"),
        ("LeftToRefer", "Refer: a clinician decides whether to treat"),
        ("NotTreatBooked", "Do not treat with a visit booked: override or move"),
        ("DeferBooked", "Defer with a visit booked: override or move"),
    ]
    assert [s for s, _ in shown] == [
        ScreeningRecord.objects.filter(patient=s.patient).first() for s, _ in shown
    ]
    assert [s.patient.given_name for s, _ in screenings_to_decide(booking_clinic, today, 1)] == [
        "Refer"
    ]
    assert [s.patient.given_name for s, _ in screenings_to_decide(booking_clinic, today, 3)] == [
        "Refer",
        "LeftToRefer",
        "NotTreatBooked",
    ]


def test_questionnaires_to_review_are_each_patients_latest_sent_in(
    clinic: Any, nurse: Any, desk: Any, make_patient: Any
) -> None:
    def sent(name: str, *sources: str) -> Any:
        someone = make_patient(clinic, given_name=name, email=f"{name}@example.com")
        for source in sources:
            _answers(someone, CLEAR, source)
        return someone

    sent("SinceEntered", "portal", "desk")  # the desk entered newer answers
    reviewed = sent("Reviewed", "portal")
    QuestionnaireReview.objects.create(
        intake=IntakeRecord.objects.get(patient=reviewed), reviewed_by=nurse
    )
    sent("Portal", "desk", "portal")
    sent("Archived", "portal")
    do_archive_patient(actor=desk, patient=Patient.objects.get(given_name="Archived"))
    sent("Imported", "fhir")
    sent("Later", "portal")

    shown = questionnaires_to_review(clinic)
    assert [(i.patient.given_name, i.version) for i in shown] == [
        ("Later", 1),
        ("Imported", 1),
        ("Portal", 2),
    ]
    assert [i.patient.given_name for i in questionnaires_to_review(clinic, 2)] == [
        "Later",
        "Imported",
    ]


def _more_screened_patients(base: Any, count: int) -> None:
    """``count`` patients like ``base``: each with its answers sent from the portal and a
    screening that refers."""
    start = Patient.objects.count()
    clone(base, count, record_number=lambda i: f"RR-{start + i}", portal_user=lambda i: None)
    patients = list(Patient.objects.order_by("-id")[:count])
    intake = IntakeRecord.objects.get(patient=base)
    clone(intake, count, patient=lambda i: patients[i])
    intakes = list(IntakeRecord.objects.order_by("-id")[:count])
    screening = ScreeningRecord.objects.get(patient=base)
    clone(screening, count, patient=lambda i: patients[i], intake=lambda i: intakes[i])


def _rows_read(clinic: Any) -> int:
    with counting_rows_read() as read:
        assert len(questionnaires_to_review(clinic, limit=5)) == 5
        assert len(screenings_to_decide(clinic, clinic.today(), limit=5)) == 5
    return read.rows


def test_the_worklists_read_a_page_of_rows_however_many_patients(
    clinic: Any, make_patient: Any
) -> None:
    base = make_patient(clinic)
    _answers(base, WARFARIN, "portal")
    _more_screened_patients(base, 10)
    few = _rows_read(clinic)
    _more_screened_patients(base, 1000 - 10)
    assert _rows_read(clinic) == few


def test_the_days_visits_read_every_patients_overrides_at_once(
    clinic: Any, nurse: Any, make_patient: Any
) -> None:
    base = make_patient(clinic)
    _answers(base, WARFARIN, "portal")  # a finding to lift: its overrides are read
    midnight = datetime.datetime.combine(clinic.today(), datetime.time(0), tzinfo=clinic.tzinfo)
    series = SeriesBooking.objects.create(
        clinic=clinic, patient=base, kind=SeriesKind.CONSULTATION, series_index=0, request={}
    )
    visit = Appointment.objects.create(
        clinic=clinic,
        patient=base,
        series=series,
        number=1,
        provider=nurse.provider,
        room=Room.objects.create(clinic=clinic, name="Room 1"),
        start=midnight,
        end=midnight + datetime.timedelta(minutes=30),
    )

    def queries_for_visits_of_more_patients(count: int) -> int:
        _more_screened_patients(base, count)
        patients = list(Patient.objects.order_by("-id")[:count])
        clone(visit, count, patient=lambda i: patients[i])
        with CaptureQueriesContext(connection) as queries:
            rows = visits_on(clinic, clinic.today())
        assert {tuple(row.missing) for row in rows} == {("screening decision",)}
        return len(queries)

    few = queries_for_visits_of_more_patients(10)
    assert queries_for_visits_of_more_patients(1000 - 10) == few


def test_a_visits_screening_decision_after_its_overrides(
    clinic: Any, nurse: Any, physician: Any, make_patient: Any
) -> None:
    """A referral lifted by an override no longer waits for a decision; one of two findings
    lifted leaves the other; a screening that allows treatment never does."""
    midnight = datetime.datetime.combine(clinic.today(), datetime.time(0), tzinfo=clinic.tzinfo)
    room = Room.objects.create(clinic=clinic, name="Room 1")

    def visit_of(name: str, data: dict[str, Any]) -> tuple[Any, ScreeningRecord]:
        patient = make_patient(clinic, given_name=name)
        screening = _answers(patient, data)
        series = SeriesBooking.objects.create(
            clinic=clinic, patient=patient, kind=SeriesKind.CONSULTATION, series_index=0, request={}
        )
        Appointment.objects.create(
            clinic=clinic,
            patient=patient,
            series=series,
            number=1,
            provider=nurse.provider,
            room=room,
            start=midnight,
            end=midnight + datetime.timedelta(minutes=30),
        )
        return patient, screening

    lifted, lifted_screening = visit_of("Lifted", WARFARIN)
    do_override_finding(
        actor=physician,
        screening=lifted_screening,
        rule="anticoagulant",
        reason="INR in range; cleared by haematology",
    )
    half, half_screening = visit_of("Half", KELOIDS_AND_WARFARIN)
    do_override_finding(
        actor=physician,
        screening=half_screening,
        rule="keloid",
        reason="Keloid history reviewed; scar assessment done",
    )
    refer, _ = visit_of("Refer", WARFARIN)
    clear, _ = visit_of("Clear", CLEAR)
    missing = {row.patient_id: row.missing for row in visits_on(clinic, clinic.today())}
    # Consultations: no consent asked; answered and screened: neither of those.
    assert missing == {
        lifted.pk: [],
        half.pk: ["screening decision"],
        refer.pk: ["screening decision"],
        clear.pk: [],
    }
