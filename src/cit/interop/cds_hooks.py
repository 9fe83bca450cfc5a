"""CDS Hooks 2.0 decision support: CIT's screening as a CDS Service.

Framework-free: the discovery document, the request handling (prefetch, or fetching
what is missing from the client's FHIR server, if the operator allows that server), and the
cards. The Django view only adds authentication, the clock, the clinic profile and the
allow-list of FHIR servers.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from cit.interop.fhir_client import (
    PUBLIC_MESSAGE,
    FhirAccess,
    FhirSession,
    FhirUnavailable,
    next_link,
)
from cit.interop.fhir_intake import bundle_from_prefetch, missing_prefetch_keys
from cit.interop.intake_input import IntakeInputError, read_intake
from cit.lib import bounds
from cit.protocol.model import Decision
from cit.protocol.profiles import Profile
from cit.protocol.screening import screen
from cit.protocol.serialise import screening_to_dict

SCREENING_SERVICE = "cit-screening"
BOOKING_SERVICE = "cit-screening-appointment"
EXTENSION_KEY = "org.cit.screening"
SUMMARY_LIMIT = 140
MAX_DAYS = 50  # proposed appointment days screened in one appointment-book call
# CIT's code systems for cards, under FHIR_DEFINITIONS_BASE/CodeSystem/.
TOPIC_CODE_SYSTEM = "cds-topic"
OVERRIDE_REASON_CODE_SYSTEM = "cds-override-reason"
OVERRIDE_REASONS = (
    ("assessed-in-person", "Assessed in person: treatment is appropriate"),
    ("record-inaccurate", "The record the screening used is wrong or out of date"),
    ("cleared-by-specialist", "Cleared by the treating specialist"),
    ("not-relevant-now", "Not relevant now: no micro-needling planned"),
)

PREFETCH_TEMPLATES: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "medications": "MedicationRequest?patient={{context.patientId}}",
    "medication_statements": "MedicationStatement?patient={{context.patientId}}",
    "allergies": "AllergyIntolerance?patient={{context.patientId}}",
    "observations": (
        "Observation?patient={{context.patientId}}"
        "&code=http://loinc.org|82810-3,http://loinc.org|63895-7"
    ),
    "procedures": "Procedure?patient={{context.patientId}}",
}

_DESCRIPTION = (
    "Screens the patient for micro-needling (collagen induction therapy) against CIT's "
    "contraindication rules: treat, treat with precautions, defer (with the date), refer, "
    "or do not treat, each finding with its rule and sources."
)
SERVICES: dict[str, dict[str, Any]] = {
    SCREENING_SERVICE: {
        "hook": "patient-view",
        "id": SCREENING_SERVICE,
        "title": "CIT micro-needling screening",
        "description": _DESCRIPTION,
        "prefetch": PREFETCH_TEMPLATES,
        "usageRequirements": "Send the patient's conditions, medication requests and "
        "statements, allergies, pregnancy/breastfeeding observations and procedures, every "
        "page of each search (prefetch, or FHIR access to a server the clinic allows).",
    },
    BOOKING_SERVICE: {
        "hook": "appointment-book",
        "id": BOOKING_SERVICE,
        "title": "CIT micro-needling screening for the booked day",
        "description": _DESCRIPTION + " Screens for the day of each proposed appointment.",
        "prefetch": PREFETCH_TEMPLATES,
    },
}

_INDICATOR = {
    "do_not_treat": "critical",
    "refer": "warning",
    "defer": "warning",
    "treat_with_precautions": "info",
    "treat": "info",
}
_HEADLINE = {
    "do_not_treat": "Do not treat with micro-needling",
    "refer": "Refer before micro-needling",
    "defer": "Defer micro-needling",
    "treat_with_precautions": "Micro-needling with precautions",
    "treat": "No contraindication to micro-needling",
}


class HookRequestError(ValueError):
    """The hook request is malformed (HTTP 400)."""


class DataUnavailable(ValueError):
    """The data to screen could neither be prefetched nor fetched (HTTP 412). ``str()`` is
    for the caller and says nothing about the network; ``reason`` is for the log."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason


