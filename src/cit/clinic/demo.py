"""The demo clinics: two clinics in two time zones, staff of every role, rooms, devices
and about fifty patients, generated from a fixed seed so every run gives the same data.

Loading is idempotent: records are found by natural keys (user name, clinic name,
serial number, demo patient key) and updated in place, never duplicated.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from cit.clinic.accounts.models import LicenceType, Provider, User
from cit.clinic.accounts.roles import Role
from cit.clinic.demo_intakes import demo_intake
from cit.clinic.facilities.models import (
    Clinic,
    ClosureDay,
    Device,
    DeviceKind,
    OpeningHours,
    Room,
)
from cit.clinic.intake.actions import do_record_intake
from cit.clinic.intake.models import IntakeSource
from cit.clinic.inventory.models import Lot, LotUse, Product, ProductKind
from cit.clinic.patients.models import Patient

DEMO_PASSWORD = "cit-demo-2026"
DEMO_SEED = 20261124
# Ages are computed against a fixed day so the data does not drift with the clock.
DEMO_REFERENCE_DAY = datetime.date(2026, 11, 24)
PATIENTS_PER_CLINIC = 25
# Minors and 18–21-year-olds, whom screening treats specially; the rest are 22–74.
YOUNG_AGES = {6: 17, 12: 20, 18: 19, 24: 16}


@dataclass(frozen=True)
class DemoClinic:
    key: str
    name: str
    timezone: str
    prefix: str
    address: str
    phone: str
    hours: tuple[tuple[int, str, str], ...]
    rooms: tuple[str, ...]
    date_order: str = "dmy"


CLINICS = (
    DemoClinic(
        key="harbour",
        name="Harbour Skin Clinic",
        timezone="Europe/London",
        prefix="HSC",
        address="12 Quay Street\nBristol BS1 4DB\nUnited Kingdom",
        phone="+44 117 496 0123",
        hours=(
            *((day, "09:00", "18:00") for day in range(5)),
            (5, "09:00", "13:00"),
        ),
        rooms=("Treatment room 1", "Treatment room 2", "Consultation room"),
    ),
    DemoClinic(
        key="sunset",
        name="Sunset Dermatology & Aesthetics",
        timezone="America/Los_Angeles",
        prefix="SDA",
        address="4100 Sunset Blvd, Suite 200\nLos Angeles, CA 90029\nUSA",
        phone="+1 323 555 0142",
        hours=(
            (0, "08:00", "17:00"),
            (1, "08:00", "17:00"),
            (2, "08:00", "17:00"),
            (3, "08:00", "20:00"),
            (4, "08:00", "16:00"),
        ),
        rooms=("Suite A", "Suite B", "Suite C", "PRP lab"),
        date_order="mdy",
    ),
)

# (role, first name, last name, licence type) — one member of staff per role per clinic.
STAFF = {
    "harbour": (
        (Role.PHYSICIAN, "Amara", "Okafor", LicenceType.MEDICAL),
        (Role.NURSE_PRACTITIONER, "Siobhan", "Kelly", LicenceType.NURSE_PRACTITIONER),
        (Role.PHYSICIAN_ASSISTANT, "Tomasz", "Nowak", LicenceType.PHYSICIAN_ASSISTANT),
        (Role.REGISTERED_NURSE, "Priya", "Raman", LicenceType.REGISTERED_NURSE),
        (Role.ESTHETICIAN, "Chloe", "Martin", LicenceType.ESTHETICIAN),
        (Role.FRONT_DESK, "Oliver", "Hughes", None),
        (Role.CLINIC_ADMIN, "Fiona", "Campbell", None),
    ),
    "sunset": (
        (Role.PHYSICIAN, "Daniel", "Reyes", LicenceType.MEDICAL),
        (Role.NURSE_PRACTITIONER, "Grace", "Kim", LicenceType.NURSE_PRACTITIONER),
        (Role.PHYSICIAN_ASSISTANT, "Marcus", "Bell", LicenceType.PHYSICIAN_ASSISTANT),
        (Role.REGISTERED_NURSE, "Lucia", "Alvarez", LicenceType.REGISTERED_NURSE),
        (Role.ESTHETICIAN, "Hannah", "Nguyen", LicenceType.ESTHETICIAN),
        (Role.FRONT_DESK, "Jordan", "Price", None),
        (Role.CLINIC_ADMIN, "Beatriz", "Costa", None),
    ),
}

DEVICES = {
    "harbour": (
        (DeviceKind.PEN, "SkinPen Precision", "SP-24-0113", "2.50"),
        (DeviceKind.PEN, "Dermapen 4", "DP4-88231", "3.00"),
        (DeviceKind.ROLLER, "Dermaroller MC 905", "DR-905-017", "0.50"),
        (DeviceKind.CENTRIFUGE, "EBA 200 PRP centrifuge", "EBA-200-5521", None),
    ),
    "sunset": (
        (DeviceKind.PEN, "SkinPen Precision", "SP-25-2210", "2.50"),
        (DeviceKind.PEN, "SkinPen Precision", "SP-25-2211", "2.50"),
        (DeviceKind.PEN, "Eclipse MicroPen Elite", "MPE-30419", "2.50"),
        (DeviceKind.CENTRIFUGE, "Drucker 642VES centrifuge", "DRK-642-7781", None),
    ),
}

# (kind, name, manufacturer, intradermal use, reorder threshold)
PRODUCTS = (
    (
        ProductKind.NEEDLE_CARTRIDGE,
        "SkinPen 14-pin sterile cartridge",
        "Crown Aesthetics",
        False,
        10,
    ),
    (ProductKind.SERUM, "Sterile hyaluronic acid glide gel", "Crown Aesthetics", True, 8),
    (ProductKind.ANAESTHETIC, "Lidocaine 4% cream", "Ferndale", False, 4),
    (ProductKind.PRP_KIT, "PRP preparation kit 11 mL", "EmCyte", True, 3),
    (ProductKind.AFTERCARE, "Mineral sunscreen SPF 50", "EltaMD", False, 6),
)
# (product index, lot suffix, days from load day to expiry, received, uses): one lot
# of each kind is comfortable; the extras show the register's warnings.
LOTS = (
    (0, "A", 300, 60, 4),
    (0, "B", 20, 15, 2),  # expires within 30 days
    (1, "A", 240, 20, 3),
    (2, "A", 180, 6, 1),
    (2, "X", -5, 3, 0),  # expired, still on the shelf
    (3, "A", 120, 3, 1),  # low stock
    (4, "A", 400, 30, 3),
)


GIVEN_NAMES = {
    "female": (
        "Olivia",
        "Amelia",
        "Isla",
        "Ava",
        "Mia",
        "Sofia",
        "Grace",
        "Zara",
        "Leah",
        "Maya",
        "Noor",
        "Aisha",
        "Chen",
        "Yuki",
        "Elena",
        "Camila",
        "Fatima",
        "Ingrid",
        "Lucy",
        "Rosa",
    ),
    "male": (
        "James",
        "Leo",
        "Noah",
        "Arjun",
        "Mateo",
        "Kwame",
        "Liam",
        "Omar",
        "Hiro",
        "Ethan",
    ),
}
FAMILY_NAMES = (
    "Smith",
    "Patel",
    "Jones",
    "Garcia",
    "Williams",
    "Nguyen",
    "Brown",
    "Kowalski",
    "Taylor",
    "Hernandez",
    "Wilson",
    "Okonkwo",
    "Davies",
    "Rossi",
    "Evans",
    "Kim",
    "Thomas",
    "Haddad",
    "Johnson",
    "Silva",
    "Roberts",
    "Mensah",
    "Walker",
    "Tanaka",
    "Wright",
    "Lopez",
    "Hall",
)


# Closed every year (from this year on) in both demo clinics.
DEMO_CLOSURES_FROM = 2025
YEARLY_CLOSURES = [
    (12, 25, "Christmas Day"),
    (12, 26, "Boxing Day"),
    (1, 1, "New Year's Day"),
]


def _username(clinic_key: str, role: str) -> str:
    return f"{clinic_key}.{role.replace('_', '-')}"


def _ensure_user(
    username: str, role: str, clinic: Clinic, first: str, last: str, email: str
) -> User:
    user, created = User.objects.update_or_create(
        username=username,
        defaults={
            "role": role,
            "clinic": clinic,
            "first_name": first,
            "last_name": last,
            "email": email,
            "is_active": True,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _birth_date(rng: random.Random, age: int) -> datetime.date:
    days_into_year = rng.randrange(0, 365)
    return DEMO_REFERENCE_DAY.replace(year=DEMO_REFERENCE_DAY.year - age - 1) + datetime.timedelta(
        days=days_into_year + 1
    )


def _load_clinic(spec: DemoClinic, rng: random.Random, today: datetime.date) -> dict[str, int]:
    from cit.clinic.appointments.schedule_index import note_setup_changed

    clinic, _ = Clinic.objects.update_or_create(
        name=spec.name,
        defaults={
            "timezone": spec.timezone,
            "record_number_prefix": spec.prefix,
            "address": spec.address,
            "phone": spec.phone,
            "email": f"hello@{spec.key}.example",
            "date_order": spec.date_order,
        },
    )
    for weekday, opens, closes in spec.hours:
        OpeningHours.objects.update_or_create(
            clinic=clinic, weekday=weekday, opens=opens, defaults={"closes": closes}
        )
    for room_name in spec.rooms:
        Room.objects.get_or_create(clinic=clinic, name=room_name)
    # Holidays before any booking, so the demo never books on them.
    for month, day, name in YEARLY_CLOSURES:
        ClosureDay.objects.get_or_create(
            clinic=clinic,
            date=datetime.date(DEMO_CLOSURES_FROM, month, day),
            archived_at=None,
            defaults={"name": name, "repeats_yearly": True},
        )
    for kind, model, serial, depth in DEVICES[spec.key]:
        Device.objects.update_or_create(
            clinic=clinic,
            serial_number=serial,
            defaults={"kind": kind, "model": model, "max_depth_mm": depth},
        )
    for index, (role, first, last, licence) in enumerate(STAFF[spec.key]):
        username = _username(spec.key, role)
        user = _ensure_user(username, role, clinic, first, last, f"{username}@{spec.key}.example")
        if licence is not None:
            Provider.objects.update_or_create(
                user=user,
                defaults={
                    "clinic": clinic,
                    "licence_type": licence,
                    "licence_number": f"{spec.prefix}-{licence.upper()}-{1000 + index}",
                    "licence_expires_on": datetime.date(2027 + index % 3, 3 + index, 28),
                },
            )
    # Written without the set-up actions: a running server's scheduling index must see it.
    note_setup_changed(clinic.pk)
    patients = _load_patients(spec, clinic, rng)
    _load_consent_forms(spec, clinic, today)
    _load_intakes(spec, clinic, today)
    _load_lots(spec, clinic, today)
    booked = _load_appointments(spec, clinic, today)
    return {"patients": patients, "series": booked}


DEMO_CONSENT = {
    "microneedling": (
        "Consent to micro-needling (collagen induction therapy)",
        "I have been told what micro-needling is and what it is for: fine needles make tiny "
        "channels in the skin to start its repair. I understand the usual effects (redness "
        "and swelling for a few days, pinpoint bleeding, tightness and flaking) and the "
        "uncommon risks (infection, cold-sore outbreak, changes in skin colour, scarring). "
        "I have answered the health questions truthfully, I will follow the aftercare, and "
        "I know I can stop at any time. I agree to be treated.",
    ),
    "microneedling_prp": (
        "Consent to micro-needling with platelet-rich plasma (PRP)",
        "Besides the effects and risks of micro-needling, I understand that a small sample "
        "of my blood will be drawn and spun to prepare the plasma applied to my skin, and "
        "that bruising where the blood is drawn and, rarely, infection may follow. I have "
        "answered the health questions truthfully and I agree to be treated.",
    ),
}


def _load_consent_forms(spec: DemoClinic, clinic: Clinic, today: datetime.date) -> None:
    """A published consent form per procedure, so demo sessions can start; kept on reload."""
    from cit.clinic.charting.consent import do_publish_consent_form
    from cit.clinic.charting.models import ConsentForm

    physician = User.objects.get(username=_username(spec.key, Role.PHYSICIAN))
    for procedure, (title, body) in DEMO_CONSENT.items():
        if not ConsentForm.objects.filter(clinic=clinic, procedure=procedure).exists():
            do_publish_consent_form(
                actor=physician,
                clinic=clinic,
                procedure=procedure,
                title=title,
                body=body,
                effective_on=today - datetime.timedelta(days=30),
            )


def _load_intakes(spec: DemoClinic, clinic: Clinic, today: datetime.date) -> None:
    """Version 1 of each demo patient's intake, screened for today; kept on reload."""
    clinic_index = CLINICS.index(spec)
    for patient in Patient.objects.filter(clinic=clinic, intakes__isnull=True):
        number = int(patient.record_number.removeprefix(spec.prefix))
        data = demo_intake(
            clinic_index,
            number,
            patient.birth_date,
            patient.sex,
            patient.fitzpatrick_type or 3,
            today,
        )
        if data["sex"] != patient.sex:
            Patient.objects.filter(pk=patient.pk).update(sex=data["sex"])
        do_record_intake(
            actor=None, patient=patient, data=data, source=IntakeSource.DEMO, today=today
        )


