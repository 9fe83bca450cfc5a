"""No N+1: a page or API endpoint that lists related rows runs as many queries with 1,000 of
them as with 10. Every URL of the URLconf is either counted here or exempt with a reason, so a
new list page without a count is noticed.

The rows are clones of one real row (made through the actions), written with bulk_create:
1,000 of them cost well under a second, where 1,000 sessions through the actions would cost
minutes. What is listed is real rows of the real models, which is what the views read.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.clones import clone as _clone
from tests.rows_read import counting_rows_read

FEW, MANY = 10, 1000


def _url_names() -> set[str]:
    def walk(patterns: list[Any], namespace: str | None) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
                if str(pattern.pattern) != "admin/":
                    yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns, None))


# URL names that list no related rows, or whose list is bounded otherwise: why each is exempt.
WRITES_ONLY = "a form or an action: it lists nothing that grows"
ONE_ROW = "shows one record; no list of related rows"
EXEMPT: dict[str, str] = {
    "health": "no database rows",
    "login": WRITES_ONLY,
    "logout": WRITES_ONLY,
    "password-change": WRITES_ONLY,
    "password-change-done": WRITES_ONLY,
    "patient-register": WRITES_ONLY,
    "patient-detail": ONE_ROW,
    "patient-edit": WRITES_ONLY,
    "patient-archive": WRITES_ONLY,
    "patient-restore": WRITES_ONLY,
    "clinic-overview": "the clinic's rooms, devices and staff: set-up rows, a few dozen",
    "room-add": WRITES_ONLY,
    "device-add": WRITES_ONLY,
    "opening-hours": "seven weekdays",
    "consultation-settings": WRITES_ONLY,
    "staff-add": WRITES_ONLY,
    "staff-edit": WRITES_ONLY,
    "room-edit": WRITES_ONLY,
    "device-edit": WRITES_ONLY,
    "account-unlock": WRITES_ONLY,
    "provider-rota": "one provider's weekly hours: seven days",
    "audit-log-csv": "an export, capped at 50,000 rows, streamed from one query",
    "product-add": WRITES_ONLY,
    "lot-receive": WRITES_ONLY,
    "questionnaire": WRITES_ONLY,
    "screening": ONE_ROW,
    "rescreen": WRITES_ONLY,
    "override-finding": WRITES_ONLY,
    "plan": "one plan: its series are bounded by the protocol",
    "redate-session": WRITES_ONLY,
    "propose-series": "proposals: the scheduling helper's benchmark (issue 13, point 1)",
    "book-proposal": WRITES_ONLY,
    "move-appointment": "one appointment and its series (bounded by the protocol)",
    "cancel-appointment": WRITES_ONLY,
    "appointment-status": WRITES_ONLY,
    "replan-no-show": "one series (bounded by the protocol)",
    "book-consultation": "free slots of the chosen days: bounded by the opening hours",
    "consultation-done": WRITES_ONLY,
    "maintenance-book": "one series (bounded by the protocol)",
    "book-slot": WRITES_ONLY,
    "portal-calendar-link": WRITES_ONLY,
    "consent-sign": WRITES_ONLY,
    "consent-pdf": ONE_ROW,
    "charting-start": WRITES_ONLY,
    "charting-zone": WRITES_ONLY,
    "charting-product": WRITES_ONLY,
    "charting-details": WRITES_ONLY,
    "charting-sign": WRITES_ONLY,
    "charting-aftercare-pdf": ONE_ROW,
    "outcome-rate": WRITES_ONLY,
    "outcome-rate-instrument": WRITES_ONLY,
    "blinded-assign": WRITES_ONLY,
    "blinded-rate": WRITES_ONLY,
    "blinded-photo": ONE_ROW,
    "questionnaire-reviewed": WRITES_ONLY,
    "recovery-portal-check-in": WRITES_ONLY,
    "recovery-alert": ONE_ROW,
    "recovery-acknowledge": WRITES_ONLY,
    "recovery-adverse-event": WRITES_ONLY,
    "photo-capture": WRITES_ONLY,
    "photo-archive": WRITES_ONLY,
    "photo-consent": WRITES_ONLY,
    "photo-image": ONE_ROW,
    "photo-thumbnail": ONE_ROW,
    "teaching-image": ONE_ROW,
    "teaching-thumbnail": ONE_ROW,
    "portal-request-change": WRITES_ONLY,
    "portal-withdraw-request": WRITES_ONLY,
    "portal-consent": ONE_ROW,
    "change-request-confirm": WRITES_ONLY,
    "change-request-decline": WRITES_ONLY,
    "api:openapi-json": "the API's description",
    "api:openapi-view": "the API's description",
    "api:api-root": "the API's description",
    "api:me": ONE_ROW,
    # One URL name per path: the GET and the POST/PATCH of a path share the first's name.
    "api:register_patient": WRITES_ONLY,
    "api:get_patient": ONE_ROW,
    "api:update_patient": WRITES_ONLY,
    "api:publish_consent_form": WRITES_ONLY,
    "api:sign_consent": WRITES_ONLY,
    "api:start_session": WRITES_ONLY,
    "api:update_session": WRITES_ONLY,
    "api:chart_zone": WRITES_ONLY,
    "api:record_product": WRITES_ONLY,
    "api:sign_session": WRITES_ONLY,
    "api:amend_session": WRITES_ONLY,
    "api:session_aftercare": "the aftercare days of one session (a fixed week)",
    "api:screen_intake": WRITES_ONLY,
    "api:plan_intake": WRITES_ONLY,
    "api:propose": "proposals: the scheduling helper's benchmark (issue 13, point 1)",
    "api:book": WRITES_ONLY,
    "api:preview_move": "one series (bounded by the protocol)",
    "api:confirm_move": WRITES_ONLY,
    "api:cancel": WRITES_ONLY,
    "api:record_absence": WRITES_ONLY,
    "cds-discovery": "a fixed list of services",
    "cds-service": "one patient's decision support",
    "fhir-metadata": "the server's capability statement",
    "fhir-export": "starts a background export",
    "fhir-patient-export": "starts a background export",
    "fhir-group-export": "starts a background export",
    "fhir-import-intake": WRITES_ONLY,
    "fhir-export-status": ONE_ROW,
    "fhir-export-file": "a file written by the background export",
    "fhir-read": ONE_ROW,
    "fhir-binary": "one photograph's image",
    "cds-feedback": WRITES_ONLY,
    "integration-list": "the clinic's registered integrations: set-up rows, a few",
    "integration-revoke": WRITES_ONLY,
    "oauth2_provider:authorize": "the consent page for one client",
    "oauth2_provider:token": WRITES_ONLY,
    "oauth2_provider:revoke-token": WRITES_ONLY,
    "oauth2_provider:oidc-connect-discovery-info": "a fixed document",
    "oauth2_provider:jwks-info": "CIT's signing keys: no database rows",
    "oauth2_provider:user-info": "one person's claims (sub, fhirUser)",
    "smart-configuration": "a fixed document",
}


@dataclass
class World:
    clinic: Any
    staff: Client
    admin: Client
    desk: Client
    portal: Client
    patient: Any
    user: Any
    physician: Any
    provider: Any
    room: Any
    note: Any
    signed_note: Any
    consultation: Any
    feed_token: str


@pytest.fixture
def world(clinic: Any, make_user: Any, make_patient: Any, settings: Any, tmp_path: Any) -> World:
    from cit.clinic.appointments.feeds import do_issue_calendar_feed
    from cit.clinic.appointments.models import Appointment, SeriesBooking, SeriesKind
    from cit.clinic.charting.amendments import do_amend_note
    from cit.clinic.charting.consent import do_publish_consent_form, do_sign_consent
    from cit.clinic.charting.sessions import (
        do_chart_zone,
        do_record_product,
        do_sign_note,
        do_start_session,
    )
    from cit.clinic.facilities.models import Device, Room
    from cit.clinic.intake.actions import do_record_intake
    from cit.clinic.inventory.models import Lot, Product

    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "photos"), "base_url": None},
        },
    }
    nurse = make_user("registered_nurse", clinic)
    admin = make_user("clinic_admin", clinic)
    desk = make_user("front_desk", clinic)
    physician = make_user("physician", clinic)
    portal_user = make_user("patient", clinic)
    patient = make_patient(clinic, portal_user=portal_user)
    today = clinic.today()
    do_record_intake(
        actor=nurse,
        patient=patient,
        data={
            "birth_date": "1985-12-10",
            "sex": "female",
            "goals": [{"indication": "rejuvenation", "areas": ["face"]}],
        },
        source="desk",
        today=today,
    )
    form = do_publish_consent_form(
        actor=physician,
        clinic=clinic,
        procedure="microneedling",
        title="Micro-needling consent",
        body="Micro-needling creates controlled micro-injuries. " * 3,
        effective_on=today - datetime.timedelta(days=30),
    )
    do_sign_consent(
        actor=nurse, patient=patient, form=form, method="typed", typed_name="Ada Lovelace"
    )
    pen = Device.objects.create(
        clinic=clinic, kind="pen", model="Pen", serial_number="P-1", max_depth_mm=Decimal("1.5")
    )
    product = Product.objects.create(clinic=clinic, kind="needle_cartridge", name="Cartridge")
    lot = Lot.objects.create(
        product=product,
        lot_number="L-1",
        expires_on=datetime.date(2031, 1, 1),
        received_on=datetime.date(2020, 1, 1),
        quantity_received=5000,
        quantity_on_hand=5000,
    )
    signed = do_start_session(
        actor=nurse, patient=patient, session_date=today, device=pen, photos_taken=True
    )
    do_chart_zone(
        actor=nurse, note=signed, zone="cheeks", depth_mm="0.5", passes=2, endpoint="even_erythema"
    )
    do_record_product(actor=nurse, note=signed, lot=lot, purpose="needle_cartridge")
    do_sign_note(actor=nurse, note=signed)
    do_amend_note(
        actor=nurse, note=signed, target="addendum", new_value="Calm at discharge.", reason="Late"
    )
    draft = do_start_session(
        actor=nurse, patient=patient, session_date=today, device=pen, photos_taken=True
    )
    do_record_product(actor=nurse, note=draft, lot=lot, purpose="needle_cartridge")
    room = Room.objects.create(clinic=clinic, name="Room 1")
    provider = nurse.provider
    series = SeriesBooking.objects.create(
        clinic=clinic, patient=patient, kind=SeriesKind.CONSULTATION, series_index=0, request={}
    )
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=1)
    consultation = Appointment.objects.create(
        clinic=clinic,
        patient=patient,
        series=series,
        number=1,
        provider=provider,
        room=room,
        start=start,
        end=start + datetime.timedelta(minutes=30),
    )
    token = do_issue_calendar_feed(actor=portal_user, patient=patient)

    def client(user: Any) -> Client:
        logged_in = Client()
        logged_in.force_login(user)
        return logged_in

    return World(
        clinic=clinic,
        staff=client(nurse),
        admin=client(admin),
        desk=client(desk),
        portal=client(portal_user),
        patient=patient,
        user=nurse,
        physician=physician,
        provider=provider,
        room=room,
        note=draft,
        signed_note=signed,
        consultation=consultation,
        feed_token=token,
    )


# -- how each counted list grows -----------------------------------------------------------------


def _more_patients(world: World, count: int) -> None:
    from cit.clinic.patients.models import Patient

    start = Patient.objects.count()
    _clone(
        world.patient,
        count,
        record_number=lambda i: f"TC-{start + i}",
        portal_user=lambda i: None,
        given_name=lambda i: f"Ada{i:04d}",
    )


def _more_audit_events(world: World, count: int) -> None:
    from cit.clinic.audit.models import AuditEvent

    AuditEvent.objects.bulk_create(
        AuditEvent(
            clinic=world.clinic,
            actor=world.user,
            actor_username=world.user.username,
            action="view",
            patient=world.patient,
            object_type="patients.Patient",
            object_id=str(world.patient.pk),
        )
        for _ in range(count)
    )


def _more_appointments(world: World, count: int) -> None:
    from cit.clinic.appointments.models import Appointment

    first = Appointment.objects.filter(series=world.consultation.series).count()
    base = world.consultation
    _clone(
        base,
        count,
        start=lambda i: base.start + datetime.timedelta(days=first + i),
        end=lambda i: base.end + datetime.timedelta(days=first + i),
    )


def _more_appointments_on_one_day(world: World, count: int) -> None:
    """Many appointments on the consultation's day (overlapping: the calendar draws them all)."""
    from cit.clinic.appointments.models import Appointment

    first = Appointment.objects.filter(series=world.consultation.series).count()
    base = world.consultation
    _clone(
        base,
        count,
        start=lambda i: base.start + datetime.timedelta(seconds=first + i),
        end=lambda i: base.end + datetime.timedelta(seconds=first + i),
    )