def discovery() -> dict[str, Any]:
    """The body of ``GET /cds-services``."""
    return {"services": list(SERVICES.values())}


_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
# RFC 6750 b64token: what a bearer token may hold (and nothing that could split a header).
_BEARER_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def _patient_id(context: Mapping[str, Any]) -> str:
    patient_id = context.get("patientId")
    if not isinstance(patient_id, str) or not patient_id:
        raise HookRequestError("context.patientId: required")
    if not _FHIR_ID.fullmatch(patient_id) or patient_id in (".", ".."):
        raise HookRequestError("context.patientId: not a FHIR id")
    return patient_id


def _access_token(body: Mapping[str, Any]) -> str | None:
    authorization = body.get("fhirAuthorization")
    if authorization is None:
        return None
    if not isinstance(authorization, dict):
        raise HookRequestError("fhirAuthorization: expected an object")
    token = authorization.get("access_token")
    if token is None:
        return None
    if not isinstance(token, str) or not _BEARER_TOKEN.fullmatch(token):
        raise HookRequestError("fhirAuthorization.access_token: not a bearer token")
    return token


def _fill(template: str, patient_id: str) -> str:
    # The patient id is a FHIR id (checked); "|" is escaped for servers that refuse it raw.
    return template.replace("{{context.patientId}}", patient_id).replace("|", "%7C")


def _fetch(session: FhirSession, key: str, patient_id: str) -> Any:
    """One prefetch key read from the FHIR server: the Patient (None when there is none),
    else a searchset Bundle with every page."""
    url = session.url(_fill(PREFETCH_TEMPLATES[key], patient_id))
    if key == "patient":
        resource = session.get(url, missing_is_none=True)
        if resource is not None and (
            not isinstance(resource, dict) or resource.get("resourceType") != "Patient"
        ):
            raise FhirUnavailable(f"{url.split('/Patient/')[0]}: not a Patient")
        return resource
    return session.search(url)


def _is_outcome(value: Any) -> bool:
    return isinstance(value, dict) and value.get("resourceType") == "OperationOutcome"


def _complete_prefetch(
    body: Mapping[str, Any], patient_id: str, fhir: FhirAccess | None
) -> dict[str, Any]:
    """The prefetch with every key of PREFETCH_KEYS, each search with all its pages.

    A key the client did not prefetch, or could not (CDS Hooks 2.0: an OperationOutcome in
    its place), is read from the request's fhirServer; so are the pages after a prefetched
    Bundle's next link. When they cannot be read (no fhirServer, not allowed, unreachable,
    more pages than allowed): DataUnavailable.
    """
    prefetch = body.get("prefetch")
    if prefetch is None:
        prefetch = {}
    if not isinstance(prefetch, dict):
        raise HookRequestError("prefetch: expected an object")
    prefetch = dict(prefetch)
    token = _access_token(body)
    missing = missing_prefetch_keys(prefetch)
    missing += [key for key in PREFETCH_TEMPLATES if _is_outcome(prefetch.get(key))]
    paged = [key for key, value in prefetch.items() if next_link(value) is not None]
    if not missing and not paged:
        return prefetch
    if missing:
        detail = f"Not prefetched: {', '.join(missing)}."
    else:
        detail = f"Prefetched in part (more pages to read): {', '.join(paged)}."
    unavailable = f"{detail} {PUBLIC_MESSAGE}"
    server = body.get("fhirServer")
    if not server:
        raise DataUnavailable(unavailable, "no fhirServer in the request")
    if fhir is None or not fhir.servers:
        raise DataUnavailable(unavailable, "the client has no fhir_servers: nothing is fetched")
    try:
        session = fhir.session(server, token)
        for key in missing:
            prefetch[key] = _fetch(session, key, patient_id)
        for key in paged:
            prefetch[key] = session.rest_of(prefetch[key])
    except FhirUnavailable as error:
        raise DataUnavailable(unavailable, error.reason) from None
    return prefetch


