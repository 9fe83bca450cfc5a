"""A FHIR R4 Bundle in, a protocol :class:`~cit.protocol.model.Intake` out.

Reads a Bundle of type ``collection``, ``transaction`` or ``searchset`` as EHRs send them:
codes and/or only display text. It is validated with the ``fhir.resources`` R4B models first
(they check structure and types; code bindings are ours to check), and every error names the
entry index and the path, e.g. ``entry[2].resource.birthDate: ...``.

Used resources: Patient (birth date, gender), Condition (code, clinicalStatus,
verificationStatus, onset, abatement, bodySite), MedicationStatement and MedicationRequest
(medication code/reference, status, intent, effective / bounds / validity periods, dispense
supply, route), Medication (when referenced), AllergyIntolerance, Observation (pregnancy status
LOINC 82810-3, breastfeeding status LOINC 63895-7) and Procedure (earlier peels,
microdermabrasion, lasers).

Decisions, for real-world bundles:

* Other *valid* FHIR resource types (Encounter, Practitioner, vital signs...) are ignored and
  listed in :attr:`FhirIntake.warnings`; a resourceType that is not FHIR R4 at all is an
  error. An empty bundle, or one without exactly one Patient, is an error; so is a searchset
  with a ``next`` link (one page of a longer result: screening part of the record is wrong).
* Entered-in-error, refuted, not-taken, cancelled and not-done resources are skipped (with a
  warning); resolved or inactive allergies too; a MedicationRequest with doNotPerform too.
* Medicines are read as CLINICAL.md v2 says when one is in use: intended, on-hold and draft
  count as in use, completed/stopped without a date count as in use ("stopped, date
  unknown"), an unknown status is no status; see :meth:`_BundleReader.medication`.
* A pregnancy status valued "unknown" (or without a value) sets ``pregnancy_unknown``.
* A statement that cannot be mapped (an unreadable pregnancy value, a procedure without a
  date, a condition with neither a known code system nor text) becomes an ``unmapped`` fact,
  which screening lists as unrecognised: nothing is dropped silently.
* Partial dates take the conservative end: a last dose "2024-06" is 30 June 2024.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from cit.interop.body_sites import BodySites
from cit.interop.fhir_client import next_link
from cit.protocol.dates import birth_date_problem
from cit.protocol.intake_json import FieldError
from cit.protocol.knowledge import Knowledge, get_knowledge
from cit.protocol.matching import Matcher
from cit.protocol.model import (
    AllergyEntry,
    ClinicalStatus,
    CodeSystem,
    Coding,
    ConditionEntry,
    Intake,
    MedicationEntry,
    MedicationStatus,
    ProcedureEntry,
    ProcedureKind,
    Route,
    Sex,
    UnmappedFact,
)
from cit.protocol.text import words

BUNDLE_TYPES = ("collection", "transaction", "searchset")

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
PREGNANCY_STATUS = "82810-3"
BREASTFEEDING_STATUS = "63895-7"

_CODE_SYSTEMS = {
    ICD10CM: CodeSystem.ICD10CM,
    ICD10: CodeSystem.ICD10,
    SNOMED: CodeSystem.SNOMED,
    RXNORM: CodeSystem.RXNORM,
    # The same systems by OID, as some EHRs (C-CDA converters) send them.
    "urn:oid:2.16.840.1.113883.6.90": CodeSystem.ICD10CM,
    "urn:oid:2.16.840.1.113883.6.3": CodeSystem.ICD10,
    "urn:oid:2.16.840.1.113883.6.96": CodeSystem.SNOMED,
    "urn:oid:2.16.840.1.113883.6.88": CodeSystem.RXNORM,
}
# SNOMED CT answers of the pregnancy-status observation.
_PREGNANT = {"77386006": True, "60001007": False}
SNOMED_UNKNOWN = "261665006"
UNKNOWN: Literal["unknown"] = "unknown"
"""A status observation's value that says it is not known (or that has no value)."""
_Answer = bool | Literal["unknown"] | None
_Observed = tuple[date | None, _Answer, str, str]  # when, value, where, the value as shown
_UNKNOWN_WORDS = re.compile(
    r"\b(unknown|unsure|uncertain|undetermined|not sure|not known|do not know|don t know"
    r"|unable to determine|not determined|not asked)\b"
)
_VALUE_FIELDS = (
    "valueBoolean", "valueCodeableConcept", "valueString", "valueQuantity", "valueInteger",
    "valueRange", "valueRatio", "valueSampledData", "valueTime", "valueDateTime", "valuePeriod",
)  # fmt: skip
# SNOMED CT route concepts (Dosage.route).
_ROUTES = {
    "26643006": Route.ORAL,
    "6064005": Route.TOPICAL,
    "34206005": Route.INJECTION,
    "47625008": Route.INJECTION,
    "78421000": Route.INJECTION,
    "46713006": Route.NASAL,
    "54485002": Route.OPHTHALMIC,
    "45890007": Route.TRANSDERMAL,
}
_ROUTE_WORDS = {
    "oral": Route.ORAL, "mouth": Route.ORAL, "topical": Route.TOPICAL, "cutaneous": Route.TOPICAL,
    "subcutaneous": Route.INJECTION, "intravenous": Route.INJECTION,
    "intramuscular": Route.INJECTION, "injection": Route.INJECTION, "inhalation": Route.INHALED,
    "inhaled": Route.INHALED, "respiratory": Route.INHALED, "nasal": Route.NASAL,
    "ophthalmic": Route.OPHTHALMIC, "eye": Route.OPHTHALMIC, "transdermal": Route.TRANSDERMAL,
}  # fmt: skip
_DAYS_PER_UNIT = {"d": 1, "day": 1, "days": 1, "wk": 7, "week": 7, "weeks": 7,
                  "mo": 30, "month": 30, "months": 30}  # fmt: skip