def _load_lots(spec: DemoClinic, clinic: Clinic, today: datetime.date) -> None:
    products = []
    for kind, name, manufacturer, intradermal, threshold in PRODUCTS:
        product, _ = Product.objects.update_or_create(
            clinic=clinic,
            kind=kind,
            name=name,
            defaults={
                "manufacturer": manufacturer,
                "intradermal_use": intradermal,
                "low_stock_threshold": threshold,
            },
        )
        products.append(product)
    nurse = User.objects.get(username=_username(spec.key, Role.REGISTERED_NURSE))
    patients = list(Patient.objects.filter(clinic=clinic).order_by("record_number")[:8])
    for index, (product_index, suffix, days_to_expiry, received, uses) in enumerate(LOTS):
        product = products[product_index]
        expires_on = today + datetime.timedelta(days=days_to_expiry)
        lot, _ = Lot.objects.update_or_create(
            product=product,
            lot_number=f"{spec.prefix}-{product.kind[:3].upper()}-{suffix}",
            defaults={
                "expires_on": expires_on,
                "received_on": min(today, expires_on) - datetime.timedelta(days=90),
                "quantity_received": received,
                "quantity_on_hand": received,
            },
        )
        for use_number in range(uses):
            LotUse.objects.get_or_create(
                lot=lot,
                patient=patients[(index + use_number) % len(patients)],
                used_on=lot.received_on + datetime.timedelta(days=7 * (use_number + 1)),
                defaults={"quantity": 1, "recorded_by": nurse},
            )
        used = sum(lot.uses.values_list("quantity", flat=True))
        Lot.objects.filter(pk=lot.pk).update(quantity_on_hand=received - used)