def _screening_days(hook: str, context: Mapping[str, Any], today: date) -> list[date]:
    """patient-view screens for today; appointment-book for each proposed appointment's day."""
    if hook != "appointment-book":
        return [today]
    appointments = context.get("appointments")
    if not isinstance(appointments, dict) or appointments.get("resourceType") != "Bundle":
        raise HookRequestError("context.appointments: expected a Bundle of Appointment")
    entries = appointments.get("entry") or []
    if not isinstance(entries, list):
        raise HookRequestError("context.appointments.entry: expected a list")
    days: set[date] = set()
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        start = resource.get("start") if isinstance(resource, dict) else None
        try:
            days.add(bounds.check_date(date.fromisoformat(str(start)[:10]), today))
        except bounds.OutOfBounds as error:
            raise HookRequestError(
                f"context.appointments.entry[{index}].resource.start: {error}"
            ) from None
        except ValueError:
            raise HookRequestError(
                f"context.appointments.entry[{index}].resource.start: not a date-time"
            ) from None
    if not days:
        raise HookRequestError("context.appointments: no proposed appointment")
    if len(days) > MAX_DAYS:
        raise HookRequestError(f"context.appointments: more than {MAX_DAYS} days to screen")
    return sorted(days)


@dataclass(frozen=True, slots=True)
class IssuedCard:
    uuid: str
    decision: str
    indicator: str
    day: date


@dataclass(frozen=True, slots=True)
class HookAnswer:
    response: dict[str, Any]
    decisions: tuple[str, ...]
    cards: tuple[IssuedCard, ...] = ()


@dataclass(frozen=True, slots=True)
class CardSite:
    """Where the cards point: the clinic's CIT site (``source.url``), the base of CIT's code
    systems, and the links for the patient (already absolute, or none)."""

    url: str
    definitions_base: str
    smart_launch_url: str = ""


Links = Callable[[Any], list[dict[str, str]]]


def override_reasons(definitions_base: str) -> list[dict[str, str]]:
    """The coded reasons a clinician may give for not following a warning or critical card."""
    system = f"{definitions_base.rstrip('/')}/CodeSystem/{OVERRIDE_REASON_CODE_SYSTEM}"
    return [
        {"system": system, "code": code, "display": display} for code, display in OVERRIDE_REASONS
    ]


