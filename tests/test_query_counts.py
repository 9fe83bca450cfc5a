"""No N+1: a page or API endpoint that lists related rows runs as many queries with 1,000 of
them as with 10. Every URL of the URLconf is either counted here or exempt with a reason, so a
new list page without a count is noticed.

The rows are clones of one real row (made through the actions), written with bulk_create:
1,000 of them cost well under a second, where 1,000 sessions through the actions would cost
minutes. What is listed is real rows of the real models, which is what the views read.
"""

from __future__ import annotations

import copy
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
NOT_YET = "lists related rows: not yet counted here (issue 13, point 3, left open)"
EXEMPT: dict[str, str] = {
    "home": "the today page (one day) or the portal home: " + NOT_YET,
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
    "delivery-problems": NOT_YET,
    "audit-log-csv": "an export, capped at 50,000 rows, streamed from one query",
    "product-add": WRITES_ONLY,
    "lot-receive": WRITES_ONLY,
    "lot-recall": "one lot and the patients it was used on: " + NOT_YET,
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
    "maintenance-due": "paged; computed per plan in Python: " + NOT_YET,
    "maintenance-book": "one series (bounded by the protocol)",
    "book-slot": WRITES_ONLY,
    "closures": NOT_YET,
    "portal-calendar-link": WRITES_ONLY,
    "consent-sign": WRITES_ONLY,
    "consent-pdf": ONE_ROW,
    "charting-start": WRITES_ONLY,
    "charting-zone": WRITES_ONLY,
    "charting-product": WRITES_ONLY,
    "charting-details": WRITES_ONLY,
    "charting-sign": WRITES_ONLY,
    "charting-aftercare-pdf": ONE_ROW,
    "outcomes": NOT_YET,
    "outcome-rate": WRITES_ONLY,
    "outcome-rate-instrument": WRITES_ONLY,
    "outcome-pdf": NOT_YET,
    "blinded-assign": WRITES_ONLY,
    "blinded-pairs": NOT_YET,
    "blinded-rate": WRITES_ONLY,
    "blinded-photo": ONE_ROW,
    "questionnaire-reviewed": WRITES_ONLY,
    "recovery-link": NOT_YET,
    "recovery-portal": NOT_YET,
    "recovery-portal-check-in": WRITES_ONLY,
    "recovery-patient": NOT_YET,
    "recovery-clinic": NOT_YET,
    "recovery-alert": ONE_ROW,
    "recovery-acknowledge": WRITES_ONLY,
    "recovery-adverse-event": WRITES_ONLY,
    "photos": NOT_YET,
    "photo-capture": WRITES_ONLY,
    "photo-compare": NOT_YET,
    "photo-timeline": NOT_YET,
    "photo-archive": WRITES_ONLY,
    "photo-consent": WRITES_ONLY,
    "photo-teaching": NOT_YET,
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
    "fhir-search": NOT_YET,
    "fhir-read": ONE_ROW,
    "fhir-binary": "one photograph's image",
    "cds-feedback": WRITES_ONLY,
    "integration-list": "the clinic's registered integrations: set-up rows, a few",
    "integration-revoke": WRITES_ONLY,
    "oauth2_provider:authorize": "the consent page for one client",
    "oauth2_provider:token": WRITES_ONLY,
    "oauth2_provider:revoke-token": WRITES_ONLY,
    "smart-configuration": "a fixed document",
}


@dataclass
class World:
    clinic: Any
    staff: Client
    admin: Client
    portal: Client
    patient: Any
    user: Any
    provider: Any
    room: Any
    note: Any
    signed_note: Any
    consultation: Any
    feed_token: str


def _clone(row: Any, count: int, **vary: Callable[[int], Any]) -> None:
    """``count`` copies of ``row``, field ``f`` of copy ``i`` set to ``vary[f](i)``."""
    copies = []
    for i in range(count):
        twin = copy.copy(row)
        twin.pk = twin.id = None
        twin._state = copy.copy(row._state)
        twin._state.adding = True
        for name, value in vary.items():
            setattr(twin, name, value(i))
        copies.append(twin)
    type(row).objects.bulk_create(copies, batch_size=500)


@pytest.fixture
def world(clinic: Any, make_user: Any, make_patient: Any) -> World:
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

    nurse = make_user("registered_nurse", clinic)
    admin = make_user("clinic_admin", clinic)
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
        portal=client(portal_user),
        patient=patient,
        user=nurse,
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
    _clone(
        world.signed_note,
        count,
        session_date=lambda i: world.signed_note.session_date - datetime.timedelta(days=first + i),
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


@dataclass(frozen=True)
class Counted:
    who: str  # "staff", "admin", "portal" or "anyone"
    url: Callable[[World], str]
    grow: Callable[[World, int], None]


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
}


def test_every_url_is_counted_or_exempt_with_a_reason() -> None:
    names = _url_names()
    assert not set(COUNTED) & set(EXEMPT)
    assert names - set(COUNTED) - set(EXEMPT) == set(), "count these pages, or say why not"
    assert set(COUNTED) | set(EXEMPT) <= names, "stale entries"


def _queries(client: Client, url: str) -> int:
    client.get(url)  # sessions, caches and lazy set-up out of the way
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(COUNTED))
def test_queries_do_not_grow_with_the_rows(world: World, name: str) -> None:
    counted = COUNTED[name]
    client = {"staff": world.staff, "admin": world.admin, "portal": world.portal}.get(
        counted.who, Client()
    )
    url = counted.url(world)
    counted.grow(world, FEW)
    few = _queries(client, url)
    counted.grow(world, MANY - FEW)
    many = _queries(client, url)
    assert many == few, f"{name}: {few} queries with {FEW} rows, {many} with {MANY}"


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