def _more_change_requests(world: World, count: int) -> None:
    """A waiting request on each of ``count`` new appointments (one per appointment)."""
    from cit.clinic.appointments.models import Appointment
    from cit.clinic.portal.models import ChangeRequest

    before = set(Appointment.objects.values_list("id", flat=True))
    _more_appointments(world, count)
    ChangeRequest.objects.bulk_create(
        ChangeRequest(patient=world.patient, appointment=appointment, kind="cancel")
        for appointment in Appointment.objects.exclude(id__in=before)
    )


def _more_absences(world: World, count: int) -> None:
    from cit.clinic.appointments.models import ProviderAbsence

    start = timezone.now() - datetime.timedelta(days=400)
    ProviderAbsence.objects.bulk_create(
        ProviderAbsence(
            clinic=world.clinic,
            provider=world.provider,
            start=start - datetime.timedelta(days=i),
            end=start - datetime.timedelta(days=i) + datetime.timedelta(hours=2),
            recorded_by=world.user,
        )
        for i in range(count)
    )


def _more_notes(world: World, count: int) -> None:
    from cit.clinic.charting.models import SessionNote

    first = SessionNote.objects.filter(patient=world.patient).count()
    signed = SessionNote.objects.get(pk=world.signed_note.pk)  # as signed
    _clone(
        signed,
        count,
        session_date=lambda i: signed.session_date - datetime.timedelta(days=first + i),
    )