def _load_patients(spec: DemoClinic, clinic: Clinic, rng: random.Random) -> int:
    for number in range(1, PATIENTS_PER_CLINIC + 1):
        sex = "female" if rng.random() < 0.75 else "male"
        given = rng.choice(GIVEN_NAMES[sex])
        family = rng.choice(FAMILY_NAMES)
        age = YOUNG_AGES.get(number) or rng.randrange(22, 75)
        record_number = f"{spec.prefix}{number:06d}"
        patient, _ = Patient.objects.update_or_create(
            clinic=clinic,
            record_number=record_number,
            defaults={
                "given_name": given,
                "family_name": family,
                "birth_date": _birth_date(rng, age),
                "sex": sex,
                "fitzpatrick_type": rng.randrange(1, 7),
                "email": f"{given.lower()}.{family.lower()}{number}@mail.example",
                "phone": f"{spec.phone[:-4]}{rng.randrange(1000, 9999)}",
            },
        )
        if number == 1:
            portal = _ensure_user(
                f"{spec.key}.patient", Role.PATIENT, clinic, given, family, patient.email
            )
            if patient.portal_user_id != portal.pk:
                patient.portal_user = portal
                patient.save(update_fields=["portal_user"])
    # Keep the MRN counter ahead of the demo numbers so new registrations never collide.
    Clinic.objects.filter(pk=clinic.pk, last_record_number__lt=PATIENTS_PER_CLINIC).update(
        last_record_number=PATIENTS_PER_CLINIC
    )
    return PATIENTS_PER_CLINIC


