"""Per resource type: the capability that reads it, the rows in a user's scope, the search
parameters it takes and how each filters, and the mapping that builds the resources.

Rows are always limited to one clinic, and for a patient (portal role) to their own record,
before any parameter is applied: a resource outside the scope is simply not found.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery

from cit.clinic.accounts.models import Provider
from cit.clinic.accounts.permissions import Capability
from cit.clinic.appointments.models import Appointment
from cit.clinic.audit.models import AuditEvent
from cit.clinic.charting.models import ConsentSignature, SessionNote
from cit.clinic.facilities.models import Clinic, Device, Room
from cit.clinic.intake.models import IntakeRecord
from cit.clinic.outcomes.models import OutcomeRating
from cit.clinic.patients.models import Patient
from cit.clinic.photos.models import Photo, PhotoConsent
from cit.clinic.plans.models import TreatmentPlanRecord
from cit.interop.fhir_elements import prefixed_number
from cit.interop.fhir_search import DateBound, SearchError, parse_date, parse_reference

from . import care, directory, intake, outcomes, photos, records
from .care import APPOINTMENT_STATUS

COMMON_PARAMETERS = frozenset({"_id", "_count", "_offset"})


@dataclass(frozen=True, slots=True)
class Scope:
    """One clinic; ``patient_ids`` None is every patient of it (staff), else only these."""

    clinic_id: int
    patient_ids: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class Query:
    """The parsed search: each field None when the parameter was not given."""

    ids: tuple[str, ...] | None = None
    patient_id: int | None = None
    dates: tuple[DateBound, ...] = ()
    updated: tuple[DateBound, ...] = ()
    statuses: tuple[str, ...] | None = None
    # Type-specific parameters (ResourceType.extra_parameters): name -> raw values.
    extra: tuple[tuple[str, str], ...] = ()


def _bound_q(path: str, bound: DateBound, is_date: bool) -> Q:
    start: Any = bound.start
    end: Any = bound.end
    if is_date:
        # A DateField holds days: compare with the days the bounds fall on (UTC for instants
        # given with a zone, the clinic's day otherwise; see search.parse_date).
        start, end = bound.start.date(), bound.end.date()
        if bound.end.time() != datetime.time(0, 0):
            end = end + datetime.timedelta(days=1)
    inside = Q(**{f"{path}__gte": start, f"{path}__lt": end})
    return {
        "eq": inside,
        "ne": ~inside,
        "ge": Q(**{f"{path}__gte": start}),
        "gt": Q(**{f"{path}__gte": end}),
        "le": Q(**{f"{path}__lt": end}),
        "lt": Q(**{f"{path}__lt": start}),
    }[bound.prefix]


@dataclass(frozen=True)
class ResourceType:
    """A type whose resources are rows (one row, one resource)."""

    name: str
    capability: Capability
    rows: Callable[[Scope], QuerySet[Any]]
    build: Callable[[list[Any]], list[dict[str, Any]]]
    patient_path: str | None = None
    date_path: str | None = None
    date_is_day: bool = False
    updated_path: str | None = None
    # FHIR status code -> the rows that have it.
    status_filter: Mapping[str, Q] = field(default_factory=dict)
    # Exported at the Patient and Group levels (the patient compartment).
    patient_compartment: bool = True
    # Further search parameters of the type: name -> (raw value -> rows filter).
    extra_parameters: Mapping[str, Callable[[str], Q]] = field(default_factory=dict)

    @property
    def parameters(self) -> frozenset[str]:
        names = set(COMMON_PARAMETERS)
        if self.patient_path and self.name != "Patient":
            names.add("patient")
        if self.date_path:
            names.add("date")
        if self.updated_path:
            names.add("_lastUpdated")
        if self.status_filter:
            names.add("status")
        return frozenset(names | set(self.extra_parameters))

    def filtered(self, scope: Scope, query: Query) -> QuerySet[Any]:
        rows = self.rows(scope)
        if query.ids is not None:
            numeric = [int(i) for i in query.ids if i.isdigit() and len(i) < 18]
            rows = rows.filter(pk__in=numeric)
        if query.patient_id is not None and self.patient_path:
            rows = rows.filter(**{self.patient_path: query.patient_id})
        for bound in query.dates:
            assert self.date_path
            rows = rows.filter(_bound_q(self.date_path, bound, self.date_is_day))
        for bound in query.updated:
            assert self.updated_path
            rows = rows.filter(_bound_q(self.updated_path, bound, False))
        for name, raw in query.extra:
            rows = rows.filter(self.extra_parameters[name](raw))
        if query.statuses is not None:
            wanted = Q(pk__in=[])
            for status in query.statuses:
                if status not in self.status_filter:
                    raise SearchError(
                        f"'{status}' is not a {self.name} status CIT records; use one of: "
                        f"{', '.join(sorted(self.status_filter))}."
                    )
                wanted |= self.status_filter[status]
            rows = rows.filter(wanted)
        return rows

    def search(
        self, scope: Scope, query: Query, offset: int, count: int
    ) -> tuple[int, list[dict[str, Any]], list[Any]]:
        """(total, the page's resources, the page's rows)."""
        rows = self.filtered(scope, query)
        total = rows.count()
        page = list(rows[offset : offset + count]) if count else []
        return total, self.build(page), page

    def read(self, scope: Scope, resource_id: str) -> tuple[dict[str, Any], Any] | None:
        if not resource_id.isdigit() or len(resource_id) > 18:
            return None
        row = self.rows(scope).filter(pk=int(resource_id)).first()
        return (self.build([row])[0], row) if row is not None else None

    def since(self, scope: Scope, moment: datetime.datetime | None) -> Iterable[dict[str, Any]]:
        """Every resource in scope, changed at or after ``moment`` where the type records
        changes (bulk export's ``_since``), built in chunks."""
        rows = self.rows(scope)
        if moment is not None and self.updated_path:
            rows = rows.filter(**{f"{self.updated_path}__gte": moment})
        chunk: list[Any] = []
        for row in rows.iterator(chunk_size=200):
            chunk.append(row)
            if len(chunk) == 200:
                yield from self.build(chunk)
                chunk = []
        if chunk:
            yield from self.build(chunk)


@dataclass(frozen=True)
class IntakeDerivedType(ResourceType):
    """A type read out of the latest questionnaire version of each patient: one intake row
    gives several resources, so ids, status and paging are applied to the resources."""

    status_of: Callable[[dict[str, Any]], str | None] = lambda _resource: None
    statuses: frozenset[str] = frozenset()
    # The rows a read by id may reach (default: ``rows``); an older questionnaire version
    # is read by id though search gives the latest.
    readable_rows: Callable[[Scope], QuerySet[Any]] | None = None

    @property
    def parameters(self) -> frozenset[str]:
        names = super().parameters
        return names | {"status"} if self.statuses else names

    def filtered(self, scope: Scope, query: Query) -> QuerySet[Any]:
        plain = Query(
            patient_id=query.patient_id, dates=query.dates, updated=query.updated
        )  # ids and status are the resources'
        return super().filtered(scope, plain)

    def search(
        self, scope: Scope, query: Query, offset: int, count: int
    ) -> tuple[int, list[dict[str, Any]], list[Any]]:
        for status in query.statuses or ():
            if status not in self.statuses:
                raise SearchError(
                    f"'{status}' is not a {self.name} status CIT records; use one of: "
                    f"{', '.join(sorted(self.statuses))}."
                )
        rows = list(self.filtered(scope, query))
        matched: list[tuple[dict[str, Any], Any]] = []
        for row in rows:
            for resource in self.build([row]):
                if query.ids is not None and resource["id"] not in query.ids:
                    continue
                if query.statuses is not None and self.status_of(resource) not in query.statuses:
                    continue
                matched.append((resource, row))
        page = matched[offset : offset + count]
        return len(matched), [r for r, _ in page], [row for _, row in page]

    def read(self, scope: Scope, resource_id: str) -> tuple[dict[str, Any], Any] | None:
        record_id = resource_id.split("-", 1)[0]
        if not record_id.isdigit() or len(record_id) > 18:
            return None
        rows = (self.readable_rows or self.rows)(scope)
        row = rows.filter(pk=int(record_id)).first()
        if row is None:
            return None
        for resource in self.build([row]):
            if resource["id"] == resource_id:
                return resource, row
        return None


@dataclass(frozen=True)
class PrefixedIdType(ResourceType):
    """A type whose resource ids are ``<prefix><row id>`` (keeps them apart from another
    source of the same resource type)."""

    id_prefix: str = ""

    def _row_id(self, resource_id: str) -> int | None:
        return prefixed_number(resource_id, self.id_prefix)

    def filtered(self, scope: Scope, query: Query) -> QuerySet[Any]:
        if query.ids is None:
            return super().filtered(scope, query)
        numbers = [n for n in (self._row_id(i) for i in query.ids) if n is not None]
        rows = super().filtered(scope, replace(query, ids=None))
        return rows.filter(pk__in=numbers)

    def read(self, scope: Scope, resource_id: str) -> tuple[dict[str, Any], Any] | None:
        number = self._row_id(resource_id)
        if number is None:
            return None
        row = self.rows(scope).filter(pk=number).first()
        return (self.build([row])[0], row) if row is not None else None


@dataclass(frozen=True)
class CombinedType(ResourceType):
    """One resource type from several sources (``parts``, each with ids of its own): search
    pages through the parts in order, read asks each part. ``rows`` and ``build`` are the
    first part's and are not used."""

    parts: tuple[ResourceType, ...] = ()

    @property
    def parameters(self) -> frozenset[str]:
        return frozenset().union(*(part.parameters for part in self.parts))

    def search(
        self, scope: Scope, query: Query, offset: int, count: int
    ) -> tuple[int, list[dict[str, Any]], list[Any]]:
        total = 0
        resources: list[dict[str, Any]] = []
        rows: list[Any] = []
        for part in self.parts:
            wanted = max(0, count - len(resources))
            part_total, part_resources, part_rows = part.search(
                scope, query, max(0, offset - total), wanted
            )
            total += part_total
            resources += part_resources
            rows += part_rows
        return total, resources, rows

    def read(self, scope: Scope, resource_id: str) -> tuple[dict[str, Any], Any] | None:
        for part in self.parts:
            found = part.read(scope, resource_id)
            if found is not None:
                return found
        return None

    def since(self, scope: Scope, moment: datetime.datetime | None) -> Iterable[dict[str, Any]]:
        for part in self.parts:
            yield from part.since(scope, moment)


def _from_intake(name: str, statuses: frozenset[str]) -> IntakeDerivedType:
    return IntakeDerivedType(
        name,
        Capability.CLINICAL_VIEW,
        rows=intake_records,
        readable_rows=lambda scope: intake_records(scope, latest_only=False),
        build=_intake_builder(name),
        patient_path="patient_id",
        date_path="recorded_at",
        updated_path="recorded_at",
        status_of=lambda resource: resource.get("status"),
        statuses=statuses,
    )


def _photos_for_the_record(scope: Scope) -> QuerySet[Photo]:
    """Photos not archived, of patients whose latest photo consent allows the record."""
    latest_consent_allows_record = (
        PhotoConsent.objects.filter(patient=OuterRef("patient"))
        .order_by("-id")
        .values("record")[:1]
    )
    rows: QuerySet[Photo] = (
        _of_patients(Photo, scope)
        .filter(archived_at__isnull=True)
        .annotate(record_allowed=Subquery(latest_consent_allows_record))
        .filter(record_allowed=True)
        .select_related("uploaded_by__provider", "session_note")
        .order_by("taken_on", "pk")
    )
    return rows


def _providers(scope: Scope) -> QuerySet[Provider]:
    """The clinic's providers: Practitioner and PractitionerRole are two views of them."""
    return Provider.objects.filter(clinic_id=scope.clinic_id).select_related("user").order_by("pk")


def _clinic(scope: Scope) -> QuerySet[Clinic]:
    """The clinic itself: as an Organization and as the Group of its patients."""
    return Clinic.objects.filter(pk=scope.clinic_id).order_by("pk")


def _patients(scope: Scope) -> QuerySet[Patient]:
    rows = Patient.objects.filter(clinic_id=scope.clinic_id)
    if scope.patient_ids is not None:
        rows = rows.filter(pk__in=scope.patient_ids)
    return rows


def _of_patients(model: Any, scope: Scope) -> QuerySet[Any]:
    rows: QuerySet[Any] = model.objects.filter(patient__clinic_id=scope.clinic_id)
    if scope.patient_ids is not None:
        rows = rows.filter(patient_id__in=scope.patient_ids)
    return rows


def intake_records(scope: Scope, *, latest_only: bool = True) -> QuerySet[IntakeRecord]:
    rows = _of_patients(IntakeRecord, scope)
    if latest_only:
        newest = (
            IntakeRecord.objects.filter(patient=OuterRef("patient"))
            .values("patient")
            .annotate(top=Max("version"))
            .values("top")
        )
        rows = rows.filter(version=Subquery(newest))
    return rows.order_by("patient_id", "pk")


def _intake_builder(name: str) -> Callable[[list[Any]], list[dict[str, Any]]]:
    def build(rows: list[Any]) -> list[dict[str, Any]]:
        resources: list[dict[str, Any]] = []
        for row in rows:
            parsed = intake.parsed(row)
            if parsed is not None:
                resources.extend(intake.BUILDERS[name](row, parsed))
        return resources

    return build


def _each(mapping: Callable[[Any], dict[str, Any]]) -> Callable[[list[Any]], list[dict[str, Any]]]:
    return lambda rows: [mapping(row) for row in rows]


def _identifier(raw: str) -> Q:
    """``<system>|<value>``, ``|<value>`` or ``<value>``: a record number (MRN)."""
    system, bar, value = raw.rpartition("|")
    if not value:
        raise SearchError("identifier needs a value (e.g. identifier=TC000001).")
    if bar and system:
        clinic_id = directory.clinic_of_mrn_system(system)
        if clinic_id is None:
            return Q(pk__in=[])
        return Q(record_number=value, clinic_id=clinic_id)
    return Q(record_number=value)


def _birthdate(raw: str) -> Q:
    bound = parse_date(raw, datetime.UTC)
    return _bound_q("birth_date", bound, is_date=True)


_ACTIVE = {"active": Q(archived_at__isnull=True), "inactive": Q(archived_at__isnull=False)}
_APPOINTMENT_STATUS_Q: dict[str, Q] = {}
for _ours, _fhir in APPOINTMENT_STATUS.items():
    _APPOINTMENT_STATUS_Q[_fhir] = _APPOINTMENT_STATUS_Q.get(_fhir, Q(pk__in=[])) | Q(status=_ours)

TYPES: dict[str, ResourceType] = {
    t.name: t
    for t in (
        ResourceType(
            "Patient",
            Capability.PATIENT_VIEW,
            rows=lambda scope: _patients(scope).select_related("clinic").order_by("pk"),
            build=_each(directory.patient),
            patient_path="pk",
            updated_path="updated_at",
            extra_parameters={"identifier": _identifier, "birthdate": _birthdate},
        ),
        ResourceType(
            "Organization",
            Capability.CLINIC_VIEW,
            rows=_clinic,
            build=_each(directory.organization),
            patient_compartment=False,
        ),
        ResourceType(
            "Group",
            Capability.PATIENT_LIST,
            rows=_clinic,
            build=_each(directory.patient_group),
            patient_compartment=False,
        ),
        ResourceType(
            "Practitioner",
            Capability.CLINIC_VIEW,
            rows=_providers,
            build=_each(directory.practitioner),
            status_filter={},
            patient_compartment=False,
        ),
        ResourceType(
            "PractitionerRole",
            Capability.CLINIC_VIEW,
            rows=_providers,
            build=_each(directory.practitioner_role),
            patient_compartment=False,
        ),
        ResourceType(
            "Location",
            Capability.CLINIC_VIEW,
            rows=lambda scope: Room.objects.filter(clinic_id=scope.clinic_id).order_by("pk"),
            build=_each(directory.location),
            status_filter=_ACTIVE,
            patient_compartment=False,
        ),
        ResourceType(
            "Device",
            Capability.CLINIC_VIEW,
            rows=lambda scope: Device.objects.filter(clinic_id=scope.clinic_id).order_by("pk"),
            build=_each(directory.device),
            status_filter=_ACTIVE,
            patient_compartment=False,
        ),
        ResourceType(
            "Appointment",
            Capability.SCHEDULE_VIEW,
            rows=lambda scope: (
                _of_patients(Appointment, scope)
                .select_related("series", "room", "provider__user")
                .order_by("start", "pk")
            ),
            build=_each(care.appointment),
            patient_path="patient_id",
            date_path="start",
            updated_path="updated_at",
            status_filter=_APPOINTMENT_STATUS_Q,
        ),
        ResourceType(
            "Procedure",
            Capability.CLINICAL_VIEW,
            rows=lambda scope: (
                _of_patients(SessionNote, scope)
                .filter(signed_at__isnull=False)
                .select_related(
                    "started_by__provider",
                    "signed_by__provider",
                    "appointment__series",
                    "appointment__room",
                )
                .prefetch_related(
                    "zones",
                    "amendments__amended_by__provider",
                    "products__lot_use__lot__product",
                )
                .order_by("session_date", "pk")
            ),
            build=_each(care.procedure),
            patient_path="patient_id",
            date_path="session_date",
            date_is_day=True,
            updated_path="signed_at",
            status_filter={"completed": Q()},
        ),
        IntakeDerivedType(
            "CarePlan",
            Capability.CLINICAL_VIEW,
            rows=lambda scope: (
                _of_patients(TreatmentPlanRecord, scope)
                .select_related("accepted_by__provider")
                .prefetch_related("sessions")
                .order_by("accepted_at", "pk")
            ),
            build=care.care_plans,
            patient_path="patient_id",
            date_path="accepted_at",
            updated_path="accepted_at",
            status_of=lambda resource: resource["status"],
            statuses=frozenset({"active", "revoked"}),
        ),
        ResourceType(
            "Consent",
            Capability.CLINICAL_VIEW,
            rows=lambda scope: (
                _of_patients(ConsentSignature, scope)
                .select_related("form", "witnessed_by__provider")
                .order_by("signed_at", "pk")
            ),
            build=_each(care.consent),
            patient_path="patient_id",
            date_path="signed_at",
            updated_path="signed_at",
            status_filter={"active": Q()},
        ),
        ResourceType(
            "QuestionnaireResponse",
            Capability.CLINICAL_VIEW,
            rows=lambda scope: (
                _of_patients(IntakeRecord, scope)
                .select_related("recorded_by__provider")
                .order_by("recorded_at", "pk")
            ),
            build=_each(intake.questionnaire_response),
            patient_path="patient_id",
            date_path="recorded_at",
            updated_path="recorded_at",
            status_filter={"completed": Q()},
        ),
        ResourceType(
            "Provenance",
            Capability.CLINICAL_VIEW,
            rows=lambda scope: (
                _of_patients(SessionNote, scope)
                .filter(signed_at__isnull=False)
                .select_related("started_by__provider", "signed_by__provider")
                .prefetch_related("amendments__amended_by__provider")
                .order_by("signed_at", "pk")
            ),
            build=_each(records.provenance),
            patient_path="patient_id",
            date_path="signed_at",
            updated_path="signed_at",
        ),
        ResourceType(
            "AuditEvent",
            Capability.AUDIT_VIEW,
            rows=lambda scope: (
                AuditEvent.objects.filter(clinic_id=scope.clinic_id)
                .select_related("actor__provider")
                .order_by("at", "pk")
            ),
            build=_each(records.audit_event),
            patient_path="patient_id",
            date_path="at",
            updated_path="at",
            patient_compartment=False,
        ),
        *(
            _from_intake(name, statuses)
            for name, statuses in (
                ("Condition", frozenset()),
                ("MedicationStatement", frozenset({"active", "stopped", "unknown"})),
                ("AllergyIntolerance", frozenset()),
            )
        ),
        CombinedType(
            "Observation",
            Capability.CLINICAL_VIEW,
            rows=intake_records,
            build=_intake_builder("Observation"),
            patient_path="patient_id",
            parts=(
                _from_intake("Observation", frozenset({"final"})),
                PrefixedIdType(
                    "Observation",
                    Capability.CLINICAL_VIEW,
                    rows=lambda scope: (
                        _of_patients(OutcomeRating, scope)
                        .select_related("instrument", "rated_by__provider", "session_note")
                        .order_by("rated_on", "pk")
                    ),
                    build=_each(outcomes.outcome_observation),
                    patient_path="patient_id",
                    date_path="rated_on",
                    date_is_day=True,
                    updated_path="recorded_at",
                    status_filter={"final": Q()},
                    id_prefix=outcomes.ID_PREFIX,
                ),
            ),
        ),
        ResourceType(
            "Media",
            Capability.CLINICAL_VIEW,
            rows=_photos_for_the_record,
            build=_each(photos.media),
            patient_path="patient_id",
            date_path="taken_on",
            date_is_day=True,
            updated_path="uploaded_at",
            status_filter={"completed": Q()},
        ),
    )
}


def parse_patient(raw: str) -> int:
    return parse_reference(raw, "Patient")