def _more_notes_after(world: World, count: int) -> None:
    """Signed sessions after the charted one, so that a list in date order starts with it
    (its zones, products and amendments are read on every page)."""
    from cit.clinic.charting.models import SessionNote

    first = SessionNote.objects.filter(patient=world.patient).count()
    signed = SessionNote.objects.get(pk=world.signed_note.pk)
    _clone(
        signed,
        count,
        session_date=lambda i: signed.session_date + datetime.timedelta(days=first + i),
    )


def _more_signatures(world: World, count: int) -> None:
    from cit.clinic.charting.models import ConsentSignature

    _clone(ConsentSignature.objects.filter(patient=world.patient).first(), count)


def _more_consent_forms(world: World, count: int) -> None:
    from cit.clinic.charting.models import ConsentForm

    latest = ConsentForm.objects.filter(clinic=world.clinic).order_by("-version").first()
    _clone(latest, count, version=lambda i: latest.version + 1 + i)


def _more_products(world: World, count: int) -> None:
    from cit.clinic.charting.models import SessionProduct
    from cit.clinic.inventory.models import LotUse

    product = SessionProduct.objects.filter(note=world.note).select_related("lot_use").first()
    _clone(product.lot_use, count)
    uses = list(LotUse.objects.filter(session_product__isnull=True).order_by("id")[:count])
    _clone(product, count, lot_use=lambda i: uses[i])