# FHIR medication statuses (CLINICAL.md v2, "When a medicine is in use"): intended and
# on-hold count as in use; completed and stopped are stopped (without a date: in use);
# unknown is read as no status at all. Any other status is read as no status, with a warning.
_STATEMENT_STATUS: dict[str, MedicationStatus | None] = {
    "active": MedicationStatus.ACTIVE,
    "intended": MedicationStatus.ACTIVE,
    "on-hold": MedicationStatus.ACTIVE,
    "completed": MedicationStatus.STOPPED,
    "stopped": MedicationStatus.STOPPED,
    "unknown": None,
}
_STATEMENT_SKIPPED = frozenset({"not-taken", "entered-in-error"})
_REQUEST_STATUS: dict[str, MedicationStatus | None] = {
    "active": MedicationStatus.ACTIVE,
    "on-hold": MedicationStatus.ACTIVE,
    "draft": MedicationStatus.ACTIVE,
    "completed": MedicationStatus.STOPPED,
    "stopped": MedicationStatus.STOPPED,
    "unknown": None,
}
_REQUEST_SKIPPED = frozenset({"cancelled", "entered-in-error"})
_TAKEN_INTENTS = frozenset(
    {"order", "original-order", "reflex-order", "filler-order", "instance-order", "plan"}
)
_CLINICAL_STATUS = {status.value: status for status in ClinicalStatus}
_SEX = {"female": Sex.FEMALE, "male": Sex.MALE, "other": Sex.OTHER, "unknown": Sex.UNKNOWN}


