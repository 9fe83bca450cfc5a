"""Building blocks of FHIR R4 resources as JSON: code system URLs, references, instants,
CodeableConcepts, validation. Framework-free; CIT's own canonical URLs, which come from the
settings, are :mod:`cit.clinic.fhir_out.site_urls`."""

from __future__ import annotations

import datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from cit.interop.fhir_intake import ICD10, ICD10CM, LOINC, RXNORM, SNOMED
from cit.protocol.model import CodeSystem

UCUM = "http://unitsofmeasure.org"
SYSTEM_URLS = {
    CodeSystem.ICD10CM: ICD10CM,
    CodeSystem.ICD10: ICD10,
    CodeSystem.SNOMED: SNOMED,
    CodeSystem.RXNORM: RXNORM,
}
__all__ = ["LOINC", "SNOMED", "RXNORM", "UCUM", "SYSTEM_URLS"]


def prefixed_number(resource_id: str, prefix: str) -> int | None:
    """The row number in a resource id ``<prefix><digits>`` (ids that keep two sources of
    one resource type apart); None for any other id."""
    number = resource_id.removeprefix(prefix)
    if number == resource_id or not number.isdigit() or len(number) > 18:
        return None
    return int(number)


def reference(resource_type: str, resource_id: Any, display: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        ref["display"] = display
    return ref


def instant(moment: datetime.datetime) -> str:
    """An aware datetime as a FHIR instant in UTC, to the second."""
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def meta(last_updated: datetime.datetime | None) -> dict[str, Any]:
    return {"lastUpdated": instant(last_updated)} if last_updated is not None else {}


def concept(text: str | None, *codings: dict[str, Any]) -> dict[str, Any]:
    """A CodeableConcept: the codes the record has (never invented) and its text."""
    result: dict[str, Any] = {}
    if codings:
        result["coding"] = list(codings)
    if text:
        result["text"] = text
    return result


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    result = {"system": system, "code": code}
    if display:
        result["display"] = display
    return result


def drop_empty(value: Any) -> Any:
    """FHIR forbids empty elements: remove None, "", [] and {} at every level."""
    if isinstance(value, dict):
        cleaned = {key: drop_empty(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        cleaned_list = [drop_empty(item) for item in value]
        return [item for item in cleaned_list if item not in (None, "", [], {})]
    return value


def validated(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource with empty elements dropped, checked against the R4B model (raises
    pydantic's ValidationError when it does not conform)."""
    cleaned: dict[str, Any] = drop_empty(resource)
    get_fhir_model_class(cleaned["resourceType"]).model_validate(cleaned)
    return cleaned