def _more_amendments(world: World, count: int) -> None:
    from cit.clinic.charting.models import NoteAmendment

    _clone(NoteAmendment.objects.filter(note=world.signed_note).first(), count)


def _more_lots(world: World, count: int) -> None:
    from cit.clinic.inventory.models import Lot, Product

    start = Lot.objects.count()
    _clone(Lot.objects.first(), count, lot_number=lambda i: f"L-{start}-{i}")
    _clone(Product.objects.first(), count // 10, name=lambda i: f"Product {start}-{i}")


def _more_of_today(world: World, count: int) -> None:
    """Visits on today's clinic day for the clinician, and open recovery alerts (the today
    pages' lists)."""
    from cit.clinic.appointments.models import Appointment

    base = world.consultation
    midnight = datetime.datetime.combine(
        world.clinic.today(), datetime.time(0), tzinfo=world.clinic.tzinfo
    )
    first = Appointment.objects.filter(series=base.series).count()
    _clone(
        base,
        count,
        start=lambda i: midnight + datetime.timedelta(seconds=first + i),
        end=lambda i: midnight + datetime.timedelta(seconds=first + i, minutes=30),
    )
    _more_alerts(world, count)


def _more_of_the_portal(world: World, count: int) -> None:
    """What the portal home lists: upcoming visits, signed sessions, consents, requests."""
    _more_change_requests(world, count)
    _more_notes(world, count)
    _more_signatures(world, count)
    _more_check_ins(world, count)


def _more_deliveries(world: World, count: int) -> None:
    from cit.clinic.jobs.models import Delivery

    start = Delivery.objects.count()
    Delivery.objects.bulk_create(
        Delivery(
            key=f"test-{start + i}",
            kind="reminder",
            channel="email",
            clinic=world.clinic,
            patient=world.patient,
            status="failed",
            attempts=3,
            last_error="SMTPException",
        )
        for i in range(count)
    )
    _more_appointments_overdue_a_reminder(world, count)


def _more_appointments_overdue_a_reminder(world: World, count: int) -> None:
    from cit.clinic.appointments.models import Appointment

    before = set(Appointment.objects.values_list("id", flat=True))
    _more_appointments(world, count)
    Appointment.objects.exclude(id__in=before).update(
        reminder_due_at=timezone.now() - datetime.timedelta(days=1), reminder_sent_at=None
    )


def _more_lot_uses(world: World, count: int) -> None:
    from cit.clinic.charting.models import SessionProduct

    use = SessionProduct.objects.filter(note=world.signed_note).select_related("lot_use").first()
    _clone(use.lot_use, count, used_on=lambda i: use.lot_use.used_on - datetime.timedelta(days=i))


def _more_lot_uses_of_patients(world: World, count: int) -> None:
    """Uses of the lot before the charted one, each by a new patient: the recall page audits
    every patient it shows."""
    from cit.clinic.charting.models import SessionProduct
    from cit.clinic.patients.models import Patient

    _more_patients(world, count)
    patients = list(Patient.objects.order_by("-id")[:count])
    use = SessionProduct.objects.filter(note=world.signed_note).select_related("lot_use").first()
    first = use.lot_use.used_on - datetime.timedelta(days=1)
    _clone(
        use.lot_use,
        count,
        patient=lambda i: patients[i],
        used_on=lambda i: first - datetime.timedelta(days=i),
    )


def _more_appointments_of_patients(world: World, count: int) -> None:
    """Appointments, each of a new patient: a FHIR search audits every patient it returns."""
    from cit.clinic.appointments.models import Appointment
    from cit.clinic.patients.models import Patient

    _more_patients(world, count)
    patients = list(Patient.objects.order_by("-id")[:count])
    first = Appointment.objects.filter(series=world.consultation.series).count()
    base = world.consultation
    _clone(
        base,
        count,
        patient=lambda i: patients[i],
        start=lambda i: base.start + datetime.timedelta(days=first + i),
        end=lambda i: base.end + datetime.timedelta(days=first + i),
    )


def _more_closed_sessions(world: World, count: int) -> None:
    """Closure days, and sessions booked on them (the closures page lists both)."""
    from cit.clinic.facilities.models import ClosureDay

    base = world.consultation
    zone = world.clinic.tzinfo
    first = ClosureDay.objects.count()
    start_day = base.local_start().date() + datetime.timedelta(days=first)
    ClosureDay.objects.bulk_create(
        ClosureDay(clinic=world.clinic, date=start_day + datetime.timedelta(days=i), name=f"C{i}")
        for i in range(count)
    )
    at_ten = datetime.datetime.combine(start_day, datetime.time(10), tzinfo=zone)
    _clone(
        base,
        count,
        start=lambda i: at_ten + datetime.timedelta(days=i),
        end=lambda i: at_ten + datetime.timedelta(days=i, minutes=30),
    )


def _more_check_ins(world: World, count: int) -> list[Any]:
    """Check-ins of the signed session, due and missed (answered by no one)."""
    from django.db.models import Max

    from cit.clinic.recovery.models import CheckIn

    rows = CheckIn.objects.filter(note=world.signed_note)
    base = rows.order_by("day").first()
    first = rows.aggregate(last=Max("day"))["last"] + 1
    due = timezone.now() - datetime.timedelta(days=3)
    _clone(
        base,
        count,
        day=lambda i: first + i,
        due_at=lambda i: due - datetime.timedelta(minutes=i),
        late_at=lambda i: due - datetime.timedelta(minutes=i) + datetime.timedelta(days=1),
    )
    return list(rows.filter(day__gte=first))


def _more_alerts(world: World, count: int) -> None:
    """Answered check-ins whose answers raised an alert no one has acknowledged."""
    from cit.clinic.recovery.models import CheckIn, DiaryEntry, RecoveryAlert

    check_ins = _more_check_ins(world, count)
    now = timezone.now()
    CheckIn.objects.filter(pk__in=[c.pk for c in check_ins]).update(answered_at=now)
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            check_in=check_in,
            patient=world.patient,
            day_after_session=3,
            redness=3,
            swelling=2,
            pain=7,
            pain_trend="worse",
            level="contact_clinic",
            signs=[{"id": "pain", "level": "contact_clinic", "reason": "Pain getting worse"}],
            protocol_version="test",
            submitted_via="portal",
        )
        for check_in in check_ins
    )
    RecoveryAlert.objects.bulk_create(
        RecoveryAlert(
            entry=entry,
            patient=world.patient,
            note=world.signed_note,
            clinic=world.clinic,
            level="contact_clinic",
            raised_at=now,
            respond_by=now + datetime.timedelta(hours=4),
        )
        for entry in DiaryEntry.objects.filter(check_in__in=check_ins)
    )