# Patients (by number) whose first accepted series is booked, so the calendars are not empty.
BOOKED_PATIENTS = (1, 2, 3, 4, 5, 7, 8, 9, 10, 11)
# Patients (by number) who get a consultation booked instead.
CONSULTATION_PATIENTS = (12, 13)


def _load_appointments(spec: DemoClinic, clinic: Clinic, today: datetime.date) -> int:
    """Accept a plan and book its first series for a handful of demo patients; patients who
    already have a booking are left alone, so reloading books nothing twice."""
    from cit.clinic.appointments.booking import do_book_proposal
    from cit.clinic.appointments.consultations import propose_consultation
    from cit.clinic.appointments.models import SeriesBooking
    from cit.clinic.appointments.proposals import propose_series
    from cit.clinic.plans.actions import do_accept_plan, propose_plan
    from cit.clinic.plans.models import TreatmentPlanRecord
    from cit.protocol.adjust import SeriesAdjustment
    from cit.protocol.planning import PlanningError, PlanRefused
    from cit.protocol.stored import Series

    physician = User.objects.get(username=_username(spec.key, Role.PHYSICIAN))
    desk = User.objects.get(username=_username(spec.key, Role.FRONT_DESK))
    # Proposals start from the beginning of the load day, not the wall clock, so a reload on
    # the same day proposes the same times.
    start_of_day = datetime.datetime.combine(today, datetime.time(0), tzinfo=clinic.tzinfo)
    for offset, number in enumerate(BOOKED_PATIENTS):
        patient = Patient.objects.get(clinic=clinic, record_number=f"{spec.prefix}{number:06d}")
        if SeriesBooking.objects.filter(patient=patient).exists():
            continue
        plan = TreatmentPlanRecord.objects.filter(patient=patient).first()
        if plan is None:
            first = today + datetime.timedelta(days=1 + offset % 5)
            try:
                intake, proposal = propose_plan(patient, first)
            except (PlanRefused, PlanningError):
                continue  # screening refers this patient: nothing to book
            adjustments = [
                SeriesAdjustment(
                    sessions=series.sessions,
                    interval_target_weeks=series.interval_weeks.target,
                    first_session=first,
                )
                for series in map(Series.from_dict, proposal["series"])
            ]
            plan = do_accept_plan(
                actor=physician,
                patient=patient,
                intake=intake,
                proposal=proposal,
                adjustments=adjustments,
                today=today,
            )
        proposals = propose_series(plan=plan, series_index=0, now=start_of_day, actor=desk)
        if proposals.tokens:
            do_book_proposal(actor=desk, token=proposals.tokens[0], clinic=clinic, now=start_of_day)
    # New patients come to a consultation first, before any plan.
    for number in CONSULTATION_PATIENTS:
        patient = Patient.objects.get(clinic=clinic, record_number=f"{spec.prefix}{number:06d}")
        if SeriesBooking.objects.filter(patient=patient).exists():
            continue
        consultation = propose_consultation(
            clinic=clinic, patient=patient, now=start_of_day, actor=desk
        )
        if consultation.alternatives:
            do_book_proposal(
                actor=desk,
                token=consultation.alternatives[0].token,
                clinic=clinic,
                now=start_of_day,
            )
    return SeriesBooking.objects.filter(clinic=clinic).count()


@transaction.atomic
def load_demo(today: datetime.date | None = None) -> str:
    """Load or refresh the demo; lot expiry dates are set relative to ``today``."""
    rng = random.Random(DEMO_SEED)
    today = today or datetime.date.today()
    lines = []
    for spec in CLINICS:
        counts = _load_clinic(spec, rng, today)
        lines.append(
            f"{spec.name} ({spec.timezone}): {counts['patients']} patients, "
            f"{counts['series']} booked series"
        )
    return "Demo data loaded:\n  " + "\n  ".join(lines)


def demo_log_ins() -> str:
    rows = [f"Demo log-ins (password for all: {DEMO_PASSWORD})"]
    for spec in CLINICS:
        rows.append(f"  {spec.name}:")
        for role, *_ in STAFF[spec.key]:
            rows.append(f"    {Role(role).label:<22} {_username(spec.key, role)}")
        rows.append(f"    {'Patient (portal)':<22} {spec.key}.patient")
    return "\n".join(rows)