class FhirIntakeError(ValueError):
    """The bundle cannot be read; ``errors`` name the entry index and path of each problem."""

    def __init__(self, errors: Sequence[FieldError]):
        self.errors = tuple(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


@dataclass(frozen=True, slots=True)
class FhirIntake:
    intake: Intake
    warnings: tuple[str, ...]


def is_fhir_bundle(data: Any) -> bool:
    """True when ``data`` is a FHIR resource (it has a ``resourceType``)."""
    return isinstance(data, dict) and "resourceType" in data


def intake_from_fhir_bundle(
    data: Any, *, today: date | None = None, knowledge: Knowledge | None = None
) -> FhirIntake:
    """Read a FHIR R4 Bundle (decoded JSON) into an Intake, with warnings for what was
    ignored. Raises :class:`FhirIntakeError`. With ``today``, a birth date in the future is
    an error (the pure core never reads the clock)."""
    return _BundleReader(knowledge or get_knowledge(), today).read(data)


# CDS Hooks prefetch keys this reader expects (the service's prefetch templates should use them).
PREFETCH_KEYS = (
    "patient",
    "conditions",
    "medications",
    "medication_statements",
    "allergies",
    "observations",
    "procedures",
)


def missing_prefetch_keys(
    prefetch: Mapping[str, Any] | None, required: Sequence[str] = PREFETCH_KEYS
) -> list[str]:
    """The keys of ``required`` the client did not prefetch.

    CDS Hooks: a key the client did not satisfy is absent; a key whose value is null was
    fetched and found no data (e.g. no conditions on record), which is not missing.
    """
    prefetch = prefetch or {}
    return [key for key in required if key not in prefetch]


def bundle_from_prefetch(
    prefetch: Mapping[str, Any] | None, required: Sequence[str] = PREFETCH_KEYS
) -> dict[str, Any]:
    """One ``collection`` Bundle from CDS Hooks prefetch data (a Patient resource and
    searchset Bundles), for :func:`intake_from_fhir_bundle`.

    A key of ``required`` that is absent is a :class:`FhirIntakeError`: screening on part of
    the record would give a wrong answer, so the caller must fetch it from the FHIR server
    (or answer with a clear error). A null value means "no data" and adds nothing, except
    for the patient, without whom there is nothing to screen.
    """
    prefetch = prefetch or {}
    missing = missing_prefetch_keys(prefetch, required)
    if missing:
        raise FhirIntakeError(
            [FieldError(f"prefetch.{key}", "missing (not prefetched)") for key in missing]
        )
    if "patient" in required and prefetch.get("patient") is None:
        raise FhirIntakeError([FieldError("prefetch.patient", "null: no such patient")])
    entries: list[dict[str, Any]] = []
    for key, value in prefetch.items():
        if value is None:
            continue
        if not isinstance(value, dict) or "resourceType" not in value:
            raise FhirIntakeError([FieldError(f"prefetch.{key}", "expected a FHIR resource")])
        if value["resourceType"] == "OperationOutcome":
            # CDS Hooks 2.0 lets a client send the error it met while prefetching.
            raise FhirIntakeError(
                [FieldError(f"prefetch.{key}", "the client could not fetch it (OperationOutcome)")]
            )
        if value["resourceType"] == "Bundle":
            if next_link(value) is not None:
                raise FhirIntakeError(
                    [FieldError(f"prefetch.{key}", "one page of a longer search (a next link)")]
                )
            page = value.get("entry") or []
            if not isinstance(page, list):
                raise FhirIntakeError([FieldError(f"prefetch.{key}.entry", "expected a list")])
            for index, entry in enumerate(page):
                if not isinstance(entry, dict):
                    raise FhirIntakeError(
                        [FieldError(f"prefetch.{key}.entry[{index}]", "expected an object")]
                    )
                search = entry.get("search")
                if isinstance(search, dict) and search.get("mode") == "outcome":
                    continue
                entries.append(
                    {name: entry[name] for name in ("fullUrl", "resource") if name in entry}
                )
        else:
            entries.append({"resource": value})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _path(location: Sequence[str | int]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _day(value: Any, *, end: bool) -> date | None:
    """A FHIR date/dateTime as a day; partial dates take their first or last day."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    try:
        if len(text) == 4:
            return date(int(text), 12, 31) if end else date(int(text), 1, 1)
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:7])
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


class _BundleReader:
    def __init__(self, knowledge: Knowledge, today: date | None):
        self.knowledge = knowledge
        self.matcher = Matcher(knowledge)
        self.sites = BodySites(knowledge)
        self.today = today
        self.errors: list[FieldError] = []
        self.warnings: list[str] = []
        self.unmapped: list[UnmappedFact] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def raise_errors(self) -> None:
        if self.errors:
            raise FhirIntakeError(self.errors)

    # -- structure ----------------------------------------------------------------------------

    def read(self, data: Any) -> FhirIntake:
        if not isinstance(data, dict):
            raise FhirIntakeError([FieldError("", "expected a FHIR Bundle (a JSON object)")])
        if data.get("resourceType") != "Bundle":
            raise FhirIntakeError(
                [FieldError("resourceType", f"expected 'Bundle', got {data.get('resourceType')!r}")]
            )
        if data.get("type") not in BUNDLE_TYPES:
            expected = ", ".join(BUNDLE_TYPES)
            message = f"unsupported bundle type {data.get('type')!r} (expected one of {expected})"
            raise FhirIntakeError([FieldError("type", message)])
        if data.get("type") == "searchset" and next_link(data) is not None:
            message = "one page of a longer search result (a next link): send every page"
            raise FhirIntakeError([FieldError("link", message)])
        entries = data.get("entry")
        if entries is None or entries == []:
            raise FhirIntakeError([FieldError("entry", "the bundle is empty (no resources)")])
        if not isinstance(entries, list):
            raise FhirIntakeError([FieldError("entry", "expected a list of entries")])
        for index, entry in enumerate(entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            where = f"entry[{index}].resource"
            if not isinstance(resource, dict):
                self.fail(where, "missing (every entry needs a resource)")
                continue
            resource_type = resource.get("resourceType")
            try:
                get_fhir_model_class(str(resource_type))
            except (KeyError, ValueError):
                self.fail(f"{where}.resourceType", f"unknown FHIR resource type {resource_type!r}")
        self.raise_errors()
        try:
            bundle = Bundle.model_validate(data)
        except ValidationError as error:
            raise FhirIntakeError(
                [FieldError(_path(e["loc"]), e["msg"]) for e in error.errors()]
            ) from None
        assert bundle.entry is not None
        return self.convert(bundle)

    def convert(self, bundle: Bundle) -> FhirIntake:
        # Every entry has a resource (checked before validation).
        entries: list[tuple[int, Any]] = list(enumerate(bundle.entry or []))
        by_reference: dict[str, Any] = {}
        for _, entry in entries:
            resource = entry.resource
            kind = resource.get_resource_type()
            if getattr(resource, "id", None):
                by_reference[f"{kind}/{resource.id}"] = resource
            if entry.fullUrl:
                by_reference[str(entry.fullUrl)] = resource
        patients = [
            (i, e.resource) for i, e in entries if e.resource.get_resource_type() == "Patient"
        ]
        if not patients:
            raise FhirIntakeError(
                [FieldError("entry", "no Patient resource (the birth date is needed)")]
            )
        if len(patients) > 1:
            raise FhirIntakeError(
                [
                    FieldError(
                        f"entry[{patients[1][0]}].resource",
                        "a second Patient: a bundle must be about one patient",
                    )
                ]
            )
        patient_index, patient = patients[0]
        patient_refs = {f"Patient/{patient.id}"} if patient.id else set()
        patient_refs |= {str(e.fullUrl) for i, e in entries if i == patient_index and e.fullUrl}
        birth = self.birth_date(patient, patient_index)

        conditions: list[ConditionEntry] = []
        medications: list[MedicationEntry] = []
        allergies: list[AllergyEntry] = []
        procedures: list[ProcedureEntry] = []
        pregnancy: list[_Observed] = []
        nursing: list[_Observed] = []
        for index, entry in entries:
            resource = entry.resource
            kind = resource.get_resource_type()
            where = f"entry[{index}].resource"
            if kind in ("Patient", "Medication"):
                continue
            self.check_subject(resource, where, patient_refs)
            if kind == "Condition":
                self.condition(resource, where, birth, conditions)
            elif kind in ("MedicationStatement", "MedicationRequest"):
                self.medication(resource, where, by_reference, medications)
            elif kind == "AllergyIntolerance":
                self.allergy(resource, where, allergies)
            elif kind == "Observation":
                self.observation(resource, where, pregnancy, nursing)
            elif kind == "Procedure":
                self.procedure(resource, where, procedures)
            else:
                self.warnings.append(f"{where}: {kind} ignored (not used for screening)")
        self.raise_errors()
        assert birth is not None
        sex = _SEX.get(str(patient.gender or "unknown"), Sex.UNKNOWN)
        pregnant, pregnancy_unknown = self.pregnancy_status(pregnancy, sex)
        return FhirIntake(
            Intake(
                birth_date=birth,
                sex=sex,
                pregnant=pregnant,
                pregnancy_unknown=pregnancy_unknown,
                nursing=self.latest_status(nursing, "breastfeeding status"),
                conditions=tuple(conditions),
                medications=tuple(medications),
                allergies=tuple(allergies),
                procedures=tuple(procedures),
                unmapped=tuple(self.unmapped),
            ),
            tuple(self.warnings),
        )

    def birth_date(self, patient: Any, index: int) -> date | None:
        where = f"entry[{index}].resource.birthDate"
        if patient.birthDate is None:
            self.fail(where, "missing (the age rules need it)")
            return None
        birth = _day(patient.birthDate, end=True)
        if birth is None:
            self.fail(where, f"not a date {patient.birthDate!r}")
            return None
        if not isinstance(patient.birthDate, date):
            self.warnings.append(f"{where}: partial date {patient.birthDate}; taken as {birth}")
        problem = birth_date_problem(birth, self.today) if self.today is not None else None
        if problem:
            self.fail(where, problem)
        return birth

    def check_subject(self, resource: Any, where: str, patient_refs: set[str]) -> None:
        for field_name in ("subject", "patient"):
            reference = getattr(resource, field_name, None)
            target = getattr(reference, "reference", None) if reference is not None else None
            if (
                target
                and patient_refs
                and target.startswith(("Patient/", "urn:"))
                and target not in patient_refs
            ):
                self.fail(f"{where}.{field_name}", f"refers to {target}, not the bundle's patient")

    # -- coded values -------------------------------------------------------------------------

    @staticmethod
    def codings(concept: Any) -> tuple[list[Coding], list[str]]:
        """Our codings of a CodeableConcept, and the displays of every coding."""
        codes: list[Coding] = []
        displays: list[str] = []
        for coding in getattr(concept, "coding", None) or []:
            system = _CODE_SYSTEMS.get(str(coding.system or ""))
            if system is not None and coding.code:
                codes.append(Coding(system, str(coding.code)))
            if coding.display:
                displays.append(str(coding.display))
        return codes, displays

    def concept_text(self, concept: Any) -> str | None:
        if concept is None:
            return None
        if concept.text:
            return str(concept.text)
        _, displays = self.codings(concept)
        return displays[0] if displays else None

    def texts(self, concept: Any) -> list[str]:
        """A CodeableConcept's text and every coding's display."""
        _, displays = self.codings(concept)
        return ([str(concept.text)] if concept.text else []) + displays

    @staticmethod
    def status_code(concept: Any) -> str | None:
        for coding in getattr(concept, "coding", None) or []:
            if coding.code:
                return str(coding.code)
        return None

    def unmappable(self, where: str, text: str) -> None:
        self.unmapped.append(UnmappedFact(where, text))

    # -- resources ----------------------------------------------------------------------------

    def condition(
        self, resource: Any, where: str, birth: date | None, out: list[ConditionEntry]
    ) -> None:
        verification = self.status_code(resource.verificationStatus)
        if verification in ("refuted", "entered-in-error"):
            self.warnings.append(f"{where}: Condition skipped ({verification})")
            return
        codes, _ = self.codings(resource.code)
        text = self.concept_text(resource.code)
        if not codes and not text:
            self.unmappable(where, "Condition without a code or text this engine reads")
            return
        status_code = self.status_code(resource.clinicalStatus)
        status = _CLINICAL_STATUS.get(status_code or "")
        if status_code and status is None:
            self.fail(f"{where}.clinicalStatus", f"unknown clinical status {status_code!r}")
        onset = _day(
            resource.onsetDateTime
            or (resource.onsetPeriod.start if resource.onsetPeriod else None),
            end=False,
        )
        abatement_value = resource.abatementDateTime or (
            (resource.abatementPeriod.end or resource.abatementPeriod.start)
            if resource.abatementPeriod
            else None
        )
        resolved = _day(abatement_value, end=True)
        if resolved is not None and onset is not None and resolved < onset:
            self.fail(f"{where}.abatementDateTime", f"is before the onset ({resolved} < {onset})")
        if resolved is not None and status is not None and status.is_active:
            # FHIR invariant con-4: an abated condition is not active; trust the abatement.
            self.warnings.append(
                f"{where}: clinicalStatus {status.value} with an abatement; read as resolved"
            )
            status = ClinicalStatus.RESOLVED
        if (
            resolved is None
            and (resource.abatementString or resource.abatementAge)
            and status is None
        ):
            status = ClinicalStatus.RESOLVED
        site = None
        if resource.bodySite:
            site = self.sites.condition_site(self.sites.read(resource.bodySite, self.texts))
        out.append(ConditionEntry(tuple(codes), text, status, onset, resolved, site))

    def medication_concept(self, resource: Any, by_reference: Mapping[str, Any]) -> Any:
        if resource.medicationCodeableConcept is not None:
            return resource.medicationCodeableConcept
        reference = resource.medicationReference
        target = str(reference.reference or "") if reference is not None else ""
        if target.startswith("#"):
            for contained in resource.contained or []:
                if contained.id == target[1:]:
                    return contained.code
        found = by_reference.get(target)
        if found is not None and found.get_resource_type() == "Medication":
            return found.code
        if reference is not None and reference.display:
            return _TextOnly(str(reference.display))
        return None

    def route(self, dosages: Any) -> Route | None:
        for dosage in dosages or []:
            route = getattr(dosage, "route", None)
            if route is None:
                continue
            for coding in route.coding or []:
                if str(coding.system or "") == SNOMED and str(coding.code) in _ROUTES:
                    return _ROUTES[str(coding.code)]
            for word in words(self.concept_text(route) or ""):
                if word in _ROUTE_WORDS:
                    return _ROUTE_WORDS[word]
        return None

    def medication(
        self, resource: Any, where: str, by_reference: Mapping[str, Any], out: list[MedicationEntry]
    ) -> None:
        kind = resource.get_resource_type()
        status_code = str(resource.status or "")
        if kind == "MedicationStatement":
            statuses, skipped = _STATEMENT_STATUS, _STATEMENT_SKIPPED
        else:
            statuses, skipped = _REQUEST_STATUS, _REQUEST_SKIPPED
        if status_code in skipped:
            self.warnings.append(f"{where}: {kind} skipped (status {status_code})")
            return
        if kind == "MedicationRequest" and resource.doNotPerform:
            self.warnings.append(f"{where}: MedicationRequest skipped (doNotPerform: a ban)")
            return
        concept = self.medication_concept(resource, by_reference)
        codes, _ = self.codings(concept) if concept is not None else ([], [])
        rxnorm = tuple(c.code for c in codes if c.system is CodeSystem.RXNORM)
        name = self.concept_text(concept) if concept is not None else None
        if not rxnorm and not name:
            self.unmappable(where, f"{kind} without a medicine this engine reads")
            return
        if status_code in statuses:
            status = statuses[status_code]
        else:
            status = None
            self.warnings.append(
                f"{where}: {kind} status {status_code!r} not known; read as no status "
                "(in use unless a date ends it)"
            )
        if status_code == "unknown":
            self.warnings.append(f"{where}: {kind} status unknown; read as no status")
        if kind == "MedicationStatement":
            start, end, last_dose = self.statement_dates(resource, status)
            route = self.route(resource.dosage)
        else:
            self.request_intent(resource, where)
            start, end = self.request_dates(resource, status, where)
            last_dose = None
            route = self.route(resource.dosageInstruction)
        if start is not None and end is not None and end < start:
            self.fail(
                f"{where}.effectivePeriod.end" if kind == "MedicationStatement" else where,
                f"ends before it starts ({end} < {start})",
            )
        stopped = status is MedicationStatus.STOPPED
        if start is not None and self.today is not None and stopped and start > self.today:
            self.fail(where, f"a {status_code} medicine cannot start in the future ({start})")
        out.append(
            MedicationEntry(
                rxnorm=rxnorm,
                name=name,
                route=route,
                status=status,
                start=start,
                end=end,
                last_dose=last_dose,
            )
        )

    @staticmethod
    def statement_dates(
        resource: Any, status: MedicationStatus | None
    ) -> tuple[date | None, date | None, date | None]:
        """Start, end and last dose of a MedicationStatement.

        A period gives the start and the end, whatever the status (an end before the day
        ends even an active statement). A single effectiveDateTime is the last dose only on a
        stopped or completed statement; on an active, intended, on-hold or unknown one it is
        not a stop: it is read as the start (a future one makes the medicine planned).
        """
        period = resource.effectivePeriod
        if period is not None:
            return _day(period.start, end=False), _day(period.end, end=True), None
        if resource.effectiveDateTime is None:
            return None, None, None
        if status is MedicationStatus.STOPPED:
            return None, None, _day(resource.effectiveDateTime, end=True)
        return _day(resource.effectiveDateTime, end=False), None, None

    def request_intent(self, resource: Any, where: str) -> None:
        """Every intent counts: the patient takes, will take or may take the medicine.

        order, original-order, reflex-order, filler-order, instance-order and plan: the
        patient takes or will take it. proposal (suggested, not yet ordered) and option (one
        of a RequestGroup's alternatives) may never be taken, but screening cannot know that
        they will not be before the session, so they count too - conservatively - with a
        warning; so does an intent FHIR does not define.
        """
        intent = str(resource.intent or "")
        if intent not in _TAKEN_INTENTS:
            self.warnings.append(
                f"{where}: MedicationRequest intent {intent or 'missing'!s}; "
                "counted as in use (conservatively)"
            )

    def request_dates(
        self, resource: Any, status: MedicationStatus | None, where: str
    ) -> tuple[date | None, date | None]:
        """Start and end of a MedicationRequest.

        The start is the dosage's bounds start, else authoredOn, else the validity start; the
        end is the dosage's bounds end (the course as prescribed). For a completed or
        stopped request without one, the end is estimated from what was dispensed (see
        :meth:`stopped_request_end`). An active (on-hold, draft...) request is never ended by
        its prescription's validity: a prescription that can no longer be filled says
        nothing of the supply the patient still has and takes.
        """
        start = _day(resource.authoredOn, end=False)
        end = None
        for dosage in resource.dosageInstruction or []:
            bounds = (
                dosage.timing.repeat.boundsPeriod
                if dosage.timing and dosage.timing.repeat
                else None
            )
            if bounds is not None:
                start = _day(bounds.start, end=False) or start
                end = _day(bounds.end, end=True) or end
        dispense = resource.dispenseRequest
        validity = dispense.validityPeriod if dispense is not None else None
        if validity is not None:
            start = start or _day(validity.start, end=False)
        if status is MedicationStatus.STOPPED and end is None:
            end = self.stopped_request_end(dispense, start, where)
        return start, end

    def stopped_request_end(self, dispense: Any, start: date | None, where: str) -> date | None:
        """The latest a completed or stopped request's last dose can be, or None (then it is
        "stopped, date unknown", which counts as in use).

        The validity period's end is the last day the prescription could be *dispensed*, not
        the last dose: a supply dispensed on that day lasts one supply duration more. So:

        * validity end and the supply duration known: validity end + one supply - 1 day. It
          bounds the last dose whatever the patient did (fills cannot come later), so it is
          the conservative end - later than the estimate from the start when refills came
          late, and the estimate from the start is impossible when it runs past it;
        * only the start and the supply: start + supply x fills - 1 day (fills back to back);
        * validity end without a supply duration: no bound - the last fill may have been on
          that day with months of supply - so no end: stopped, date unknown, in use until a
          clinician records the date. Taking the validity end as the last dose would end the
          washouts too early.
        """
        if dispense is None:
            return None
        supply_days = _supply_days(dispense.expectedSupplyDuration)
        validity = dispense.validityPeriod
        valid_until = _day(validity.end, end=True) if validity is not None else None
        if valid_until is not None and supply_days is not None:
            last = valid_until + timedelta(days=supply_days - 1)
            self.warnings.append(
                f"{where}: last dose taken as the prescription's validity end plus one "
                f"dispensed supply ({last})"
            )
            return last
        if valid_until is not None:
            self.warnings.append(
                f"{where}: no last dose; the prescription's validity end ({valid_until}) is not "
                "one: stopped, date unknown"
            )
            return None
        if start is None or supply_days is None:
            return None
        fills = 1 + int(dispense.numberOfRepeatsAllowed or 0)
        last = start + timedelta(days=supply_days * fills - 1)
        self.warnings.append(f"{where}: last dose estimated from the dispensed supply ({last})")
        return last

    def allergy(self, resource: Any, where: str, out: list[AllergyEntry]) -> None:
        clinical = self.status_code(resource.clinicalStatus)
        verification = self.status_code(resource.verificationStatus)
        if clinical in ("inactive", "resolved") or verification in ("refuted", "entered-in-error"):
            self.warnings.append(
                f"{where}: AllergyIntolerance skipped ({clinical or verification})"
            )
            return
        codes, _ = self.codings(resource.code)
        codes = [c for c in codes if c.system in (CodeSystem.SNOMED, CodeSystem.RXNORM)]
        text = self.concept_text(resource.code)
        if not codes and not text:
            self.unmappable(where, "AllergyIntolerance without a substance this engine reads")
            return
        reactions = [
            self.concept_text(manifestation) or ""
            for reaction in resource.reaction or []
            for manifestation in reaction.manifestation or []
        ]
        out.append(AllergyEntry(tuple(codes), text, ", ".join(r for r in reactions if r) or None))

    def observation(
        self, resource: Any, where: str, pregnancy: list[Any], nursing: list[Any]
    ) -> None:
        if str(resource.status or "") in ("entered-in-error", "cancelled"):
            self.warnings.append(f"{where}: Observation skipped (status {resource.status})")
            return
        loinc = {str(c.code) for c in resource.code.coding or [] if str(c.system or "") == LOINC}
        when = _day(
            resource.effectiveDateTime
            or (resource.effectivePeriod.end if resource.effectivePeriod else None)
            or resource.issued,
            end=True,
        )
        if PREGNANCY_STATUS in loinc:
            pregnancy.append(
                (
                    when,
                    self.yes_no(resource, _PREGNANT, ("pregnant",)),
                    where,
                    self.value_text(resource),
                )
            )
        elif BREASTFEEDING_STATUS in loinc:
            nursing.append(
                (
                    when,
                    self.yes_no(resource, {}, ("breastfeeding", "breast", "lactating", "nursing")),
                    where,
                    self.value_text(resource),
                )
            )
        else:
            label = self.concept_text(resource.code) or "Observation"
            self.warnings.append(f"{where}: Observation '{label}' ignored (not used for screening)")

    def value_text(self, resource: Any) -> str:
        if resource.valueBoolean is not None:
            return "yes" if resource.valueBoolean else "no"
        return self.concept_text(resource.valueCodeableConcept) or str(
            resource.valueString or "no value"
        )

    def yes_no(
        self, resource: Any, codes: Mapping[str, bool], yes_words: tuple[str, ...]
    ) -> _Answer:
        """True / False for a status observation's value; UNKNOWN when it says unknown (or
        has no value); None when it cannot be read."""
        if resource.dataAbsentReason is not None or not any(
            getattr(resource, name, None) is not None for name in _VALUE_FIELDS
        ):
            return UNKNOWN
        if resource.valueBoolean is not None:
            return bool(resource.valueBoolean)
        concept = resource.valueCodeableConcept
        for coding in getattr(concept, "coding", None) or []:
            if str(coding.system or "") == SNOMED and str(coding.code) in codes:
                return codes[str(coding.code)]
            if str(coding.system or "") == SNOMED and str(coding.code) == SNOMED_UNKNOWN:
                return UNKNOWN
        tokens = words(self.concept_text(concept) or str(resource.valueString or ""))
        if not tokens:
            return None
        if _UNKNOWN_WORDS.search(" ".join(tokens)):
            return UNKNOWN  # before the negations: "not sure" is not "no"
        if tokens[0] in ("not", "no", "non") or "weaned" in tokens:
            return False
        if tokens in (("yes",), ("true",)) or any(t in yes_words for t in tokens):
            return True
        return None

    def latest_status(self, observations: list[_Observed], what: str) -> bool:
        """The most recent observation decides; an unreadable or unknown one goes to
        review."""
        if not observations:
            return False
        observations.sort(key=lambda o: o[0] or date.min)
        when, value, where, shown = observations[-1]
        if value is None or value is UNKNOWN:
            self.unmappable(where, f"{what}: {shown}")
            return False
        return bool(value)

    def pregnancy_status(self, observations: list[_Observed], sex: Sex) -> tuple[bool, bool]:
        """Pregnant, and pregnancy status unknown, from the most recent observation.

        CLINICAL.md v2: LOINC 82810-3 valued "unknown" (or with no value) is unknown: defer
        until recorded. Not asked (no observation) is not unknown, nor is an unknown value
        on a male patient's record. An unreadable value goes to review.
        """
        if not observations:
            return False, False
        observations.sort(key=lambda o: o[0] or date.min)
        when, value, where, shown = observations[-1]
        if value is UNKNOWN:
            if sex is Sex.MALE:
                self.warnings.append(f"{where}: pregnancy status {shown} ignored (male patient)")
                return False, False
            return False, True
        if value is None:
            self.unmappable(where, f"pregnancy status: {shown}")
            return False, False
        return bool(value), False

    def procedure(self, resource: Any, where: str, out: list[ProcedureEntry]) -> None:
        status = str(resource.status or "")
        if status in ("not-done", "entered-in-error", "preparation"):
            self.warnings.append(f"{where}: Procedure skipped (status {status})")
            return
        text = self.concept_text(resource.code) or "procedure without a name"
        performed = resource.performedDateTime or (
            (resource.performedPeriod.end or resource.performedPeriod.start)
            if resource.performedPeriod
            else None
        )
        when = _day(performed, end=True)
        if when is None:
            self.unmappable(where, f"Procedure '{text}' without a performed date")
            return
        if self.today is not None and when > self.today:
            self.fail(f"{where}.performedDateTime", f"is in the future ({when})")
        concept = self.matcher.procedure(text)
        kind = concept.kind if concept is not None else ProcedureKind.OTHER
        zone = None
        if resource.bodySite:
            zone = self.sites.procedure_zone(self.sites.read(resource.bodySite, self.texts))
        out.append(ProcedureEntry(kind, when, zone, text))


def _supply_days(duration: Any) -> int | None:
    """An expectedSupplyDuration in whole days, or None when it cannot be read."""
    if duration is None or duration.value is None:
        return None
    unit = str(duration.code or duration.unit or "d").lower()
    days_per = _DAYS_PER_UNIT.get(unit)
    if days_per is None:
        return None
    days = int(float(duration.value) * days_per)
    return days if days > 0 else None


@dataclass(frozen=True, slots=True)
class _TextOnly:
    """A medicine known only by a reference's display text."""

    text: str
    coding: tuple[()] = ()