def _more_recovery(world: World, count: int) -> None:
    """Alerts, missed check-ins and adverse events of the patient."""
    from cit.clinic.charting.models import SessionNote
    from cit.clinic.recovery.actions import do_record_adverse_event
    from cit.clinic.recovery.models import AdverseEvent

    _more_alerts(world, count)
    _more_check_ins(world, count)
    note = SessionNote.objects.get(pk=world.signed_note.pk)  # as signed
    event = AdverseEvent.objects.filter(patient=world.patient).first() or do_record_adverse_event(
        actor=world.user,
        note=note,
        event_type="infection",
        severity="mild",
        onset_on=world.signed_note.session_date,
    )
    start = AdverseEvent.objects.count()
    _clone(event, count)
    # Each with the lots of the session, as the action records them.
    lots, uses = AdverseEvent.lot_uses.through, list(event.lot_uses.all())
    lots.objects.bulk_create(
        lots(adverseevent_id=clone, lotuse_id=use.pk)
        for clone in AdverseEvent.objects.order_by("id").values_list("id", flat=True)[start:]
        for use in uses
    )


def _check_in_link(world: World) -> str:
    from cit.clinic.recovery.links import check_in_token
    from cit.clinic.recovery.models import CheckIn

    check_in = CheckIn.objects.filter(note=world.signed_note).order_by("day").first()
    return f"/diary/{check_in_token(check_in)}/"


def _base_photo(world: World) -> Any:
    """One real photograph (a tiny JPEG through the capture action), the patient
    consenting to the record and teaching."""
    import io

    from PIL import Image

    from cit.clinic.photos.actions import do_capture_photo, do_record_photo_consent
    from cit.clinic.photos.models import Photo
    from cit.clinic.photos.sanitise import sanitise_photo

    photo = Photo.objects.filter(patient=world.patient).first()
    if photo is not None:
        return photo
    do_record_photo_consent(
        actor=world.user,
        patient=world.patient,
        scopes=("record", "teaching"),
        stated_on=world.clinic.today(),
    )
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 90)).save(jpeg, format="JPEG")
    jpeg.seek(0)
    return do_capture_photo(
        actor=world.user,
        patient=world.patient,
        view="face_frontal",
        taken_on=world.clinic.today(),
        photo=sanitise_photo(jpeg),
    )