def compact(value: Any) -> Any:
    """``value`` without null or empty elements at any depth (CDS Hooks 2.0: "JSON elements
    SHALL NOT be null or empty"); an object or array left empty is dropped too."""
    if isinstance(value, dict):
        pruned_dict = {key: compact(item) for key, item in value.items()}
        return {key: item for key, item in pruned_dict.items() if not _empty(item)}
    if isinstance(value, list | tuple):
        pruned_list = [compact(item) for item in value]
        return [item for item in pruned_list if not _empty(item)]
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def answer_hook(
    service_id: str,
    body: Any,
    *,
    today: date,
    profile: Profile | str | None = None,
    fhir: FhirAccess | None = None,
    site: CardSite | None = None,
    links: Links | None = None,
    new_uuid: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> HookAnswer:
    """Answer one hook call with a card per screened day.

    The hook must be the one the service declares. What was not prefetched is read from the
    request's ``fhirServer`` only when ``fhir`` allows that server (None, or no servers:
    nothing is read). ``links`` gives the cards' links from the patient's FHIR Patient
    resource. Raises HookRequestError for a malformed request and DataUnavailable when the
    data cannot be had: never a card built on part of the record.
    """
    if service_id not in SERVICES:
        raise KeyError(service_id)
    if not isinstance(body, dict):
        raise HookRequestError("The request body must be a JSON object.")
    hook = body.get("hook")
    expected = SERVICES[service_id]["hook"]
    if hook != expected:
        raise HookRequestError(f"hook: the service {service_id} answers {expected} only")
    if not body.get("hookInstance"):
        raise HookRequestError("hookInstance: required")
    context = body.get("context")
    if not isinstance(context, dict):
        raise HookRequestError("context.patientId: required")
    patient_id = _patient_id(context)
    days = _screening_days(str(hook), context, today)
    prefetch = _complete_prefetch(body, patient_id, fhir)
    try:
        intake = read_intake(bundle_from_prefetch(prefetch), today=today).intake
    except (IntakeInputError, ValueError) as error:
        raise HookRequestError(f"The patient's FHIR data cannot be read: {error}") from None
    site = site or CardSite(url="", definitions_base="https://cit.example.org/fhir")
    card_links = links(prefetch.get("patient")) if links is not None else []
    cards = []
    issued = []
    for day in days:
        result = screening_to_dict(screen(intake, day, profile))
        card = screening_card(result, day, show_day=hook == "appointment-book", site=site)
        card["uuid"] = new_uuid()
        if card_links:
            card["links"] = card_links
        cards.append(compact(card))
        issued.append(IssuedCard(card["uuid"], result["decision"], card["indicator"], day))
    return HookAnswer({"cards": cards}, tuple(card.decision for card in issued), tuple(issued))


def screening_card(
    result: Mapping[str, Any], day: date, *, show_day: bool, site: CardSite
) -> dict[str, Any]:
    """One card: indicator from the decision, a short summary, the reasons in detail; the
    coded override reasons on a card that warns."""
    decision = result["decision"]
    summary = _HEADLINE[decision]
    if decision == "defer" and result.get("until"):
        summary += f" until {result['until']}"
    # Titles, not rule ids: clinicians read the card (the ids are in the extension).
    titles = [finding["title"] for finding in result["findings"]]
    if titles:
        summary += f" ({', '.join(titles)})"
    if show_day:
        summary = f"{day.isoformat()}: {summary}"
    if len(summary) >= SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - 2] + "…"
    base = site.definitions_base.rstrip("/")
    card: dict[str, Any] = {
        "summary": summary,
        "indicator": _INDICATOR[decision],
        "detail": _detail(result, day),
        "source": {
            "label": f"CIT protocol {result['protocol_version']} ({result['profile']})",
            "url": site.url,
            "topic": {
                "system": f"{base}/CodeSystem/{TOPIC_CODE_SYSTEM}",
                "code": "microneedling-screening",
                "display": "Micro-needling screening",
            },
        },
        "extension": {EXTENSION_KEY: compact(dict(result))},
    }
    if card["indicator"] in ("warning", "critical"):
        card["overrideReasons"] = override_reasons(site.definitions_base)
    return card


def _detail(result: Mapping[str, Any], day: date) -> str:
    lines = [f"Screening for **{day.isoformat()}**: **{Decision(result['decision']).label}**."]
    for finding in result["findings"]:
        head = f"- **{finding['title']}**: {Decision(finding['decision']).label}"
        if finding.get("until"):
            head += f" until {finding['until']}"
        elif finding.get("until_condition"):
            head += f" ({finding['until_condition']})"
        parts = [head]
        facts = "; ".join(fact["text"].rstrip(".") for fact in finding["facts"])
        if facts:
            parts.append(f"Because: {facts}")
        parts += [f"Action: {action.rstrip('.')}" for action in finding["actions"]]
        sources = ", ".join(source["citation"] for source in finding["sources"])
        if sources:
            parts.append(f"Sources: {sources.rstrip('.')}")
        lines.append(". ".join(parts) + ".")
    for item in result["unrecognised"]:
        lines.append(f"- Clinician to review: {item['text']} ({item['reason'].rstrip('.')})")
    return "\n".join(lines)
