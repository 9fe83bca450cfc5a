"""Outcome ratings (CLINICAL.md section 6 scales and clinic-licensed instruments) as R4
``Observation``: the total as the value, each item as a component, the rater as performer.

No LOINC or SNOMED CT concept exists for these scales (Goodman & Baron, ECCA, mMASI, ...),
so they are coded in CIT's ``outcome-scale`` code system with the scale's title as text; a
clinic instrument is ``instrument-<its code>``. Ratings from blinded pairs are kept apart in
CIT and are not exported. Ids are ``outcome-<rating>``, apart from the questionnaire's own
Observations (pregnancy, breastfeeding), whose ids start with the questionnaire's number.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from cit.clinic.outcomes.models import OutcomeRating, RaterKind
from cit.interop.fhir_elements import coding, concept, instant, meta, reference, validated
from cit.protocol.knowledge import Scale, get_knowledge

from .care import user_reference
from .site_urls import code_system_url

OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ID_PREFIX = "outcome-"


def _scale(rating: OutcomeRating) -> tuple[str, Scale]:
    if rating.instrument is not None:
        return f"instrument-{rating.instrument.code}", rating.instrument.scale()
    return rating.scale_id, get_knowledge().scales[rating.scale_id]


def _number(value: Any) -> Decimal | None:
    """A stored input (kept as entered, as text) as a number; None when it is not one."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _quantity(number: Decimal, unit: str) -> dict[str, Any]:
    # JSON numbers: a whole number as an int, else a float (as the rating was entered).
    quantity: dict[str, Any] = {
        "value": int(number) if number == number.to_integral() else float(number)
    }
    if unit:
        quantity["unit"] = unit
    return quantity


def outcome_observation(rating: OutcomeRating) -> dict[str, Any]:
    code, scale = _scale(rating)
    by_patient = rating.rater_kind == RaterKind.PATIENT
    performer = (
        reference("Patient", rating.patient_id) if by_patient else user_reference(rating.rated_by)
    )
    items = {item.id: item.label for item in scale.items}
    components = [
        {
            "code": concept(
                items.get(key.split(".")[0], key),
                coding(code_system_url("outcome-item"), f"{code}.{key}"),
            ),
            "valueQuantity": _quantity(number, ""),
        }
        for key, number in sorted((key, _number(value)) for key, value in rating.values.items())
        if number is not None
    ]
    return validated(
        {
            "resourceType": "Observation",
            "id": f"{ID_PREFIX}{rating.pk}",
            "meta": meta(rating.recorded_at),
            "status": "final",
            "category": [
                concept(
                    None,
                    coding(OBSERVATION_CATEGORY, "survey", "Survey")
                    if by_patient
                    else coding(OBSERVATION_CATEGORY, "exam", "Exam"),
                )
            ],
            "code": concept(scale.title, coding(code_system_url("outcome-scale"), code)),
            "subject": reference("Patient", rating.patient_id),
            "partOf": (
                [reference("Procedure", rating.session_note_id)]
                if rating.session_note is not None and rating.session_note.is_signed
                else []
            ),
            "effectiveDateTime": rating.rated_on.isoformat(),
            "issued": instant(rating.recorded_at),
            "performer": [performer] if performer else [],
            "valueQuantity": _quantity(Decimal(rating.total), scale.unit),
            "component": components,
        }
    )