def _more_photos(world: World, count: int) -> None:
    """Rows of the patient's photos, earlier each, all pointing at the one stored file."""
    from cit.clinic.photos.models import Photo

    base = _base_photo(world)
    start = Photo.objects.count()
    _clone(
        base,
        count,
        token=lambda i: f"t{start + i:06d}",
        taken_on=lambda i: base.taken_on - datetime.timedelta(days=start + i),
    )


def _more_ratings(world: World, count: int) -> None:
    from cit.clinic.outcomes.actions import do_record_rating
    from cit.clinic.outcomes.models import OutcomeRating

    today = world.clinic.today()
    first = OutcomeRating.objects.filter(patient=world.patient).first() or do_record_rating(
        actor=world.user,
        patient=world.patient,
        values={"value": 3},
        rated_on=today,
        scale_id="goodman-baron-qualitative",
    )
    start = OutcomeRating.objects.count()
    _clone(first, count, rated_on=lambda i: today - datetime.timedelta(days=start + i))


def _more_pairs(world: World, count: int) -> None:
    from cit.clinic.outcomes.models import BlindedPairRating

    start = BlindedPairRating.objects.count()
    BlindedPairRating.objects.bulk_create(
        BlindedPairRating(
            patient=world.patient,
            earlier_ref=f"e{start + i}",
            later_ref=f"l{start + i}",
            later_shown_first=bool(i % 2),
            token=f"pair{start + i:06d}",
            rater=world.user,
            assigned_by=world.user,
        )
        for i in range(count)
    )


def _more_due_for_maintenance(world: World, count: int) -> None:
    """Plans whose treatment series was held (its one visit in the past): each patient is
    due for maintenance."""
    from cit.clinic.appointments.models import Appointment, SeriesBooking
    from cit.clinic.plans.models import TreatmentPlanRecord

    plan = _a_finished_plan(world)
    series = SeriesBooking.objects.get(plan=plan, series_index=0)
    visit = Appointment.objects.filter(series=series).first()
    start = TreatmentPlanRecord.objects.count()
    _more_patients(world, count)
    from cit.clinic.patients.models import Patient

    patients = list(Patient.objects.order_by("-id")[:count])
    _clone(plan, count, patient=lambda i: patients[i])
    plans = list(TreatmentPlanRecord.objects.order_by("-id")[:count])
    _clone(series, count, patient=lambda i: patients[i], plan=lambda i: plans[i])
    all_series = list(SeriesBooking.objects.order_by("-id")[:count])
    _clone(
        visit,
        count,
        patient=lambda i: patients[i],
        series=lambda i: all_series[i],
        start=lambda i: visit.start - datetime.timedelta(days=i % 300, seconds=start + i),
        end=lambda i: visit.end - datetime.timedelta(days=i % 300, seconds=start + i),
    )


def _a_finished_plan(world: World) -> Any:
    """The patient's accepted plan, its treatment series held about five months ago (one
    completed visit)."""
    from cit.clinic.appointments.models import Appointment, SeriesBooking, SeriesKind
    from cit.clinic.plans.actions import do_accept_plan, propose_plan
    from cit.clinic.plans.models import TreatmentPlanRecord
    from cit.protocol.adjust import SeriesAdjustment

    plan = TreatmentPlanRecord.objects.filter(patient=world.patient).first()
    if plan is not None:
        return plan
    today = world.clinic.today()
    first = today  # the plan as accepted; its one visit is moved into the past below
    intake, proposal = propose_plan(world.patient, first)
    plan = do_accept_plan(
        actor=world.physician,
        patient=world.patient,
        intake=intake,
        proposal=proposal,
        adjustments=[
            SeriesAdjustment(
                sessions=series["sessions"],
                interval_target_weeks=series["interval_weeks"]["target"],
                first_session=first,
            )
            for series in proposal["series"]
        ],
        today=today,
    )
    series = SeriesBooking.objects.create(
        clinic=world.clinic,
        patient=world.patient,
        plan=plan,
        kind=SeriesKind.TREATMENT,
        series_index=0,
        request={},
    )
    held = timezone.now().replace(microsecond=0) - datetime.timedelta(days=150)
    Appointment.objects.create(
        clinic=world.clinic,
        patient=world.patient,
        series=series,
        number=1,
        provider=world.provider,
        room=world.room,
        start=held,
        end=held + datetime.timedelta(hours=1),
        status="completed",
    )
    return plan


@dataclass(frozen=True)
class Counted:
    who: str  # "staff", "admin", "desk", "portal" or "anyone"
    url: Callable[[World], str]
    grow: Callable[[World, int], None]
    # What the page shows with 1,000 rows because it lists a bounded part of them: its
    # page links, or the link to the paged list. Empty where checked elsewhere.
    bounded: str = ""


PAGED = '<nav class="pagination" aria-label="Pages">'


