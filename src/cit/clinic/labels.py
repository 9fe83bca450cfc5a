"""Human labels for CIT's internal words, in one place.

Decisions, indications, zones and rules take their words from the knowledge base (its
titles); roles, audit actions, capabilities and record types from here. Pages use the
template filters of :mod:`cit.clinic.templatetags.labels` (built in to every template),
messages and refusals call these functions. Nothing here hides information from staff:
the internal id stays available to a details line; it is just never the label.
"""

from __future__ import annotations

import re
from typing import Any

from cit.protocol.knowledge import get_knowledge
from cit.protocol.model import Decision

_CAPABILITIES = {
    "patient.list": "find patients",
    "patient.view": "open a patient's record",
    "patient.register": "register patients",
    "patient.edit": "edit patient details",
    "patient.archive": "archive patient records",
    "clinical.view": "see clinical records",
    "clinical.edit": "write clinical records",
    "screening.override": "override screening findings",
    "schedule.view": "see the schedule",
    "schedule.edit": "book and move appointments",
    "clinic.view": "see the clinic set-up",
    "clinic.manage": "change the clinic set-up",
    "audit.view": "read the audit log",
    "inventory.view": "see the lot register",
    "inventory.manage": "receive stock and run recalls",
    "protocol.decide": "use decision support",
    "intake.submit": "fill in the questionnaire",
    "consent.publish": "publish consent forms",
    "data.export": "export the clinic's data (FHIR Bulk Data)",
}

_OBJECT_TYPES = {
    "patients.Patient": "Patient record",
    "intake.IntakeRecord": "Questionnaire answers",
    "intake.ScreeningRecord": "Screening",
    "intake.ScreeningOverride": "Screening override",
    "plans.TreatmentPlan": "Treatment plan",
    "appointments.Appointment": "Appointment",
    "appointments.Series": "Booked series",
    "charting.SessionNote": "Session note",
    "charting.ConsentSignature": "Signed consent",
    "charting.ConsentForm": "Consent form",
    "charting.Amendment": "Note amendment",
    "inventory.Lot": "Lot",
    "outcomes.OutcomeRating": "Outcome rating",
    "outcomes.BlindedPairRating": "Blinded photo-pair rating",
    "inventory.LotUse": "Lot use",
    "accounts.User": "User account",
    "jobs.Delivery": "Messages to patients",
    "forms.ResubmittedForm": "Form sent twice (first answer shown)",
    "cds.CdsFeedback": "EHR feedback on a decision support card",
    "Screening": "Screening",
    "Plan": "Treatment plan",
}


def decision_label(value: Any) -> str:
    """ "do_not_treat" -> "Do not treat"."""
    try:
        return Decision(str(value)).label
    except ValueError:
        return humanise(value)


def indication_label(value: Any) -> str:
    indication = get_knowledge().indications.get(str(value))
    return indication.title if indication is not None else humanise(value)


def zone_label(value: Any) -> str:
    knowledge = get_knowledge()
    zone = knowledge.zones.get(str(value))
    if zone is not None:
        return zone.title
    block = knowledge.blocks.get(str(value))
    return block.title if block is not None else humanise(value)


def role_label(value: Any) -> str:
    from cit.clinic.accounts.roles import Role

    try:
        return str(Role(str(value)).label)
    except ValueError:
        return humanise(value)


def audit_action_label(value: Any) -> str:
    from cit.clinic.audit.models import AuditAction

    try:
        return str(AuditAction(str(value)).label)
    except ValueError:
        return humanise(value)


def capability_label(value: Any) -> str:
    return _CAPABILITIES.get(str(value), humanise(value).lower())


def object_label(object_type: Any, object_id: Any = None) -> str:
    """ "patients.Patient", 3 -> "Patient record 3"."""
    name = _OBJECT_TYPES.get(str(object_type))
    if name is None:
        name = humanise(str(object_type).rpartition(".")[2]) if object_type else ""
    return f"{name} {object_id}".strip() if object_id not in (None, "") else name


def refusal_for(capability: Any) -> str:
    """The 403 sentence for a role without a capability."""
    return f"Your role does not allow you to {capability_label(capability)}."


def humanise(value: Any) -> str:
    """Last resort for an id: "acne_scars" -> "Acne scars"."""
    text = str(value or "").replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


_FILE_NOTE = re.compile(r"\s*\((?:[\w./-]*/)?[\w.-]+\.(?:txt|md|pdf|html?)\)")


def citation_text(citation: Any) -> str:
    """A source's citation without the file it was read from ("… (seeds/001_x.txt)")."""
    return _FILE_NOTE.sub("", str(citation or "")).strip()


_UNITS = {"mm": "mm", "min": "minutes", "minutes": "minutes", "days": "days", "ml": "ml"}


def field_label(name: Any) -> str:
    """A form field's name as words: "max_depth_mm" -> "Max depth (mm)"."""
    parts = str(name or "").split("_")
    unit = _UNITS.get(parts[-1]) if len(parts) > 1 else None
    words = humanise(" ".join(parts[:-1] if unit else parts))
    return f"{words} ({unit})" if unit else words


_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$"}


def money(amount: Any, currency: Any) -> str:
    """An amount in a currency as people write it: 250, "USD" -> "$250"."""
    try:
        value = f"{float(amount):,.0f}"
    except (TypeError, ValueError):
        return ""
    code = str(currency or "").upper()
    symbol = _CURRENCY_SYMBOLS.get(code)
    return f"{symbol}{value}" if symbol else f"{value} {code}".strip()


def money_range(amounts: Any, currency: Any) -> str:
    """[200, 300], "EUR" -> "€200–€300" (one amount when both ends are equal)."""
    try:
        low, high = amounts
    except (TypeError, ValueError):
        return ""
    if low == high:
        return money(low, currency)
    return f"{money(low, currency)}–{money(high, currency)}"