COUNTED: dict[str, Counted] = {
    "patient-list": Counted("staff", lambda w: "/patients/", _more_patients),
    "audit-log": Counted("admin", lambda w: "/audit/", _more_audit_events),
    "lot-register": Counted("admin", lambda w: "/inventory/", _more_lots),
    "consent-forms": Counted("admin", lambda w: "/consent-forms/", _more_consent_forms),
    "patient-bookings": Counted(
        "staff", lambda w: f"/patients/{w.patient.pk}/bookings/", _more_appointments
    ),
    "patient-ics": Counted(
        "staff", lambda w: f"/patients/{w.patient.pk}/appointments.ics", _more_appointments
    ),
    "calendar": Counted(
        "staff",
        lambda w: f"/calendar/?date={w.consultation.local_start().date().isoformat()}",
        _more_appointments_on_one_day,
    ),
    "portal-bookings": Counted("portal", lambda w: "/portal/appointments/", _more_appointments),
    "portal-ics": Counted("portal", lambda w: "/portal/appointments.ics", _more_appointments),
    "calendar-feed": Counted(
        "anyone", lambda w: f"/calendar/feed/{w.feed_token}.ics", _more_appointments
    ),
    "charting-sessions": Counted(
        "staff", lambda w: f"/patients/{w.patient.pk}/sessions/", _more_notes
    ),
    "charting-note": Counted("staff", lambda w: f"/sessions/{w.note.pk}/", _more_products),
    "charting-amend": Counted(
        "staff", lambda w: f"/sessions/{w.signed_note.pk}/amend/", _more_amendments
    ),
    "change-requests": Counted("staff", lambda w: "/portal/requests/", _more_change_requests),
    "provider-absences": Counted("staff", lambda w: "/calendar/absences/", _more_absences),
    "api:list_patients": Counted("staff", lambda w: "/api/patients", _more_patients),
    "api:list_consent_forms": Counted("admin", lambda w: "/api/consent-forms", _more_consent_forms),
    "api:list_consents": Counted(
        "staff", lambda w: f"/api/patients/{w.patient.pk}/consents", _more_signatures
    ),
    "api:list_sessions": Counted(
        "staff", lambda w: f"/api/patients/{w.patient.pk}/sessions", _more_notes
    ),
    "api:get_session": Counted("staff", lambda w: f"/api/sessions/{w.note.pk}", _more_products),
    "api:list_session_products": Counted(
        "staff", lambda w: f"/api/sessions/{w.note.pk}/products", _more_products
    ),
    "api:list_amendments": Counted(
        "staff", lambda w: f"/api/sessions/{w.signed_note.pk}/amendments", _more_amendments
    ),
    "api:patient_appointments": Counted(
        "staff", lambda w: f"/api/patients/{w.patient.pk}/appointments", _more_appointments
    ),
    "api:patient_ics": Counted(
        "staff", lambda w: f"/api/patients/{w.patient.pk}/appointments.ics", _more_appointments
    ),
    "api:calendar": Counted(
        "staff",
        lambda w: "/api/calendar?start={0}T00:00&end={0}T23:59".format(
            w.consultation.local_start().date().isoformat()
        ),
        _more_appointments_on_one_day,
    ),
    # One URL, several pages: "name#what" counts each.
    "home#clinician": Counted("staff", lambda w: "/", _more_of_today),
    "home#front-desk": Counted("desk", lambda w: "/", _more_of_today),
    "home#portal": Counted(
        "portal", lambda w: "/", _more_of_the_portal, "All my sessions and consents"
    ),
    "delivery-problems": Counted("admin", lambda w: "/clinic/messages/", _more_deliveries, PAGED),
    "lot-recall": Counted(
        "admin", lambda w: f"/inventory/lots/{_the_lot(w).pk}/recall/", _more_lot_uses, PAGED
    ),
    "lot-recall#patients": Counted(
        "admin",
        lambda w: f"/inventory/lots/{_the_lot(w).pk}/recall/",
        _more_lot_uses_of_patients,
        PAGED,
    ),
    "maintenance-due": Counted("desk", lambda w: "/maintenance/", _more_due_for_maintenance, PAGED),
    "closures": Counted("admin", lambda w: "/calendar/closures/", _more_closed_sessions, PAGED),
    "outcomes": Counted(
        "staff", lambda w: f"/patients/{w.patient.pk}/outcomes/", _more_ratings, "in the plot only"
    ),
    "outcome-pdf": Counted(
        "staff", lambda w: f"/patients/{w.patient.pk}/outcomes/summary.pdf", _more_ratings
    ),
    "blinded-pairs": Counted("staff", lambda w: "/outcomes/blinded/", _more_pairs, PAGED),
    "recovery-link": Counted("anyone", _check_in_link, _more_check_ins),
    "recovery-portal": Counted("portal", lambda w: "/portal/diary/", _more_check_ins, PAGED),
    "recovery-patient": Counted(
        "staff", lambda w: f"/patients/{w.patient.pk}/recovery/", _more_recovery, PAGED
    ),
    "recovery-clinic": Counted("staff", lambda w: "/recovery/", _more_recovery, PAGED),
    "photos": Counted(
        "staff", lambda w: f"/patients/{w.patient.pk}/photos/", _more_photos, "see them all"
    ),
    "photo-compare": Counted(
        "staff", lambda w: f"/patients/{w.patient.pk}/photos/compare/", _more_photos
    ),
    "photo-timeline": Counted(
        "staff",
        lambda w: f"/patients/{w.patient.pk}/photos/views/face_frontal/",
        _more_photos,
        PAGED,
    ),
    "photo-teaching": Counted("staff", lambda w: "/photos/teaching/", _more_photos, PAGED),
    "fhir-search#Appointment": Counted(
        "staff",
        lambda w: f"/fhir/Appointment?patient={w.patient.pk}",
        _more_appointments,
        '"relation": "next"',
    ),
    "fhir-search#Appointment-patients": Counted(
        "staff", lambda w: "/fhir/Appointment", _more_appointments_of_patients, '"relation": "next"'
    ),
    "fhir-search#Procedure": Counted(
        "staff",
        lambda w: f"/fhir/Procedure?patient={w.patient.pk}",
        _more_notes_after,
        '"relation": "next"',
    ),
    "fhir-search#Consent": Counted(
        "staff",
        lambda w: f"/fhir/Consent?patient={w.patient.pk}",
        _more_signatures,
        '"relation": "next"',
    ),
    "fhir-search#Observation": Counted(
        "staff",
        lambda w: f"/fhir/Observation?patient={w.patient.pk}",
        _more_ratings,
        '"relation": "next"',
    ),
    "fhir-search#Media": Counted(
        "staff", lambda w: f"/fhir/Media?patient={w.patient.pk}", _more_photos, '"relation": "next"'
    ),
}


def _the_lot(world: World) -> Any:
    from cit.clinic.inventory.models import Lot

    return Lot.objects.get(lot_number="L-1")


def test_every_url_is_counted_or_exempt_with_a_reason() -> None:
    names = _url_names()
    counted = {case.partition("#")[0] for case in COUNTED}
    assert not counted & set(EXEMPT)
    assert names - counted - set(EXEMPT) == set(), "count these pages, or say why not"
    assert counted | set(EXEMPT) <= names, "stale entries"


def _queries(client: Client, url: str) -> tuple[int, str]:
    client.get(url)  # sessions, caches and lazy set-up out of the way
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    shown = "" if response.streaming else response.content.decode(errors="replace")
    return len(queries), shown


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(COUNTED))
def test_queries_do_not_grow_with_the_rows(
    world: World, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The idle timeout writes the session once a minute: not a query the rows cause (a
    # slow machine can take a minute to make 1,000 rows).
    monkeypatch.setattr("cit.clinic.accounts.idle.WRITE_EVERY_SECONDS", 10**9)
    counted = COUNTED[name]
    clients = {"staff": world.staff, "admin": world.admin, "desk": world.desk}
    client = {**clients, "portal": world.portal}.get(counted.who, Client())
    url = counted.url(world)
    counted.grow(world, FEW)
    few, _shown = _queries(client, url)
    counted.grow(world, MANY - FEW)
    many, shown = _queries(client, url)
    assert many == few, f"{name}: {few} queries with {FEW} rows, {many} with {MANY}"
    assert counted.bounded in shown, f"{name}: {MANY} rows and no sign of a bounded list"


# Pages whose query count never grew, but whose rows read did: a loop in Python over every
# row, in one query. (name, who, url, rows made before counting: a full page either way.)
ROWS_COUNTED = [
    ("home#front-desk", "desk", "/", 0),
    ("maintenance-due", "desk", "/maintenance/", 30),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "who", "url", "ahead"), ROWS_COUNTED)
def test_rows_read_do_not_grow_with_the_due_series(
    world: World, name: str, who: str, url: str, ahead: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cit.clinic.accounts.idle.WRITE_EVERY_SECONDS", 10**9)
    client = {"staff": world.staff, "desk": world.desk}[who]
    _more_due_for_maintenance(world, ahead + FEW)
    client.get(url)
    with counting_rows_read() as few:
        assert client.get(url).status_code == 200
    _more_due_for_maintenance(world, MANY - FEW)
    with counting_rows_read() as many:
        assert client.get(url).status_code == 200
    assert many.rows == few.rows, f"{name}: {few.rows} rows read, then {many.rows}"


@pytest.mark.django_db
def test_a_note_over_the_api_carries_the_first_page_of_its_lists(world: World) -> None:
    _more_products(world, 60)
    _more_amendments(world, 3)
    note = world.staff.get(f"/api/sessions/{world.note.pk}").json()
    assert len(note["products"]) == 50  # 61 recorded: the first page, then a link
    rest = world.staff.get(note["products_next"].removeprefix("http://testserver")).json()
    assert len(rest["items"]) == 11
    assert rest["next"] is None
    signed = world.staff.get(f"/api/sessions/{world.signed_note.pk}").json()
    assert len(signed["amendments"]) == 4
    assert signed["amendments_next"] is None
